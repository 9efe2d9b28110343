"""Release-day thread keys and words (pure): once per release and date, stale dates skipped."""

from __future__ import annotations

import dataclasses
import datetime as dt

from bot.premiere.threads import (
    current_release,
    parse_thread_key,
    planned_threads,
    release_day_text,
    thread_key,
)
from bot.show.loader import load_show_data
from bot.show.models import ReleaseDate

SHOW = load_show_data()
SEASON_3 = next(r for r in SHOW.releases if r.key == "season-3")
AT = dt.datetime(2024, 10, 3, 7, 0, tzinfo=dt.UTC)


def test_keys_round_trip_and_reject_others() -> None:
    key = thread_key("season-3", AT)
    assert key == f"premiere-thread:season-3@{int(AT.timestamp())}"
    assert parse_thread_key(key) == ("season-3", AT)
    for other in ("reminder:event:1:1h", "premiere-thread:season-3", "premiere-thread:@12"):
        assert parse_thread_key(other) is None


def test_only_future_netflix_releases_known_to_the_minute() -> None:
    plans = planned_threads(SHOW.releases, AT - dt.timedelta(days=1))
    assert [p.release_key for p in plans] == ["season-3"]
    assert planned_threads(SHOW.releases, AT) == []  # not after the instant


def test_a_moved_date_makes_the_old_key_stale() -> None:
    key = thread_key("season-3", AT)
    assert current_release(SHOW.releases, key) == SEASON_3
    moved = dataclasses.replace(
        SEASON_3, when=ReleaseDate(SEASON_3.when.precision, instant=AT + dt.timedelta(days=7))
    )
    assert current_release([moved], key) is None


def test_the_post_names_the_place_and_the_end_of_the_spoiler_window() -> None:
    until = AT + dt.timedelta(days=7)
    text = release_day_text(SEASON_3, spoilers_until=until, place="the thread below")
    stamp = int(until.timestamp())
    assert "the thread below" in text and f"<t:{stamp}:R>" in text and "@" not in text
