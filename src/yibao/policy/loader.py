"""The strict policy-pack loader.

It reads YAML as a node tree so that every error can name file, line and key: unknown or
duplicate keys, wrong types, ratios outside [0, 1], overlapping or gapped periods. A leaf is
written either as a bare value, which takes its period and reference from the nearest
``_from`` / ``_to`` / ``_ref`` above it, or as one or more versions
``{value, from, to, ref}``.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from yibao.money import MoneyError, ratio, yuan_to_fen
from yibao.policy.errors import PolicyError
from yibao.policy.nodes import NodeReader
from yibao.policy.pack import Pack, PackLevel, Reference, Version
from yibao.policy.schema import AgeBand, Band, Kind, LeafSpec, children_hint, is_branch, leaf_spec

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TOP_KEYS = {"pack", "name", "level", "parent", "region", "references", "parameters"}
_DEFAULT_KEYS = {"_from", "_to", "_ref"}
_VERSION_KEYS = {"value", "from", "to", "ref"}


def _policy_error(message: str, source: str, line: int | None) -> PolicyError:
    return PolicyError(message, source=source, line=line)


class _Ctx(NodeReader):
    def __init__(self, source: str) -> None:
        super().__init__(source, _policy_error)


def _mapping(ctx: _Ctx, node: yaml.Node, what: str) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    return ctx.mapping(node, what)


def _scalar(ctx: _Ctx, node: yaml.Node, what: str) -> str | None:
    if not isinstance(node, yaml.ScalarNode):
        raise ctx.fail(node, f"{what} must be a single value")
    if node.tag == "tag:yaml.org,2002:null" or (
        node.value in ("", "~", "null") and node.style is None
    ):
        return None
    return str(node.value)


def _date(ctx: _Ctx, node: yaml.Node, what: str) -> date:
    text = _scalar(ctx, node, what)
    if text is None or not _DATE.match(text):
        raise ctx.fail(node, f"{what} must be a date YYYY-MM-DD, got {text!r}")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ctx.fail(node, f"{what} is not a valid date: {text!r}") from None


def _money(ctx: _Ctx, node: yaml.Node, what: str) -> int:
    text = _scalar(ctx, node, what)
    try:
        fen = yuan_to_fen(text)
    except MoneyError as e:
        raise ctx.fail(node, f"{what}: {e}") from None
    if fen < 0:
        raise ctx.fail(node, f"{what} must not be negative, got {text}")
    return fen


def _decimal(
    ctx: _Ctx, node: yaml.Node, what: str, lo: Decimal, hi: Decimal, label: str
) -> Decimal:
    text = _scalar(ctx, node, what)
    try:
        r = ratio(text)
    except MoneyError as e:
        raise ctx.fail(node, f"{what}: {e}") from None
    if not lo <= r <= hi:
        raise ctx.fail(node, f"{what} is a {label} and must lie in [{lo}, {hi}], got {text}")
    return r


def _bool(ctx: _Ctx, node: yaml.Node, what: str) -> bool:
    text = _scalar(ctx, node, what)
    if text in ("true", "false"):
        return text == "true"
    raise ctx.fail(node, f"{what} must be true or false, got {text!r}")


def _int(ctx: _Ctx, node: yaml.Node, what: str) -> int:
    text = _scalar(ctx, node, what)
    if text is None or not re.fullmatch(r"\d+", text):
        raise ctx.fail(node, f"{what} must be a whole number, got {text!r}")
    return int(text)


def _bands(ctx: _Ctx, node: yaml.Node, what: str) -> tuple[Band, ...]:
    if not isinstance(node, yaml.SequenceNode) or not node.value:
        raise ctx.fail(node, f"{what} must be a non-empty list of {{upto, ratio}}")
    bands: list[Band] = []
    for item in node.value:
        m = _mapping(ctx, item, what)
        _no_unknown(ctx, m, {"upto", "ratio"}, what)
        if "ratio" not in m or "upto" not in m:
            raise ctx.fail(item, f"{what}: each band needs 'upto' (null for the last) and 'ratio'")
        upto_node = m["upto"][1]
        upto = (
            None
            if _scalar(ctx, upto_node, what) is None
            else _money(ctx, upto_node, what + ".upto")
        )
        r = _decimal(ctx, m["ratio"][1], what + ".ratio", Decimal(0), Decimal(1), "ratio")
        bands.append(Band(upto, r))
    for prev, band in itertools.pairwise(bands):
        if prev.upto is None:
            raise ctx.fail(node, f"{what}: only the last band may be open (upto: null)")
        if band.upto is not None and band.upto <= prev.upto:
            raise ctx.fail(node, f"{what}: band bounds must increase")
    if bands[-1].upto is not None:
        raise ctx.fail(node, f"{what}: the last band must be open (upto: null)")
    return tuple(bands)


def _age_bands(ctx: _Ctx, node: yaml.Node, what: str) -> tuple[AgeBand, ...]:
    if not isinstance(node, yaml.SequenceNode):
        raise ctx.fail(node, f"{what} must be a list of {{min_age, add}}")
    out: list[AgeBand] = []
    for item in node.value:
        m = _mapping(ctx, item, what)
        _no_unknown(ctx, m, {"min_age", "add"}, what)
        if set(m) != {"min_age", "add"}:
            raise ctx.fail(item, f"{what}: each age band needs 'min_age' and 'add'")
        out.append(
            AgeBand(
                _int(ctx, m["min_age"][1], what + ".min_age"),
                _decimal(ctx, m["add"][1], what + ".add", Decimal(-1), Decimal(1), "delta"),
            )
        )
    if [a.min_age for a in out] != sorted({a.min_age for a in out}):
        raise ctx.fail(node, f"{what}: ages must increase")
    return tuple(out)


def _enum_list(ctx: _Ctx, node: yaml.Node, what: str, choices: tuple[str, ...]) -> tuple[str, ...]:
    if not isinstance(node, yaml.SequenceNode):
        raise ctx.fail(node, f"{what} must be a list")
    out: list[str] = []
    for item in node.value:
        text = _scalar(ctx, item, what)
        if text not in choices:
            raise ctx.fail(
                item, f"{what}: unknown value {text!r}; expected one of {', '.join(choices)}"
            )
        if text in out:
            raise ctx.fail(item, f"{what}: {text!r} listed twice")
        out.append(text)
    return tuple(out)


def _value(ctx: _Ctx, node: yaml.Node, spec: LeafSpec, what: str) -> object:
    if spec.optional and isinstance(node, yaml.ScalarNode) and _scalar(ctx, node, what) is None:
        return None
    parsers: dict[Kind, Callable[[], object]] = {
        Kind.MONEY: lambda: _money(ctx, node, what),
        Kind.RATIO: lambda: _decimal(ctx, node, what, Decimal(0), Decimal(1), "ratio"),
        Kind.DELTA: lambda: _decimal(ctx, node, what, Decimal(-1), Decimal(1), "delta"),
        Kind.FACTOR: lambda: _decimal(ctx, node, what, Decimal(0), Decimal(10), "factor"),
        Kind.BOOL: lambda: _bool(ctx, node, what),
        Kind.INT: lambda: _int(ctx, node, what),
        Kind.BANDS: lambda: _bands(ctx, node, what),
        Kind.AGE_BANDS: lambda: _age_bands(ctx, node, what),
        Kind.ENUM_LIST: lambda: _enum_list(ctx, node, what, spec.choices),
    }
    if spec.kind in parsers:
        return parsers[spec.kind]()
    text = _scalar(ctx, node, what)
    if spec.kind is Kind.ENUM and text not in spec.choices:
        raise ctx.fail(
            node, f"{what}: unknown value {text!r}; expected one of {', '.join(spec.choices)}"
        )
    if spec.kind is Kind.IDENT and (text is None or not re.fullmatch(r"[a-z][a-z0-9_]*", text)):
        raise ctx.fail(node, f"{what} must be a lower-case name, got {text!r}")
    return text


def _no_unknown(
    ctx: _Ctx, m: dict[str, tuple[yaml.Node, yaml.Node]], allowed: set[str], what: str
) -> None:
    for key, (knode, _) in m.items():
        if key not in allowed:
            raise ctx.fail(
                knode, f"unknown key '{key}' in {what}; allowed: {', '.join(sorted(allowed))}"
            )


class _Defaults:
    def __init__(self, start: date | None = None, end: date | None = None, ref: str | None = None):
        self.start, self.end, self.ref = start, end, ref

    def child(
        self, ctx: _Ctx, m: dict[str, tuple[yaml.Node, yaml.Node]], refs: set[str]
    ) -> _Defaults:
        d = _Defaults(self.start, self.end, self.ref)
        if "_from" in m:
            d.start = _date(ctx, m["_from"][1], "_from")
            d.end = None
        if "_to" in m:
            d.end = (
                None if _scalar(ctx, m["_to"][1], "_to") is None else _date(ctx, m["_to"][1], "_to")
            )
        if "_ref" in m:
            d.ref = _ref(ctx, m["_ref"][1], refs)
        return d


def _ref(ctx: _Ctx, node: yaml.Node, refs: set[str]) -> str:
    key = _scalar(ctx, node, "ref")
    if key not in refs:
        raise ctx.fail(node, f"reference {key!r} is not declared under 'references'")
    return key


def _is_version_list(node: yaml.Node) -> bool:
    def is_version(n: yaml.Node) -> bool:
        return isinstance(n, yaml.MappingNode) and any(
            isinstance(k, yaml.ScalarNode) and k.value == "value" for k, _ in n.value
        )

    if isinstance(node, yaml.SequenceNode):
        return bool(node.value) and all(is_version(n) for n in node.value)
    return is_version(node)


def _versions(
    ctx: _Ctx, node: yaml.Node, path: str, spec: LeafSpec, defaults: _Defaults, refs: set[str]
) -> tuple[Version, ...]:
    if not _is_version_list(node):
        if defaults.start is None or defaults.ref is None:
            raise ctx.fail(
                node, f"'{path}' has a bare value but no _from/_ref above it to date and cite it"
            )
        value = _value(ctx, node, spec, path)
        return (
            Version(value, defaults.start, defaults.end, defaults.ref, node.start_mark.line + 1),
        )
    items = node.value if isinstance(node, yaml.SequenceNode) else [node]
    out: list[Version] = []
    for item in items:
        m = _mapping(ctx, item, path)
        _no_unknown(ctx, m, _VERSION_KEYS, path)
        start = _date(ctx, m["from"][1], f"{path}.from") if "from" in m else defaults.start
        end = defaults.end if "from" not in m else None
        if "to" in m:
            end = (
                None
                if _scalar(ctx, m["to"][1], "to") is None
                else _date(ctx, m["to"][1], f"{path}.to")
            )
        ref = _ref(ctx, m["ref"][1], refs) if "ref" in m else defaults.ref
        if start is None or ref is None:
            raise ctx.fail(
                item, f"'{path}' version needs 'from' and 'ref' (or _from/_ref above it)"
            )
        if end is not None and end < start:
            raise ctx.fail(item, f"'{path}' ends ({end}) before it starts ({start})")
        out.append(
            Version(
                _value(ctx, m["value"][1], spec, path), start, end, ref, item.start_mark.line + 1
            )
        )
    _check_periods(ctx, node, path, out)
    return tuple(out)


def _check_periods(ctx: _Ctx, node: yaml.Node, path: str, versions: list[Version]) -> None:
    ordered = sorted(versions, key=lambda v: v.start)
    for prev, nxt in itertools.pairwise(ordered):
        where = PolicyError
        if prev.end is None or nxt.start <= prev.end:
            raise where(
                f"'{path}': periods overlap ({prev.start}..{prev.end or ''} and {nxt.start}..)",
                source=ctx.source,
                line=nxt.line,
            )
        if nxt.start != prev.end + timedelta(days=1):
            raise where(
                f"'{path}': gap between {prev.end} and {nxt.start}",
                source=ctx.source,
                line=nxt.line,
            )


def _walk(
    ctx: _Ctx,
    node: yaml.Node,
    path: str,
    defaults: _Defaults,
    refs: set[str],
    leaves: dict[str, tuple[Version, ...]],
) -> None:
    m = _mapping(ctx, node, f"'{path}'" if path else "parameters")
    here = defaults.child(ctx, m, refs)
    for key, (knode, vnode) in m.items():
        if key in _DEFAULT_KEYS:
            continue
        child = f"{path}.{key}" if path else key
        spec = leaf_spec(child)
        if spec is not None:
            leaves[child] = _versions(ctx, vnode, child, spec, here, refs)
        elif is_branch(child):
            _walk(ctx, vnode, child, here, refs, leaves)
        else:
            allowed = ", ".join(children_hint(path)) or "nothing"
            raise ctx.fail(
                knode, f"unknown key '{key}' under '{path or 'parameters'}'; allowed: {allowed}"
            )


def _references(ctx: _Ctx, node: yaml.Node, marker: str) -> dict[str, Reference]:
    """The declared references; each has a url or sets ``marker`` (synthetic / hypothetical)."""
    out: dict[str, Reference] = {}
    for key, (_, vnode) in _mapping(ctx, node, "references").items():
        m = _mapping(ctx, vnode, f"reference '{key}'")
        _no_unknown(ctx, m, {"title", "url", marker}, f"reference '{key}'")
        if "title" not in m:
            raise ctx.fail(vnode, f"reference '{key}' needs a title")
        title = _scalar(ctx, m["title"][1], "title") or ""
        url = _scalar(ctx, m["url"][1], "url") if "url" in m else None
        marked = _bool(ctx, m[marker][1], marker) if marker in m else False
        if not url and not marked:
            raise ctx.fail(vnode, f"reference '{key}' needs a url or '{marker}: true'")
        out[key] = Reference(
            key,
            title,
            url,
            synthetic=marked and marker == "synthetic",
            hypothetical=marked and marker == "hypothetical",
        )
    return out


class PackReader(_Ctx):
    """The strict reader of one file in the pack format, shared by policy packs and by the
    reform overlays of :mod:`yibao.reform` (same leaves, types, references and errors)."""

    def __init__(self, text: str, source: str) -> None:
        super().__init__(source)
        try:
            root = yaml.compose(text, Loader=_Loader)
        except yaml.YAMLError as e:
            mark = getattr(e, "problem_mark", None)
            line = mark.line + 1 if mark is not None else None
            raise PolicyError(
                f"malformed YAML: {getattr(e, 'problem', e)}", source=source, line=line
            ) from None
        if root is None:
            raise PolicyError("empty file", source=source)
        self.root: yaml.Node = root

    def top(
        self, what: str, allowed: set[str], required: tuple[str, ...]
    ) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        """The top-level mapping, refusing unknown keys and naming a missing one."""
        top = _mapping(self, self.root, what)
        _no_unknown(self, top, allowed, what)
        for key in required:
            if key not in top:
                raise self.fail(self.root, f"missing top-level key '{key}'")
        return top

    def text(self, node: yaml.Node, what: str) -> str | None:
        return _scalar(self, node, what)

    def day(self, node: yaml.Node, what: str) -> date:
        return _date(self, node, what)

    def decimal(self, node: yaml.Node, what: str, lo: Decimal, hi: Decimal, label: str) -> Decimal:
        return _decimal(self, node, what, lo, hi, label)

    def ref(self, node: yaml.Node, refs: set[str]) -> str:
        return _ref(self, node, refs)

    def references(self, node: yaml.Node, marker: str = "synthetic") -> dict[str, Reference]:
        return _references(self, node, marker)

    def parameters(
        self, node: yaml.Node, refs: set[str], start: date | None = None
    ) -> dict[str, tuple[Version, ...]]:
        """Every leaf under ``parameters``; ``start`` dates the bare values when given."""
        leaves: dict[str, tuple[Version, ...]] = {}
        _walk(self, node, "", _Defaults(start), refs, leaves)
        return leaves


_PACK_LEVELS = (PackLevel.NATIONAL, PackLevel.PROVINCE, PackLevel.PREFECTURE)


def parse_pack(text: str, source: str = "<string>") -> Pack:
    """Parse one pack from YAML text; every error names ``source``, line and key."""
    ctx = PackReader(text, source)
    top = ctx.top(
        "the pack", _TOP_KEYS, ("pack", "name", "level", "region", "references", "parameters")
    )
    level_text = _scalar(ctx, top["level"][1], "level")
    if level_text not in _PACK_LEVELS:
        raise ctx.fail(
            top["level"][1], f"level must be national, province or prefecture, got {level_text!r}"
        )
    level = PackLevel(level_text)
    parent = _scalar(ctx, top["parent"][1], "parent") if "parent" in top else None
    if (parent is None) != (level is PackLevel.NATIONAL):
        raise ctx.fail(ctx.root, "every pack but the national one names its parent")
    refs = ctx.references(top["references"][1])
    return Pack(
        id=_scalar(ctx, top["pack"][1], "pack") or "",
        name=_scalar(ctx, top["name"][1], "name") or "",
        level=level,
        parent=parent,
        region=_scalar(ctx, top["region"][1], "region") or "",
        references=refs,
        leaves=ctx.parameters(top["parameters"][1], set(refs)),
        source=source,
    )


def read_source(path: Path) -> str:
    """The text of a pack-format file; an unreadable file is a :class:`PolicyError`."""
    try:
        return path.read_text(encoding="utf-8")
    except OSError as e:
        raise PolicyError(f"cannot read: {e.strerror}", source=str(path)) from None


def load_pack(path: Path) -> Pack:
    """Load one pack file."""
    return parse_pack(read_source(path), source=str(path))
