"""The one error type for admins' typed input."""

from __future__ import annotations


class CountdownInputError(ValueError):
    """Input an admin can fix; ``str(error)`` is safe to show them as is."""
