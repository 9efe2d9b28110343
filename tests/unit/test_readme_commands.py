"""The README's benchmark commands run as written (with the venv's Python, from the root)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
_BENCHMARK = re.compile(r"`((?:\S*python\S*) (benchmarks/\S+\.py))`")


def test_benchmark_commands_use_the_venv_and_start() -> None:
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    commands = _BENCHMARK.findall(readme)
    assert len(commands) >= 2, commands
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    for command, script in commands:
        # A bare `python` is the system one, without discord.py, unless a venv is active.
        assert command.startswith(".venv/bin/python "), command
        done = subprocess.run(
            [sys.executable, script, "--help"],
            cwd=PROJECT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        assert "usage:" in done.stdout
