"""Admin input for countdowns: what is accepted, and friendly refusals that never echo input."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.countdown.parsing import (
    CountdownInputError,
    parse_event_datetime,
    parse_post_time,
)

LONDON = ZoneInfo("Europe/London")
KOLKATA = ZoneInfo("Asia/Kolkata")
NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
JUNK = "x" * 6000


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9", dt.time(9, 0)),
        ("9am", dt.time(9, 0)),
        ("9 AM", dt.time(9, 0)),
        ("9:30pm", dt.time(21, 30)),
        ("9:30 p.m.", dt.time(21, 30)),
        ("0900", dt.time(9, 0)),
        ("21.30", dt.time(21, 30)),
        ("21h30", dt.time(21, 30)),
        ("21h", dt.time(21, 0)),
        ("09:00", dt.time(9, 0)),
        ("9:00", dt.time(9, 0)),
        (" 7:05 ", dt.time(7, 5)),
        ("12am", dt.time(0, 0)),
        ("12pm", dt.time(12, 0)),
        ("00:00", dt.time(0, 0)),
        ("23:59", dt.time(23, 59)),
    ],
)
def test_parse_post_time_accepts(text: str, expected: dt.time) -> None:
    assert parse_post_time(text) == expected


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("25:00", "no hour 25"),
        ("24:00", "no hour 24"),
        ("2400", "no hour 24"),
        ("9:75", "minutes 00 to 59"),
        ("12:60", "minutes 00 to 59"),
        ("13pm", "1 to 12"),
        ("0am", "1 to 12"),
        ("nine", "doesn't look like a time"),
        ("noon", "doesn't look like a time"),
        ("9am tomorrow", "doesn't look like a time"),
        ("9:0", "doesn't look like a time"),
        ("9:", "doesn't look like a time"),
        ("9m", "doesn't look like a time"),
        ("930", "doesn't look like a time"),
        ("-1:00", "doesn't look like a time"),
        ("٩:٠٠", "doesn't look like a time"),  # non-ASCII digits
        ("", "Please give a time"),
        ("   ", "Please give a time"),
        (JUNK, "doesn't look like a time"),
    ],
)
def test_parse_post_time_refuses_with_an_example(text: str, says: str) -> None:
    with pytest.raises(CountdownInputError) as caught:
        parse_post_time(text)
    message = str(caught.value)
    assert says in message
    assert "09:00" in message and "9am" in message  # every refusal shows what works
    assert len(message) < 200


NEW_YORK = ZoneInfo("America/New_York")
UTC = dt.UTC


@pytest.mark.parametrize(
    ("text", "zone", "expected"),
    [
        ("2026-12-24 19:30", LONDON, dt.datetime(2026, 12, 24, 19, 30, tzinfo=UTC)),
        ("2026-12-24T19:30", LONDON, dt.datetime(2026, 12, 24, 19, 30, tzinfo=UTC)),
        (" 2026-07-04 9:00 ", LONDON, dt.datetime(2026, 7, 4, 8, 0, tzinfo=UTC)),
        ("2026-12-24 19:30", KOLKATA, dt.datetime(2026, 12, 24, 14, 0, tzinfo=UTC)),
        # a date alone counts to the start of that day
        ("2026-12-25", LONDON, dt.datetime(2026, 12, 25, 0, 0, tzinfo=UTC)),
        ("2026-12-25", NEW_YORK, dt.datetime(2026, 12, 25, 5, 0, tzinfo=UTC)),
        ("2026-12-24 7:30pm", LONDON, dt.datetime(2026, 12, 24, 19, 30, tzinfo=UTC)),
        ("2026-12-24 at 8pm", LONDON, dt.datetime(2026, 12, 24, 20, 0, tzinfo=UTC)),
        ("Dec 24 19:30", LONDON, dt.datetime(2026, 12, 24, 19, 30, tzinfo=UTC)),
        ("december 24th, 7:30 PM", LONDON, dt.datetime(2026, 12, 24, 19, 30, tzinfo=UTC)),
        ("Dec 24, 2027 19:30", LONDON, dt.datetime(2027, 12, 24, 19, 30, tzinfo=UTC)),
        ("24 December 2026 19:30", LONDON, dt.datetime(2026, 12, 24, 19, 30, tzinfo=UTC)),
        ("24 Dec 19:30", LONDON, dt.datetime(2026, 12, 24, 19, 30, tzinfo=UTC)),
        ("3 Sept 9am", LONDON, dt.datetime(2026, 9, 3, 8, 0, tzinfo=UTC)),
        # without a year: the next time that date comes round
        ("May 1 10:00", LONDON, dt.datetime(2027, 5, 1, 9, 0, tzinfo=UTC)),
        ("tomorrow 20:00", LONDON, dt.datetime(2026, 6, 2, 19, 0, tzinfo=UTC)),
        ("Tomorrow", LONDON, dt.datetime(2026, 6, 1, 23, 0, tzinfo=UTC)),
        ("today 21:00", LONDON, dt.datetime(2026, 6, 1, 20, 0, tzinfo=UTC)),
        # "tomorrow" is the server's: 2 June 09:00 in Kolkata (it is 17:30 on 1 June there)
        ("tomorrow 09:00", KOLKATA, dt.datetime(2026, 6, 2, 3, 30, tzinfo=UTC)),
        # a gap time resolves to the jump, an overlap time to its first occurrence
        ("2027-03-28 01:30", LONDON, dt.datetime(2027, 3, 28, 1, 0, tzinfo=UTC)),
        ("2026-10-25 01:30", LONDON, dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),
    ],
)  # fmt: skip
def test_parse_event_datetime_accepts(text: str, zone: ZoneInfo, expected: dt.datetime) -> None:
    result = parse_event_datetime(text, zone, NOW)
    assert result == expected
    assert result.utcoffset() == dt.timedelta(0)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("03/04", "03/04 mean 3 April"),
        ("03/04 19:30", "03/04 mean 3 April"),
        ("24/12/2026 19:30", "03/04 mean 3 April"),
        ("12.24.2026", "03/04 mean 3 April"),
        ("next friday", "doesn't look like a date"),
        ("Foo 24 19:30", "doesn't look like a date"),
        ("", "Please give a date"),
        (JUNK, "doesn't look like a date"),
        ("2026-02-30 19:30", "doesn't exist"),
        ("2026-13-01 19:30", "doesn't exist"),
        ("Feb 30", "doesn't exist"),
        ("2026-12-24 25:00", "not the time"),
        ("Dec 24 9:75", "not the time"),
        ("Dec 24 soonish", "not the time"),
        ("2026-05-31 19:30", "already passed"),
        ("2026-06-01 13:00", "already passed"),  # exactly now in London (BST)
        ("today 09:00", "already passed"),
        ("9999-12-31 23:59", "years away"),
    ],
)
def test_parse_event_datetime_refuses(text: str, says: str) -> None:
    with pytest.raises(CountdownInputError) as caught:
        parse_event_datetime(text, LONDON, NOW)
    message = str(caught.value)
    assert says in message
    assert "2026-" in message  # every refusal shows a form that works
    assert len(message) < 250
    assert "soonish" not in message and "Foo" not in message  # raw input is never echoed


def test_parse_event_datetime_accepts_one_minute_ahead() -> None:
    assert parse_event_datetime("2026-06-01 13:01", LONDON, NOW) == NOW + dt.timedelta(minutes=1)


def test_input_errors_are_value_errors() -> None:
    assert issubclass(CountdownInputError, ValueError)
