"""Reading a scenario file (see ``README.md`` beside this module for the format).

The policy overrides are written exactly like a pack's ``parameters:`` tree. They become a
synthetic prefecture pack ``scenario`` (``_from: 1900-01-01``, reference
``{title: "scenario <name>", synthetic: true}``) layered over the base pack, parsed by the
strict pack loader, so an unknown key or a bad value is refused with the line in the
scenario file and the trace cites the overrides.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from pathlib import Path
from types import MappingProxyType

import yaml

from yibao.errors import InputError
from yibao.io.records import (
    CLAIM_KEYS,
    PART_NAMES,
    Obj,
    money,
    read_accumulators,
    read_claim,
    read_person,
)
from yibao.io.yamlio import DecimalLoader, parse_yaml, read_text
from yibao.money import Fen
from yibao.policy.errors import PolicyError
from yibao.policy.loader import parse_pack
from yibao.policy.pack import PolicyChain
from yibao.policy.registry import PackRegistry, shipped_packs
from yibao.purchasing.agreements import COLUMNS as AGREEMENT_COLUMNS
from yibao.purchasing.agreements import AgreementBook, read_event
from yibao.purchasing.catalogue_changes import CatalogueChange, read_change
from yibao.purchasing.vbp import read_round, standard_changes
from yibao.scenario.model import Scenario, ScenarioClaim
from yibao.settle.model import Accumulators

TOP_KEYS = frozenset(
    {
        "name",
        "source",
        "policy",
        "on",
        "overrides",
        "person",
        "accumulators",
        "claims",
        "agreements",
        "catalogue_changes",
        "vbp_rounds",
    }
)
SOURCE_KEYS = frozenset({"url", "note"})
SCENARIO_CLAIM_KEYS = CLAIM_KEYS | {"expect", "reset", "note", "refused"}
SCENARIO_PACK_ID = "scenario"


def _overrides_block(text: str, source: str) -> tuple[str, int, str] | None:
    """The ``overrides`` mapping as block text, the scenario line (0-based) where it starts,
    and its indentation; None when there are no overrides."""
    try:
        root = yaml.compose(text, Loader=DecimalLoader)
    except yaml.YAMLError:
        return None  # parse_yaml has reported (or will report) the malformed file
    if not isinstance(root, yaml.MappingNode):
        return None
    for key, node in root.value:
        if not (isinstance(key, yaml.ScalarNode) and key.value == "overrides"):
            continue
        if isinstance(node, yaml.ScalarNode) and node.value in ("", "~", "null"):
            return None
        if not isinstance(node, yaml.MappingNode):
            raise InputError(f"{source}:{key.start_mark.line + 1}: overrides must be a mapping")
        if not node.value:
            return None
        if node.flow_style:
            # one-line {…} form: re-emit as block text (errors then name the key, not the line)
            node.flow_style = False
            emitted = yaml.serialize(node, Dumper=yaml.SafeDumper)
            block = "".join("  " + ln + "\n" for ln in emitted.splitlines())
            return block, -1, "  "
        start, end = node.start_mark, node.end_mark
        pad = " " * start.column
        return pad + text[start.index : end.index], start.line, pad
    return None


def overrides_pack_text(name: str, base: str, block: str | None, pad: str) -> tuple[str, int]:
    """The synthetic pack's YAML text and the number of lines before the overrides."""
    head = [
        f"pack: {SCENARIO_PACK_ID}",
        f"name: {json.dumps('scenario ' + name, ensure_ascii=False)}",
        "level: prefecture",
        f"parent: {json.dumps(base)}",
        'region: "scenario"',
        "references:",
        f"  {SCENARIO_PACK_ID}:",
        f"    title: {json.dumps('scenario ' + name, ensure_ascii=False)}",
        "    synthetic: true",
    ]
    if block is None:
        return "\n".join([*head, "parameters: {}", ""]), len(head) + 1
    head += ["parameters:", f"{pad}_from: 1900-01-01", f"{pad}_ref: {SCENARIO_PACK_ID}"]
    return "\n".join(head) + "\n" + block, len(head)


def _strip_where(e: PolicyError) -> str:
    text = str(e)
    where = e.source or ""
    if e.line is not None:
        where = f"{where}:{e.line}" if where else f"line {e.line}"
    return text[len(where) + 2 :] if where and text.startswith(where + ": ") else text


def build_chain(
    text: str, source: str, name: str, base: str, registry: PackRegistry
) -> PolicyChain:
    """The base pack's chain with the scenario's overrides on top."""
    base_chain = registry.chain(base)
    found = _overrides_block(text, source)
    block, first, pad = found if found is not None else (None, -1, "  ")
    pack_text, head_lines = overrides_pack_text(name, base, block, pad)
    try:
        pack = parse_pack(pack_text, source="<overrides>")
    except PolicyError as e:
        line = None
        if e.line is not None and e.line > head_lines and first >= 0:
            line = e.line - head_lines + first
        raise PolicyError(f"overrides: {_strip_where(e)}", source=source, line=line) from None
    return PolicyChain((pack, *base_chain.packs))


