"""The reload triggers in-process: the control socket answers in one line, SIGHUP reloads,
and both are gone once the bot has stopped."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
from pathlib import Path

import pytest

from bot.config import Settings
from bot.reloading import (
    ReloadRequestError,
    control_path,
    reload_triggers,
    request_reload,
)
from bot.show.changes import ShowReload


class FakeBot:
    def __init__(self, outcome: ShowReload) -> None:
        self.outcome = outcome
        self.reloaded: list[Path] = []

    def reload_show(self, path: Path) -> ShowReload:
        self.reloaded.append(path)
        return self.outcome


def settings_in(tmp_path: Path) -> Settings:
    return Settings(
        token="x" * 40, database_path=tmp_path / "bot.sqlite3", data_path=tmp_path / "show.toml"
    )


async def test_the_socket_reloads_and_answers_with_the_outcome(tmp_path: Path) -> None:
    settings = settings_in(tmp_path)
    bot = FakeBot(ShowReload(ok=True, message="show.toml: reloaded; film dated"))
    async with reload_triggers(bot, settings, sighup=False):
        assert oct(control_path(settings).stat().st_mode & 0o777) == "0o600"
        assert await request_reload(control_path(settings)) == (
            True,
            "show.toml: reloaded; film dated",
        )
        bot.outcome = ShowReload(ok=False, message="show.toml: releases[film].day:\n bad")
        assert await request_reload(control_path(settings)) == (
            False,
            "show.toml: releases[film].day: bad",
        )
    assert bot.reloaded == [settings.data_path, settings.data_path]
    assert not control_path(settings).exists()
    with pytest.raises(ReloadRequestError, match="no running bot is listening"):
        await request_reload(control_path(settings))


async def test_a_socket_left_by_a_killed_bot_is_replaced(tmp_path: Path) -> None:
    settings = settings_in(tmp_path)
    stale = socket.socket(socket.AF_UNIX)
    stale.bind(str(control_path(settings)))
    stale.close()  # the file stays, nobody listens
    with pytest.raises(ReloadRequestError):
        await request_reload(control_path(settings))
    bot = FakeBot(ShowReload(ok=True, message="ok"))
    async with reload_triggers(bot, settings, sighup=False):
        assert (await request_reload(control_path(settings)))[0]


async def test_a_regular_file_in_the_way_is_left_alone(tmp_path: Path) -> None:
    settings = settings_in(tmp_path)
    control_path(settings).write_text("not ours")
    async with reload_triggers(FakeBot(ShowReload(ok=True, message="")), settings, sighup=False):
        pass
    assert control_path(settings).read_text() == "not ours"


async def test_sighup_reloads_while_running_only(tmp_path: Path) -> None:
    settings = settings_in(tmp_path)
    bot = FakeBot(ShowReload(ok=True, message="ok"))
    loop = asyncio.get_running_loop()
    async with reload_triggers(bot, settings):
        os.kill(os.getpid(), signal.SIGHUP)
        for _ in range(100):
            if bot.reloaded:
                break
            await asyncio.sleep(0.01)
        assert bot.reloaded == [settings.data_path]
    assert not loop.remove_signal_handler(signal.SIGHUP)  # already removed


def test_the_owners_reply_says_who_hears_news_and_stays_one_line_on_failure() -> None:
    from bot.show.changes import ChangeKind, ReleaseChange
    from cogs.showdata import reload_reply

    dated = ReleaseChange("heartstopper-forever", ChangeKind.DATED, None, None, "Film")
    added = ReleaseChange("volume-7", ChangeKind.ADDED, None, None, "Volume 7")
    news = reload_reply(ShowReload(ok=True, message="f: reloaded", changes=(dated, added)))
    assert news.startswith("✅ f: reloaded\n🎉 ") and "heartstopper-forever get" in news
    assert "volume-7" not in news.splitlines()[1]
    quiet = reload_reply(ShowReload(ok=True, message="f: reloaded", changes=(added,)))
    assert "\n" not in quiet
    refused = reload_reply(ShowReload(ok=False, message="f: releases[x].day: bad"))
    assert refused == "⚠️ Kept the current data: f: releases[x].day: bad"
