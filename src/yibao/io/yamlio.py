"""YAML and JSON reading for input files: decimals stay exact, duplicate keys are refused.

Numbers with a fraction are read as :class:`~decimal.Decimal` (never ``float``), so a money
amount such as ``13160.10`` reaches :func:`yibao.money.yuan_to_fen` exactly. Every error is
an :class:`~yibao.errors.InputError` naming the file (and the line, where YAML knows it).
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from yibao.errors import InputError


class DecimalLoader(yaml.SafeLoader):
    """A safe YAML loader reading floats as ``Decimal(str)`` and refusing duplicate keys.

    Only ``true`` / ``false`` are booleans (as in YAML 1.2): ``on``, ``off``, ``yes`` and
    ``no`` stay text, so a key such as ``on:`` means what it says.
    """


_BOOL_TAG = "tag:yaml.org,2002:bool"
DecimalLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != _BOOL_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
DecimalLoader.add_implicit_resolver(
    _BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _construct_decimal(loader: yaml.SafeLoader, node: yaml.Node) -> Decimal:
    assert isinstance(node, yaml.ScalarNode)
    text = str(loader.construct_scalar(node)).replace("_", "")
    lowered = text.lower()
    if lowered in (".inf", "+.inf", "-.inf", ".nan"):
        raise yaml.constructor.ConstructorError(
            None, None, f"{text!r} is not a finite number", node.start_mark
        )
    return Decimal(text)


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.Node) -> dict[Any, Any]:
    assert isinstance(node, yaml.MappingNode)
    loader.flatten_mapping(node)
    seen: set[object] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return dict(loader.construct_pairs(node, deep=True))


def _construct_timestamp(loader: yaml.SafeLoader, node: yaml.Node) -> object:
    """A date, or the text itself when it is not a valid date (the reader then names the
    key: ``2024-13-10`` is an error of the field, not of the YAML)."""
    assert isinstance(node, yaml.ScalarNode)
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:
        return str(node.value)


DecimalLoader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)
DecimalLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
DecimalLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_text(path: Path) -> str:
    """The text of ``path``; an unreadable file is an :class:`InputError` naming it."""
    try:
        return path.read_text(encoding="utf-8")
    except OSError as e:
        raise InputError(f"{path}: cannot read: {e.strerror}") from None
    except UnicodeDecodeError as e:
        raise InputError(f"{path}: not UTF-8 text: {e.reason}") from None


def parse_yaml(text: str, source: str) -> object:
    """Parse YAML text with :class:`DecimalLoader`; errors name ``source`` and the line."""
    try:
        return yaml.load(text, Loader=DecimalLoader)  # a SafeLoader subclass
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark is not None else source
        problem = getattr(e, "problem", None) or str(e)
        raise InputError(f"{where}: malformed YAML: {problem}") from None


def load_yaml(path: Path) -> object:
    """Read and parse a YAML file."""
    return parse_yaml(read_text(path), str(path))


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not a number")


def parse_json(text: str, source: str) -> object:
    """Parse JSON with decimals as ``Decimal``; NaN/Infinity and malformed text are refused."""
    try:
        return json.loads(text, parse_float=Decimal, parse_constant=_no_constant)
    except json.JSONDecodeError as e:
        raise InputError(f"{source}:{e.lineno}: malformed JSON: {e.msg}") from None
    except ValueError as e:
        raise InputError(f"{source}: malformed JSON: {e}") from None


def load_json(path: Path) -> object:
    """Read and parse a JSON file."""
    return parse_json(read_text(path), str(path))
