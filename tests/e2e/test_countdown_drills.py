"""Small versions of the delivery drills (``benchmarks/delivery_drills.py``).

Beyond ``test_countdown_crash.py`` (one SIGKILL at one chosen post): two stops in a row, one
of them while the restarted bot is still starting up (recovering the first stop's leftovers),
and the same with SIGTERM, which goes through production's graceful stop.
"""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from benchmarks.delivery_drills import drill, plan_stops

SERVERS = 100
STOPS = 2
SEED = 2  # an at-post stop, then one 0.65 s into the restarted process's start-up


def test_the_seed_covers_a_stop_mid_send_and_one_during_start_up() -> None:
    assert [stop.moment for stop in plan_stops(SERVERS, STOPS, SEED)] == ["at-post", "start-up"]


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["sigkill", "sigterm"])
async def test_stops_mid_fan_out_then_restarts_post_exactly_once_everywhere(
    sig: signal.Signals, tmp_path: Path
) -> None:
    result = await drill(
        sig, servers=SERVERS, stops=STOPS, seed_value=SEED, workdir=tmp_path, tick=0.1, limit=60
    )
    log = (tmp_path / f"{sig.name}.log").read_text()[-3000:]
    assert len(result.exit_seconds) == STOPS, log  # every stop really landed
    assert 0 < result.posted_at_stop[0] < SERVERS  # the first one mid-fan-out
    assert (result.lost, result.duplicated, result.rate_limited) == (0, 0, 0), log
    assert result.states == {"sent": SERVERS}, log
    if sig is signal.SIGTERM:
        # The graceful stop let the send in flight finish: nothing was left in doubt, and
        # nothing had to be resent on the strength of its nonce.
        assert result.left_sending == [0] * STOPS, log
        assert result.exit_codes[0] == 0  # (a stop before the handlers exist ends it at once)
        assert result.post_requests == SERVERS
    else:
        # Killed while Discord stored a post: that row was left "sending" and resent with
        # its nonce, which Discord collapsed into the existing message.
        assert result.left_sending[0] >= 1
        assert result.post_requests > SERVERS
