"""Both repositories offer the whole storage interface, with the same signatures: a method
added to one backend (and to CountdownStore) without the other fails here, not in production."""

from __future__ import annotations

import inspect

import pytest

from bot.database.countdown import CountdownRepository
from bot.database.postgres import PostgresCountdownRepository, PostgresPremiereRepository
from bot.database.premiere import PremiereRepository
from bot.database.store import CountdownStore, PremiereStore


def public_methods(cls: type) -> dict[str, inspect.Signature]:
    return {
        name: inspect.signature(member)
        for name, member in inspect.getmembers(cls, inspect.isfunction)
        if not name.startswith("_")
    }


@pytest.mark.parametrize("backend", [CountdownRepository, PostgresCountdownRepository])
def test_each_backend_has_every_method_of_the_interface(backend: type) -> None:
    expected = public_methods(CountdownStore)
    assert expected, "the protocol lists the methods"
    actual = public_methods(backend)
    assert set(expected) <= set(actual), sorted(set(expected) - set(actual))
    for name, signature in expected.items():
        assert list(actual[name].parameters) == list(signature.parameters), name


def test_the_interface_lists_every_public_method_of_both() -> None:
    listed = set(public_methods(CountdownStore))
    for backend in (CountdownRepository, PostgresCountdownRepository):
        assert set(public_methods(backend)) <= listed, sorted(set(public_methods(backend)) - listed)


@pytest.mark.parametrize("backend", [PremiereRepository, PostgresPremiereRepository])
def test_each_premiere_backend_matches_the_premiere_interface(backend: type) -> None:
    expected = public_methods(PremiereStore)
    actual = public_methods(backend)
    assert set(actual) == set(expected), sorted(set(actual) ^ set(expected))
    for name, signature in expected.items():
        assert list(actual[name].parameters) == list(signature.parameters), name
