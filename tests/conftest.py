"""Fixtures shared by unit and end-to-end tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.backends import BACKENDS, Backend, open_backend


@pytest.fixture(params=BACKENDS)
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Backend]:
    """The same test on SQLite and on PostgreSQL (skipped without a server)."""
    async with open_backend(request.param, tmp_path) as opened:
        yield opened


@pytest.fixture
async def postgres_backend(tmp_path: Path) -> AsyncIterator[Backend]:
    """PostgreSQL only: what several processes share (skipped without a server)."""
    async with open_backend("postgres", tmp_path) as opened:
        yield opened
