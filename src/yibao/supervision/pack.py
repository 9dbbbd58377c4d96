"""Rule packs (监管规则包): which rules run in a region and with which thresholds.

A pack is strict YAML::

    pack: demo-province
    region: "990000"
    title: Demo province supervision rules (示范监管规则)
    source: where the thresholds come from
    rules:
      SPLIT_ADMISSION: {max_gap_days: 15}
      QTY_VISIT: {max_units: 100, enabled: true}

Every rule listed runs (unless ``enabled: false``); parameters left out take the rule's
default. An unknown rule code, an unknown parameter or a value of the wrong type is an
:class:`~yibao.errors.InputError` naming the file, the line and the key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from yibao.errors import InputError
from yibao.io.yamlio import DecimalLoader, read_text
from yibao.supervision.rules.base import Param, Rule

_TOP = ("pack", "region", "title", "source", "rules")
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_STR = "tag:yaml.org,2002:str"
LEVELS = ("L1", "L2", "L3")


@dataclass(frozen=True)
class RulePack:
    """A loaded pack: the rules that run and each rule's parameter values."""

    name: str
    region: str
    title: str
    source: str
    values: Mapping[str, Mapping[str, Any]]  # rule code -> parameter -> value


class _Where:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, node: yaml.Node, key: str, problem: str) -> InputError:
        return InputError(f"{self.source}:{node.start_mark.line + 1}: {key}: {problem}")


def _scalar(w: _Where, node: yaml.Node, key: str, want: str) -> Any:
    if not isinstance(node, yaml.ScalarNode):
        raise w.fail(
            node,
            key,
            f"must be {want}, not a {'list' if isinstance(node, yaml.SequenceNode) else 'mapping'}",
        )
    tag, text = node.tag, str(node.value)
    if want == "a whole number":
        if tag != _INT:
            raise w.fail(node, key, f"must be a whole number, got {text!r}")
        return int(text.replace("_", ""))
    if want == "a number":
        if tag not in (_INT, _FLOAT):
            raise w.fail(node, key, f"must be a number, got {text!r}")
        return Decimal(text.replace("_", ""))
    if want == "true or false":
        if tag != _BOOL:
            raise w.fail(node, key, f"must be true or false, got {text!r}")
        return text.lower() == "true"
    if tag not in (_STR, _INT):  # codes such as 990000 may be written bare
        raise w.fail(node, key, f"must be text, got {text!r}")
    return text


def _mapping(w: _Where, node: yaml.Node, key: str) -> list[tuple[yaml.Node, yaml.Node]]:
    if not isinstance(node, yaml.MappingNode):
        raise w.fail(node, key, "must be a mapping")
    seen: set[str] = set()
    for k, _ in node.value:
        name = str(k.value)
        if name in seen:
            raise w.fail(k, f"{key}.{name}", "duplicate key")
        seen.add(name)
    return list(node.value)


def _codes(w: _Where, node: yaml.Node, key: str) -> tuple[str, ...]:
    if not isinstance(node, yaml.SequenceNode):
        raise w.fail(node, key, "must be a list of codes")
    return tuple(_scalar(w, n, f"{key}[{i}]", "text") for i, n in enumerate(node.value))


def _value(w: _Where, node: yaml.Node, key: str, param: Param) -> Any:
    kind = param.kind
    if kind is int:
        return _scalar(w, node, key, "a whole number")
    if kind is Decimal:
        return _scalar(w, node, key, "a number")
    if kind is bool:
        return _scalar(w, node, key, "true or false")
    if kind is str:
        return _scalar(w, node, key, "text")
    if kind == "codes":
        return _codes(w, node, key)
    if kind == "code_map":
        return {
            _scalar(w, k, key, "text"): _codes(w, v, f"{key}.{k.value}")
            for k, v in _mapping(w, node, key)
        }
    if kind == "level_map":
        out = {}
        for k, v in _mapping(w, node, key):
            level = _scalar(w, v, f"{key}.{k.value}", "text")
            if level not in LEVELS:
                raise w.fail(v, f"{key}.{k.value}", f"must be one of {'|'.join(LEVELS)}")
            out[_scalar(w, k, key, "text")] = level
        return out
    raise AssertionError(kind)  # pragma: no cover


def parse_pack(text: str, source: str, rules: Mapping[str, Rule]) -> RulePack:
    """Parse and check a rule pack against the rule library."""
    w = _Where(source)
    try:
        root = yaml.compose(text, Loader=DecimalLoader)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark is not None else source
        raise InputError(f"{where}: malformed YAML: {getattr(e, 'problem', e)}") from None
    if root is None:
        raise InputError(f"{source}: empty rule pack")
    top: dict[str, yaml.Node] = {}
    for k, v in _mapping(w, root, "pack"):
        if k.value not in _TOP:
            raise w.fail(k, str(k.value), f"unknown key; expected one of {', '.join(_TOP)}")
        top[str(k.value)] = v
    for key in _TOP:
        if key not in top:
            raise InputError(f"{source}: missing key {key!r}")
    values: dict[str, dict[str, Any]] = {}
    for code_node, body in _mapping(w, top["rules"], "rules"):
        code = str(code_node.value)
        rule = rules.get(code)
        if rule is None:
            raise w.fail(code_node, f"rules.{code}", "unknown rule code")
        given: dict[str, Any] = {}
        enabled = True
        if not (isinstance(body, yaml.ScalarNode) and body.tag == "tag:yaml.org,2002:null"):
            for pk, pv in _mapping(w, body, f"rules.{code}"):
                name, key = str(pk.value), f"rules.{code}.{pk.value}"
                if name == "enabled":
                    enabled = _scalar(w, pv, key, "true or false")
                    continue
                if name not in rule.params:
                    known = ", ".join(rule.params) or "none"
                    raise w.fail(pk, key, f"unknown parameter (known: {known}, enabled)")
                given[name] = _value(w, pv, key, rule.params[name])
        if enabled:
            values[code] = {n: given.get(n, p.default) for n, p in rule.params.items()}
    return RulePack(
        name=_scalar(w, top["pack"], "pack", "text"),
        region=_scalar(w, top["region"], "region", "text"),
        title=_scalar(w, top["title"], "title", "text"),
        source=_scalar(w, top["source"], "source", "text"),
        values=values,
    )


def load_pack(path: Path, rules: Mapping[str, Rule]) -> RulePack:
    return parse_pack(read_text(path), str(path), rules)


def demo_pack(rules: Mapping[str, Rule]) -> RulePack:
    """The shipped demo pack (``packs/demo.yaml``)."""
    ref = resources.files("yibao.supervision.packs").joinpath("demo.yaml")
    return parse_pack(ref.read_text(encoding="utf-8"), "supervision/packs/demo.yaml", rules)
