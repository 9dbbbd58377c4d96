"""Reading YAML as a node tree so that every error can name file, line and key.

Shared by the strict readers (policy packs, actuarial assumptions): each gives a
:class:`NodeReader` the error type it raises.
"""

from __future__ import annotations

from collections.abc import Callable

import yaml

ErrorFactory = Callable[[str, str, int | None], Exception]
"""(message, source, line) → the exception a reader raises."""


class NodeReader:
    """Turns problems at a node into errors that name the source and line."""

    def __init__(self, source: str, error: ErrorFactory) -> None:
        self.source = source
        self._error = error

    def fail(self, node: yaml.Node | None, message: str) -> Exception:
        line = node.start_mark.line + 1 if node is not None else None
        return self._error(message, self.source, line)

    def mapping(self, node: yaml.Node, what: str) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        """A mapping node as {key: (key node, value node)}, refusing duplicate keys."""
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, f"{what} must be a mapping")
        out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for k, v in node.value:
            if not isinstance(k, yaml.ScalarNode):
                raise self.fail(k, f"{what} has a key that is not a plain name")
            if k.value in out:
                raise self.fail(k, f"duplicate key '{k.value}' in {what}")
            out[str(k.value)] = (k, v)
        return out
