"""What to do about a post whose scheduled instant has come, possibly long ago.

The catch-up rule: a post missed while the bot was down is sent late, once, if it is still
the same local day in the server's zone as the post was scheduled for; otherwise it is
skipped (a "12 days to go" post arriving the next day would be wrong, and one post per day
is the promise). "Once" is the delivery ledger's job: the late post uses the same delivery
key as the on-time one would have. A scheduler waking within ``GRACE`` of the instant, before
or after, is on time; earlier than that there is nothing to send yet, which is also "skip".
"""

from __future__ import annotations

import datetime as dt
from typing import Literal
from zoneinfo import ZoneInfo

from bot.countdown.clock import local_date_of

GRACE = dt.timedelta(minutes=2)

CatchUp = Literal["on_time", "late", "skip"]


def catch_up(
    scheduled: dt.datetime, now: dt.datetime, zone: ZoneInfo, *, grace: dt.timedelta = GRACE
) -> CatchUp:
    lateness = now - scheduled
    if abs(lateness) <= grace:
        return "on_time"
    if lateness > grace and local_date_of(now, zone) == local_date_of(scheduled, zone):
        return "late"
    return "skip"
