"""The write-through cache of servers' countdown settings that both storage backends keep.

The tick and the sender read settings far more often than admins change them. Every write
goes through the repository, which tells the cache (``written``), so a cached copy is never
older than the database. A read that was in flight across a write must not put its older
copy back: each write bumps the server's generation, and a read only caches what it fetched
if the generation is still the one it started with.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.countdown.settings import CountdownSettings

ReadOne = Callable[[int], Awaitable[CountdownSettings]]
ReadMany = Callable[[list[int]], Awaitable[dict[int, CountdownSettings]]]


class SettingsCache:
    def __init__(self) -> None:
        self._settings: dict[int, CountdownSettings] = {}
        self._generation: dict[int, int] = {}

    def written(self, guild_id: int, settings: CountdownSettings | None) -> None:
        """A write of ``guild_id``'s settings committed (None: they were deleted)."""
        self._generation[guild_id] = self._generation.get(guild_id, 0) + 1
        if settings is None:
            self._settings.pop(guild_id, None)
        else:
            self._settings[guild_id] = settings

    async def get(self, guild_id: int, read: ReadOne) -> CountdownSettings:
        cached = self._settings.get(guild_id)
        if cached is not None:
            return cached
        generation = self._generation.get(guild_id, 0)
        settings = await read(guild_id)
        self._remember(guild_id, generation, settings)
        return settings

    async def get_many(
        self, guild_ids: list[int], read_many: ReadMany
    ) -> dict[int, CountdownSettings]:
        """``get`` for many servers, reading those not cached with one ``read_many`` call
        (which returns settings, defaults included, for every server it is given)."""
        found = {gid: self._settings[gid] for gid in guild_ids if gid in self._settings}
        missing = [gid for gid in guild_ids if gid not in found]
        if missing:
            generations = {gid: self._generation.get(gid, 0) for gid in missing}
            fetched = await read_many(missing)
            for gid in missing:
                found[gid] = fetched[gid]
                self._remember(gid, generations[gid], fetched[gid])
        return found

    def _remember(self, guild_id: int, generation: int, settings: CountdownSettings) -> None:
        if self._generation.get(guild_id, 0) == generation:
            self._settings[guild_id] = settings
