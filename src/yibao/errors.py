"""The one error type the command line and API turn into a clear message."""

from __future__ import annotations


class InputError(ValueError):
    """Bad input: the message names the file, row or field and the value at fault."""
