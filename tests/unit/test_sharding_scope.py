"""Shard ownership and IDENTIFY spacing (pure)."""

from __future__ import annotations

import pytest

from bot.scheduling.sharding import IdentifyGate, ShardScope, shard_of


def test_a_server_belongs_to_the_shard_discord_routes_it_to() -> None:
    guild_id = 81384788765712384  # (id >> 22) == 19403645698
    assert shard_of(guild_id, 8) == 19403645698 % 8
    scope = ShardScope.of(8, [0, 1, 2, 3])
    assert scope.owns(guild_id) == (19403645698 % 8 < 4)
    assert scope.share == 0.5
    assert ShardScope.of(8).everything and ShardScope.of(8).sql("g") == "TRUE"
    assert scope.sql("s.guild_id") == "((s.guild_id >> 22) % 8) IN (0, 1, 2, 3)"


@pytest.mark.parametrize(("count", "ids"), [(0, None), (4, [4]), (4, []), (2, [-1])])
def test_impossible_scopes_are_refused(count: int, ids: list[int] | None) -> None:
    with pytest.raises(ValueError, match="shard count"):
        ShardScope.of(count, ids)


def test_identify_gate_lets_buckets_go_together_and_spaces_a_bucket() -> None:
    now = [100.0]
    gate = IdentifyGate(window=5.0, monotonic=lambda: now[0])
    # max_concurrency 4: shards 0-3 at once, shard 4 shares shard 0's bucket.
    assert [gate.reserve(s, 4) for s in range(4)] == [0.0] * 4
    assert gate.reserve(4, 4) == 5.0
    assert gate.reserve(8, 4) == 10.0
    now[0] = 106.0
    assert gate.reserve(5, 4) == 0.0  # bucket 1's window is over
    one = IdentifyGate(window=5.0, monotonic=lambda: 0.0)
    assert [one.reserve(s, 1) for s in range(3)] == [0.0, 5.0, 10.0]
