"""Reloading a running bot from outside: SIGHUP and ``heartstopper-bot reload``, against the
real process (``python -m bot``) and the simulator; a broken file is refused in one line."""

from __future__ import annotations

import asyncio
import datetime as dt
import signal
import sys
from pathlib import Path

from bot.countdown.announcements import ANNOUNCED_META_KEY
from bot.countdown.settings import CountdownSettings
from bot.database.connection import open_database
from bot.database.countdown import CountdownRepository
from bot.database.meta import MetaRepository
from bot.sandbox.simulator.demo import add_demo_guild
from bot.sandbox.simulator.server import Simulator
from bot.show.loader import DEFAULT_DATA_PATH
from tests.e2e.test_bot_lifecycle import FAKE_TOKEN, _clean_env, _start_bot_process

FILM_YEAR = 'precision = "year"\nyear = 2026'
FILM = "heartstopper-forever"


def write_film(path: Path, when: str) -> None:
    text = DEFAULT_DATA_PATH.read_text(encoding="utf-8")
    assert FILM_YEAR in text
    path.write_text(text.replace(FILM_YEAR, when), encoding="utf-8")


def film_in(days: int) -> str:
    """The film at 08:00 UTC ``days`` from the real today (the process runs on the real clock)."""
    day = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=days)
    return f'precision = "instant"\ninstant = {day.isoformat()}T08:00:00Z'


async def reload_command(tmp_path: Path, data: Path) -> tuple[int, str, str]:
    """``heartstopper-bot reload`` with the bot's environment, as an operator would run it."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "reload",
        cwd=tmp_path,
        env=_clean_env(DATABASE_PATH=str(tmp_path / "bot.sqlite3"), SHOW_DATA_PATH=str(data)),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def bot_ready(db_path: Path) -> None:
    """The bot's on_ready has run: the announcer recorded the dates it started with.

    (Posts wait for READY; a reload before it would be announced at the next periodic tick.)
    """
    async with open_database(db_path) as db:
        for _ in range(300):
            if await MetaRepository(db).get(ANNOUNCED_META_KEY) is not None:
                return
            await asyncio.sleep(0.1)
    raise AssertionError("the bot never became ready")


async def test_sighup_and_the_reload_command(tmp_path: Path) -> None:
    data = tmp_path / "heartstopper.toml"
    write_film(data, FILM_YEAR)
    code, _, err = await reload_command(tmp_path, data)  # nothing running yet
    assert code != 0 and len(err.strip().splitlines()) == 1
    assert "no running bot is listening" in err

    async with Simulator(token=FAKE_TOKEN) as sim:
        demo = add_demo_guild(sim)
        async with open_database(tmp_path / "bot.sqlite3") as db:
            # A fixed target, so the test holds whatever the real date is.
            settings = CountdownSettings(
                guild_id=demo.guild_id, channel_id=demo.countdown_id, target=f"release:{FILM}"
            )
            await CountdownRepository(db).save_settings(
                settings, next_post_at=None, now=dt.datetime.now(dt.UTC)
            )

        def official() -> list[str]:
            contents = [m.get("content") or "" for m in sim.messages(demo.countdown_id)]
            return [c for c in contents if "It's official" in c]

        process = await _start_bot_process(sim, tmp_path, SHOW_DATA_PATH=str(data))
        try:
            await sim.wait_for_ready(timeout=30)
            await sim.wait_for_commands(timeout=30)
            await bot_ready(tmp_path / "bot.sqlite3")

            write_film(data, film_in(20))
            process.send_signal(signal.SIGHUP)
            await sim.wait_until(lambda: len(official()) == 1, 20, "the SIGHUP announcement")
            assert "20 days to go" in official()[0]

            write_film(data, film_in(27))
            code, out, err = await reload_command(tmp_path, data)
            assert code == 0, err
            assert out.strip().endswith(f"reloaded; {FILM} moved")
            await sim.wait_until(lambda: len(official()) == 2, 20, "the moved-date announcement")
            assert "new date" in official()[1] and "27 days to go" in official()[1]

            data.write_text("[series\n", encoding="utf-8")
            code, out, err = await reload_command(tmp_path, data)
            assert code != 0 and out == ""
            [line] = err.strip().splitlines()
            assert line.startswith(f"heartstopper-bot: kept the current data: {data}")
            await asyncio.sleep(0.5)
            assert len(official()) == 2

            process.send_signal(signal.SIGTERM)
            _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
    assert process.returncode == 0, stderr.decode()[-2000:]
    assert not (tmp_path / "bot.sqlite3.control").exists()
