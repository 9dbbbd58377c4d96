"""Errors of the policy layer, each naming the file, line and key at fault."""

from __future__ import annotations


class PolicyError(ValueError):
    """A policy pack or catalogue that cannot be used; the message says where and why."""

    def __init__(self, message: str, *, source: str | None = None, line: int | None = None) -> None:
        where = source or ""
        if line is not None:
            where = f"{where}:{line}" if where else f"line {line}"
        super().__init__(f"{where}: {message}" if where else message)
        self.source = source
        self.line = line