def _expect(data: object, where: str) -> MappingProxyType[str, Fen]:
    o = Obj(data, where, frozenset(PART_NAMES))
    return MappingProxyType({k: money(o.data[k], o.at(k)) for k in o.data})


def _claim(data: object, where: str, index: int, on: date, region: str) -> ScenarioClaim:
    o = Obj(data, where, SCENARIO_CLAIM_KEYS)
    fields = {k: v for k, v in o.data.items() if k not in ("expect", "reset", "note", "refused")}
    if not any(k in fields for k in ("date", "admit_date", "discharge_date")):
        fields["date"] = on
    claim = read_claim(fields, where, default_id=f"c{index}", default_region=region)
    if o.has("refused"):
        if o.has("expect"):
            raise InputError(f"{o.at('refused')}: a refused claim has no 'expect'; give one")
        refused = o.text("refused")
        return ScenarioClaim(claim, MappingProxyType({}), False, "", refused)
    if not o.has("expect"):
        raise InputError(f"{o.at('expect')}: missing (required): the parts expected, in yuan")
    reset = o.data.get("reset", False)
    if not isinstance(reset, bool):
        raise InputError(f"{o.at('reset')}: expected true or false, got {reset!r}")
    note = o.text("note", "") if o.has("note") else ""
    return ScenarioClaim(claim, _expect(o.raw("expect"), o.at("expect")), reset, note)


def parse_scenario(text: str, source: str, registry: PackRegistry | None = None) -> Scenario:
    """A scenario from YAML text; every error names ``source`` and the key."""
    data = parse_yaml(text, source)
    o = Obj(data, source, TOP_KEYS)
    name = o.text("name")
    url, note = None, ""
    if o.has("source"):
        s = Obj(o.raw("source"), o.at("source"), SOURCE_KEYS)
        url = s.text("url") if s.has("url") else None
        note = s.text("note") if s.has("note") else ""
    base = o.text("policy", "national")
    on = o.day("on")
    chain = build_chain(text, source, name, base, registry or shipped_packs())
    given = read_person(o.raw("person"), o.at("person"), on)
    person = given.person
    if not person.insured_region:
        person = replace(person, insured_region=chain.packs[1].region)
    start = (
        read_accumulators(o.raw("accumulators"), o.at("accumulators"), on.year)
        if o.has("accumulators")
        else Accumulators(year=on.year)
    )
    if given.account_balance is not None:
        acc_data = o.data.get("accumulators")
        if isinstance(acc_data, Mapping) and "account_balance" in acc_data:
            raise InputError(
                f"{o.at('person')}.account_balance: also given in accumulators; give it once"
            )
        start = replace(start, account_balance=given.account_balance)
    claims = tuple(
        _claim(c, f"{o.at('claims')}[{i}]", i, on, person.insured_region)
        for i, c in enumerate(o.items("claims"), 1)
    )
    ids = [c.claim.claim_id for c in claims]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise InputError(f"{o.at('claims')}: claim id {dup[0]!r} is used twice")
    agreements = (
        _agreements(o.raw("agreements"), o.at("agreements")) if o.has("agreements") else None
    )
    changes = _changes(o)
    return Scenario(
        name, source, url, note, base, on, chain, person, start, claims, agreements, changes
    )


def _changes(o: Obj) -> tuple[CatalogueChange, ...]:
    """Catalogue changes given as such, then those of the procurement rounds (集采)."""
    out: list[CatalogueChange] = []
    if o.has("catalogue_changes"):
        for i, c in enumerate(o.items("catalogue_changes"), 1):
            where = f"{o.at('catalogue_changes')}[{i}]"
            if not isinstance(c, Mapping):
                raise InputError(f"{where}: expected a mapping")
            out.append(read_change(c, where))
    if o.has("vbp_rounds"):
        for i, r in enumerate(o.items("vbp_rounds"), 1):
            out.extend(standard_changes(read_round(r, f"{o.at('vbp_rounds')}[{i}]")))
    return tuple(out)


def _agreements(data: object, where: str) -> AgreementBook:
    """Agreement rows as in the agreements CSV (:data:`yibao.purchasing.agreements.COLUMNS`)."""
    if not isinstance(data, list):
        raise InputError(f"{where}: expected a list of agreement rows")
    book = AgreementBook()
    for i, row in enumerate(data, 1):
        o = Obj(row, f"{where}[{i}]", frozenset(AGREEMENT_COLUMNS))
        cells = {k: "" if v is None else str(v) for k, v in o.data.items()}
        book = book.with_event(read_event(cells, f"{where}[{i}]"))
    return book


def load_scenario(path: Path, registry: PackRegistry | None = None) -> Scenario:
    """Read a scenario file."""
    return parse_scenario(read_text(path), str(path), registry)
