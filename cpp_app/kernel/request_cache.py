"""Reference data read once per request: several parts of one page ask for the same small list."""
from functools import wraps

from flask import g


def once_per_request(function):
    """A function of no arguments whose result is kept on `g` (the app context: one request, or one CLI command)."""
    key = f"once_per_request:{function.__module__}.{function.__qualname__}"

    @wraps(function)
    def kept():
        if key not in g:
            setattr(g, key, function())
        return getattr(g, key)

    return kept
