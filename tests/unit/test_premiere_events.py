"""The Discord events sync as a pure plan: what is created, adopted, moved and deleted."""

from __future__ import annotations

import datetime as dt

from bot.countdown.settings import CustomEvent
from bot.database.premiere import EventLink
from bot.premiere.events import OnDiscord, WantedEvent, plan_sync, wanted_events
from bot.show.loader import load_show_data

NOW = dt.datetime(2024, 9, 1, 7, 0, tzinfo=dt.UTC)
START = dt.datetime(2024, 10, 3, 19, 30, tzinfo=dt.UTC)
G = 1


def _wanted(key: str = "event:1", name: str = "Party", start: dt.datetime = START) -> WantedEvent:
    return WantedEvent(key, name, "", start, start + dt.timedelta(hours=2), "here", None)


def _link(key: str = "event:1", event_id: int | None = 10, start: dt.datetime = START) -> EventLink:
    return EventLink(G, key, event_id, "Party", start, start + dt.timedelta(hours=2))


def _kinds(actions: list) -> list[tuple[str, str, int | None]]:
    return [(a.kind, a.source_key, a.event_id) for a in actions]


def test_only_future_netflix_releases_known_to_the_minute_and_server_events() -> None:
    show = load_show_data()
    party = CustomEvent(1, G, "Party", START)
    past = CustomEvent(2, G, "Old party", NOW - dt.timedelta(days=1))
    wanted = wanted_events(show.releases, [party, past], now=NOW, channel_id=None)
    assert [w.source_key for w in wanted] == ["release:season-3", "event:1"]
    assert wanted[0].location == "Netflix"
    assert wanted[0].ends_at - wanted[0].starts_at == dt.timedelta(hours=2)


def test_in_step_means_no_request() -> None:
    assert plan_sync([_wanted()], [_link()], None, now=NOW) == []


def test_new_moved_and_removed() -> None:
    moved = START + dt.timedelta(days=1)
    assert _kinds(plan_sync([_wanted()], [], None, now=NOW)) == [("create", "event:1", None)]
    assert _kinds(plan_sync([_wanted(start=moved)], [_link()], None, now=NOW)) == [
        ("update", "event:1", 10)
    ]
    assert _kinds(plan_sync([], [_link()], None, now=NOW)) == [("delete", "event:1", 10)]


def test_a_started_event_is_forgotten_not_deleted() -> None:
    later = START + dt.timedelta(minutes=5)
    assert _kinds(plan_sync([], [_link()], None, now=later)) == [("delete", "event:1", None)]


def test_a_create_cut_short_by_a_crash_is_adopted_not_repeated() -> None:
    on_discord = {10: OnDiscord(10, "Party", START)}
    assert _kinds(plan_sync([_wanted()], [_link(event_id=None)], on_discord, now=NOW)) == [
        ("adopt", "event:1", 10)
    ]
    assert _kinds(plan_sync([_wanted()], [_link(event_id=None)], {}, now=NOW)) == [
        ("create", "event:1", None)
    ]


def test_an_event_deleted_by_hand_on_discord_is_recreated() -> None:
    assert _kinds(plan_sync([_wanted()], [_link()], {}, now=NOW)) == [("create", "event:1", None)]
