"""Which release changes a reload reports (what the "It's official" post will be built from)."""

from __future__ import annotations

import datetime as dt

from bot.show.changes import ChangeKind, release_changes, summary
from bot.show.models import DatePrecision, Release, ReleaseDate

YEAR = ReleaseDate(DatePrecision.YEAR, year=2026)
MONTH = ReleaseDate(DatePrecision.MONTH, year=2026, month=11)
DAY = ReleaseDate(DatePrecision.DAY, day=dt.date(2026, 12, 4))
INSTANT = ReleaseDate(DatePrecision.INSTANT, instant=dt.datetime(2026, 12, 4, 8, tzinfo=dt.UTC))
LATER = ReleaseDate(DatePrecision.INSTANT, instant=dt.datetime(2026, 12, 11, 8, tzinfo=dt.UTC))


def film(when: ReleaseDate, key: str = "heartstopper-forever") -> Release:
    return Release(key, "Heartstopper Forever", "film", when, ("https://example.org",))


def kinds(old: list[Release], new: list[Release]) -> list[tuple[str, ChangeKind]]:
    return [(c.key, c.kind) for c in release_changes(old, new)]


def test_a_year_becoming_a_moment_is_dated() -> None:
    (change,) = release_changes([film(YEAR)], [film(INSTANT)])
    assert change.kind is ChangeKind.DATED
    assert change.old == YEAR and change.new == INSTANT


def test_a_moved_date_names_the_old_one() -> None:
    (change,) = release_changes([film(INSTANT)], [film(LATER)])
    assert change.kind is ChangeKind.MOVED
    assert change.old == INSTANT


def test_day_to_instant_on_the_same_day_is_still_a_move_of_precision() -> None:
    # The exact moment became known: posts that said "the time isn't announced" change.
    assert kinds([film(DAY)], [film(INSTANT)]) == [("heartstopper-forever", ChangeKind.MOVED)]


def test_vague_to_vague_and_unchanged_report_nothing() -> None:
    assert release_changes([film(YEAR)], [film(MONTH)]) == ()
    assert release_changes([film(INSTANT)], [film(INSTANT)]) == ()


def test_withdrawn_added_and_removed() -> None:
    assert kinds([film(DAY)], [film(YEAR)]) == [("heartstopper-forever", ChangeKind.VAGUER)]
    assert kinds([], [film(DAY, "x")]) == [("x", ChangeKind.ADDED)]
    assert kinds([film(DAY, "x")], []) == [("x", ChangeKind.REMOVED)]


def test_summary_is_one_line() -> None:
    changes = release_changes([film(YEAR)], [film(INSTANT)])
    line = summary("data/heartstopper.toml", changes)
    assert "\n" not in line
    assert line == "data/heartstopper.toml: reloaded; heartstopper-forever dated"
