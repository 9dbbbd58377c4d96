"""Claim lines (费用明细): which catalogue items a claim bills, how many, at what price.

Each claim follows a template of slots ``(role, quantity, probability)``: a role is a group of
demo-catalogue items (``data/item_usage.csv``), drawn by weight. Fixed slots (bed days,
nursing, exams, surgery, implants) come first; ``fill`` slots (drugs) then share what is left
of the claim's target cost. A last pass scales the drug quantities so that the mean cost per
claim of each visit type and scheme matches :mod:`calibration` (e.g. inpatient 12,175 /
7,674 yuan, PF 2023). Low-rate defects are kept on purpose: prices above the payment standard
(``OVER_CAP_RATE``; legitimate: the patient pays the excess), class C items (their own roles and
weights) and drugs outside their restricted indication (``MISUSE_RATE``). Lines that break an
item's sex, age or visit restriction are replaced (``RESTRICTION_BREAK_RATE`` is 0), and an item
drawn twice for one claim is one line with the summed quantity: clean data is clean (issue 15).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from yibao.synth import calibration as cal
from yibao.synth.claims import CHRONIC, INPATIENT, OUTPATIENT, PHARMACY, Claims
from yibao.synth.providers import CATEGORIES
from yibao.synth.reference import Conditions, Items

IntArray = npt.NDArray[np.int64]
Slot = tuple[str, str, float]  # role ("{level}" = the provider level), quantity mode, probability

_IP_BASE: list[Slot] = [
    ("bed_{level}", "los", 1.0), ("nursing", "los", 1.0), ("consult_ip", "los", 1.0),
    ("ip_consumable", "los", 1.0), ("ip_consumable", "few", 0.7),
    ("lab", "one", 1.0), ("lab", "one", 1.0), ("lab", "few", 0.9), ("lab", "one", 0.8),
    ("lab", "one", 0.6), ("imaging", "one", 0.9), ("imaging", "one", 0.5),
    ("ip_treat", "los", 0.9), ("ip_treat", "los", 0.6), ("bed_special", "los", 0.01),
    ("drug_ip_base", "fill", 1.0), ("drug_ip", "fill", 1.0), ("drug_ip", "fill", 0.9),
    ("drug_ip", "fill", 0.7), ("drug_op", "fill", 0.4), ("drug_c_ip", "fill", 0.05),
    ("drug_c", "fill", 0.02),
]  # fmt: skip
_NEWBORN_BASE: list[Slot] = [
    ("bed_newborn", "los", 1.0), ("newborn_care", "los", 1.0), ("consult_ip", "los", 1.0),
    ("ip_consumable", "los", 1.0), ("lab", "one", 1.0), ("lab", "one", 0.8),
    ("ip_treat", "los", 0.5), ("drug_ip_base", "fill", 1.0), ("drug_ip", "fill", 0.5),
]  # fmt: skip
_SURGERY: list[Slot] = [
    ("anaesthesia", "one", 0.9), ("anaesthesia_monitor", "few", 0.9),
    ("surgery_room", "few", 0.9), ("surgical_consumable", "one", 1.0),
    ("surgical_consumable", "one", 0.8), ("surgical_consumable", "one", 0.4),
    ("drug_anaesthetic", "few", 0.9), ("surgery_extra", "one", 0.2),
    ("special_exam", "one", 0.4), ("surgery_g2", "one", 0.1),
]  # fmt: skip


def _op(role: str, *extra: Slot) -> list[Slot]:
    return [*_IP_BASE, (role, "one", 1.0), *_SURGERY, *extra]


INPATIENT_TEMPLATES: dict[str, list[Slot]] = {
    "medical_resp": [*_IP_BASE, ("special_exam", "one", 0.5), ("drug_ip", "fill", 0.5)],
    "medical_neuro": [*_IP_BASE, ("special_exam", "one", 0.9), ("special_exam", "one", 0.4),
                      ("rehab", "few", 0.5), ("drug_ip", "fill", 0.6)],
    "medical_cardio": [*_IP_BASE, ("special_exam", "one", 0.4),
                       ("drug_chronic_cv", "fill", 0.6), ("drug_chronic_htn", "fill", 0.5)],
    "medical_endo": [*_IP_BASE, ("drug_chronic_dm", "fill", 1.0),
                     ("drug_chronic_dm", "fill", 0.5), ("lab", "one", 0.8)],
    "medical_gi": [*_IP_BASE, ("special_exam", "one", 0.5), ("imaging", "one", 0.5)],
    "medical_renal": [*_IP_BASE, ("special_exam", "one", 0.3), ("dialysis", "few", 0.3),
                      ("drug_dialysis", "fill", 0.4)],
    "medical_musculo": [*_IP_BASE, ("special_exam", "one", 0.8), ("rehab", "many", 0.8),
                        ("rehab", "many", 0.5), ("drug_tcm", "fill", 0.3)],
    "medical_onco": [*_IP_BASE, ("special_exam", "one", 0.8), ("drug_cancer", "fill", 0.5),
                     ("drug_ip_albumin", "few", 0.3)],
    "medical_obstetric": [*_IP_BASE, ("imaging", "one", 0.8), ("drug_obstetric", "fill", 0.8)],
    "icu_neuro": [*_IP_BASE, ("bed_icu", "los", 0.6), ("nursing_special", "los", 0.6),
                  ("icu_treat", "hours", 0.6), ("special_exam", "one", 1.0),
                  ("special_exam", "one", 1.0), ("drug_ip_albumin", "few", 0.5),
                  ("drug_ip", "fill", 1.0)],
    "icu_medical": [*_IP_BASE, ("bed_icu", "los", 0.8), ("nursing_special", "los", 0.8),
                    ("icu_treat", "hours", 0.8), ("drug_ip_albumin", "few", 0.6),
                    ("drug_ip", "fill", 1.0), ("special_exam", "one", 0.7)],
    "pci": [*_IP_BASE, ("op_pci", "one", 1.0), ("op_pci", "one", 0.3),
            ("implant_stent", "one", 1.0), ("implant_stent", "one", 0.4),
            ("implant_stent_balloon", "one", 0.8), ("drug_chronic_cv", "fill", 1.0),
            ("surgical_consumable", "one", 0.5), ("special_exam", "one", 0.3)],
    "pacemaker": [*_IP_BASE, ("op_pacemaker", "one", 1.0), ("implant_pacemaker", "one", 1.0),
                  ("surgical_consumable", "one", 1.0), ("anaesthesia_local", "one", 1.0)],
    "op_appendix": _op("op_appendix"),
    "op_gallbladder": _op("op_gallbladder"),
    "op_hernia": _op("op_hernia", ("implant_mesh", "one", 0.9)),
    "op_thorax": _op("op_thorax", ("special_exam", "one", 1.0),
                     ("drug_ip_albumin", "few", 0.3), ("bed_icu", "few", 0.3)),
    "op_colorectal": _op("op_colorectal", ("drug_ip_albumin", "few", 0.5),
                         ("special_exam", "one", 1.0)),
    "op_mastectomy": _op("op_mastectomy"),
    "op_prostate": _op("op_prostate", ("drug_prostate", "fill", 0.6)),
    "op_stone": _op("op_stone", ("implant_stone", "one", 0.8)),
    "delivery": [*_IP_BASE, ("op_delivery", "one", 1.0), ("drug_obstetric", "fill", 1.0),
                 ("anaesthesia", "one", 0.3)],
    "caesarean": _op("op_caesarean", ("drug_obstetric", "fill", 1.0)),
    "op_uterus": _op("op_uterus"),
    "op_joint": _op("op_joint", ("implant_joint", "one", 1.0), ("rehab", "few", 0.6),
                    ("special_exam", "one", 0.8)),
    "op_fracture": _op("op_fracture", ("implant_plate", "one", 1.0),
                       ("implant_screw", "many", 1.0), ("special_exam", "one", 0.6)),
    "op_spine": _op("op_spine", ("implant_spine", "one", 0.5), ("special_exam", "one", 1.0)),
    "op_vertebroplasty": _op("op_spine", ("implant_spine_cement", "one", 1.0)),
    "op_cataract": [*_IP_BASE, ("op_cataract", "one", 1.0), ("implant_lens", "one", 1.0),
                    ("anaesthesia_local", "one", 1.0), ("surgical_consumable", "one", 0.5)],
    "op_thyroid": _op("op_thyroid"),
    "op_tonsil": _op("op_tonsil"),
    "chemo": [*_IP_BASE, ("chemo_service", "few", 1.0), ("drug_cancer", "fill", 1.0),
              ("drug_cancer", "fill", 0.4), ("chemo_consumable", "one", 0.2),
              ("radio", "many", 0.1)],
    "newborn": _NEWBORN_BASE,
}  # fmt: skip
_CONSULT: Slot = ("consult_op_{level}", "one", 0.5)
OTHER_TEMPLATES: dict[str, list[Slot]] = {
    "op": [("consult_op_{level}", "one", 1.0), ("drug_op", "fill", 1.0),
           ("drug_op", "fill", 0.6), ("drug_op", "fill", 0.3), ("lab", "one", 0.3),
           ("lab", "one", 0.15), ("imaging", "one", 0.15), ("special_exam", "one", 0.03),
           ("op_treat", "one", 0.15), ("drug_c", "fill", 0.03), ("drug_tcm", "fill", 0.05),
           ("rehab", "few", 0.03)],
    "op_child": [("consult_op_{level}", "one", 1.0), ("drug_child", "fill", 1.0),
                 ("drug_op", "fill", 0.4), ("lab", "one", 0.3), ("imaging", "one", 0.05),
                 ("op_treat", "one", 0.2), ("rehab_child", "few", 0.03),
                 ("drug_c", "fill", 0.02)],
    "chronic_htn": [_CONSULT, ("drug_chronic_htn", "fill", 1.0),
                    ("drug_chronic_htn", "fill", 0.4), ("drug_chronic_lipid", "fill", 0.4),
                    ("drug_chronic_cv", "fill", 0.3), ("lab", "one", 0.2)],
    "chronic_dm": [_CONSULT, ("drug_chronic_dm", "fill", 1.0), ("drug_chronic_dm", "fill", 0.5),
                   ("drug_chronic_lipid", "fill", 0.3), ("op_consumable", "one", 0.3),
                   ("lab", "one", 0.3)],
    "chronic_cv": [_CONSULT, ("drug_chronic_cv", "fill", 1.0),
                   ("drug_chronic_lipid", "fill", 0.7), ("drug_chronic_htn", "fill", 0.4)],
    "chronic_copd": [_CONSULT, ("drug_chronic_copd", "fill", 1.0), ("drug_op", "fill", 0.3)],
    "chronic_neuro": [_CONSULT, ("drug_chronic_neuro", "fill", 1.0)],
    "chronic_hep": [_CONSULT, ("drug_chronic_hep", "fill", 1.0), ("lab", "one", 0.4)],
    "chronic_cancer": [_CONSULT, ("drug_cancer", "fill", 1.0), ("lab", "one", 0.5),
                       ("special_exam", "one", 0.1)],
    "dialysis": [("dialysis", "one", 1.0), ("dialysis_consumable", "one", 1.0),
                 ("dialysis_consumable", "one", 1.0), ("drug_dialysis", "fill", 1.0),
                 ("lab", "one", 0.2)],
    "pharmacy": [("drug_pharmacy", "fill", 1.0), ("drug_pharmacy", "fill", 0.5),
                 ("drug_op", "fill", 0.3), ("drug_chronic_htn", "fill", 0.1),
                 ("drug_chronic_dm", "fill", 0.05), ("op_consumable", "one", 0.05),
                 ("drug_c", "fill", 0.05)],
}  # fmt: skip
TEMPLATES: dict[str, list[Slot]] = {**INPATIENT_TEMPLATES, **OTHER_TEMPLATES}
_TEMPLATE_NAMES = tuple(TEMPLATES)
CHILD_AGE = 12  # general outpatient visits below this age use the children's template [M]


@dataclass(frozen=True)
class Lines:
    """Lines of a chunk's claims as parallel arrays, ordered by claim and line number."""

    claim: IntArray  # index into the chunk's claims
    line_no: IntArray
    item: IntArray  # index into reference.Items
    quantity: IntArray
    unit_price_fen: IntArray

    @property
    def amount_fen(self) -> IntArray:
        return self.unit_price_fen * self.quantity

    def __len__(self) -> int:
        return len(self.claim)


@dataclass
class _Draft:
    claim: list[IntArray]
    item: list[IntArray]
    qty: list[IntArray]
    fill: list[npt.NDArray[np.bool_]]
    order: list[IntArray]
    role: list[IntArray]


def _templates(claims: Claims, cond: Conditions) -> IntArray:
    lookup = {name: i for i, name in enumerate(_TEMPLATE_NAMES)}
    by_condition = np.array([lookup[p] for p in cond.profile], np.int64)
    template = by_condition[claims.condition]
    template[claims.visit == PHARMACY] = lookup["pharmacy"]
    template[(claims.visit == OUTPATIENT) & (claims.age < CHILD_AGE)] = lookup["op_child"]
    return template


def _quantity(mode: str, los: IntArray, rng: np.random.Generator) -> IntArray:
    n = len(los)
    if mode == "los":
        return np.maximum(los, 1)
    if mode == "few":
        return 1 + np.floor(rng.random(n) * 3).astype(np.int64)
    if mode == "many":
        return 3 + np.floor(rng.random(n) * 8).astype(np.int64)
    if mode == "hours":
        return np.maximum(los, 1) * (4 + np.floor(rng.random(n) * 21).astype(np.int64))
    return np.ones(n, np.int64)  # "one", and "fill" before the fill pass


def _level_names(claims: Claims) -> npt.NDArray[np.str_]:
    return np.array([lv for _, lv in CATEGORIES])[claims.category]


def _draft(claims: Claims, cond: Conditions, items: Items, rng: np.random.Generator) -> _Draft:
    template = _templates(claims, cond)
    level = _level_names(claims)
    roles = {r: i for i, r in enumerate(items.roles)}
    d = _Draft([], [], [], [], [], [])
    for t, name in enumerate(_TEMPLATE_NAMES):
        members = np.flatnonzero(template == t)
        if len(members) == 0:
            continue
        for pos, (role, mode, prob) in enumerate(TEMPLATES[name]):
            chosen = members[rng.random(len(members)) < prob]
            groups = [(role, chosen)]
            if "{level}" in role:
                groups = [(role.format(level=lv), chosen[level[chosen] == lv]) for lv in
                          ("L1", "L2", "L3")]  # fmt: skip
            for resolved, sel in groups:
                d.claim.append(sel)
                d.item.append(items.pick(resolved, rng.random(len(sel))))
                d.qty.append(_quantity(mode, claims.los[sel], rng))
                d.fill.append(np.full(len(sel), mode == "fill"))
                d.order.append(np.full(len(sel), pos, np.int64))
                d.role.append(np.full(len(sel), roles[resolved], np.int64))
    return d


def _eligible(claims: Claims, items: Items, claim: IntArray, item: IntArray,
              sex: IntArray) -> npt.NDArray[np.bool_]:  # fmt: skip
    age = claims.age[claim]
    ok_sex = (items.sex[item] == 0) | (items.sex[item] == sex[claim])
    ok_min = (items.min_age[item] < 0) | (age >= items.min_age[item])
    ok_max = (items.max_age[item] < 0) | (age <= items.max_age[item])
    ok_visit = (items.visit_mask[item] >> claims.visit[claim]) & 1 == 1
    ok: npt.NDArray[np.bool_] = ok_sex & ok_min & ok_max & ok_visit
    return ok


def _fix_restrictions(
    claims: Claims, items: Items, claim: IntArray, item: IntArray, role: IntArray,
    sex: IntArray, rng: np.random.Generator,
) -> IntArray:  # fmt: skip
    """Replace most lines that break a restriction by their role's unrestricted item."""
    bad = ~_eligible(claims, items, claim, item, sex)
    replace = bad & (rng.random(len(item)) >= cal.RESTRICTION_BREAK_RATE)
    fallback = np.array([items.fallback(r) for r in items.roles], np.int64)
    return np.where(replace, fallback[role], item)


def _misuse(
    items: Items, item: IntArray, fill: npt.NDArray[np.bool_], rng: np.random.Generator
) -> IntArray:
    """Switch a few drug lines to a restricted drug, as happens in real claims (违规超限)."""
    pool = items.restricted_drugs
    switch = fill & (rng.random(len(item)) < cal.MISUSE_RATE)
    other = pool[np.floor(rng.random(len(item)) * len(pool)).astype(np.int64)]
    return np.where(switch, other, item)


def _prices(items: Items, item: IntArray, rng: np.random.Generator) -> IntArray:
    """Catalogue prices; a few lines of capped items are priced above the payment standard."""
    price = items.price_fen[item].copy()
    cap = items.cap_fen[item]
    over = (cap >= 0) & (rng.random(len(item)) < cal.OVER_CAP_RATE)
    markup = 1.03 + rng.random(len(item)) * 0.27
    price[over] = np.ceil(cap[over] * markup[over]).astype(np.int64)
    return price


def _allocate(
    nclaims: int, claim: IntArray, price: IntArray, qty: IntArray, fill: npt.NDArray[np.bool_],
    target: npt.NDArray[np.float64], rng: np.random.Generator,
) -> IntArray:  # fmt: skip
    """Quantities of the fill lines sharing what the fixed lines leave of each target."""
    fixed = np.bincount(claim[~fill], (price * qty)[~fill], minlength=nclaims)
    left = np.maximum(target - fixed, 0.0)
    g = rng.gamma(1.0, 1.0, len(claim))
    denom = np.bincount(claim[fill], (g * price)[fill], minlength=nclaims)
    share_qty = left[claim] * g / np.maximum(denom[claim], 1.0)
    return np.where(fill, np.maximum(np.round(share_qty), 1).astype(np.int64), qty)


def _calibrate(
    claims: Claims, employee: npt.NDArray[np.bool_], claim: IntArray, price: IntArray,
    qty: IntArray, fill: npt.NDArray[np.bool_],
) -> IntArray:  # fmt: skip
    """Scale fill quantities so each (visit type, scheme) mean cost matches its target."""
    tables = {INPATIENT: cal.INPATIENT_COST_YUAN, OUTPATIENT: cal.OUTPATIENT_COST_YUAN,
              CHRONIC: cal.CHRONIC_COST_YUAN, PHARMACY: cal.PHARMACY_COST_YUAN}  # fmt: skip
    group = claims.visit * 2 + (~employee).astype(np.int64)
    want = np.array([tables[v][s] * 100.0 for v in range(4) for s in ("employee", "resident")])
    n_group = np.bincount(group, minlength=8)
    line_group = group[claim]
    for _ in range(4):
        amount = (price * qty).astype(np.float64)
        total = np.bincount(line_group, amount, minlength=8)
        filled = np.bincount(line_group[fill], amount[fill], minlength=8)
        wanted = want * n_group
        scale = np.where(filled > 0, (filled + wanted - total) / np.maximum(filled, 1.0), 1.0)
        scale = np.clip(scale, 0.02, 50.0)
        new = np.maximum(np.round(qty * scale[line_group]), 1).astype(np.int64)
        qty = np.where(fill, new, qty)
    return qty


def generate_lines(
    claims: Claims, cond: Conditions, items: Items, sex: IntArray,
    employee: npt.NDArray[np.bool_], rng: np.random.Generator,
) -> Lines:  # fmt: skip
    """Lines of a chunk's claims; ``sex`` and ``employee`` are per claim."""
    d = _draft(claims, cond, items, rng)
    claim = np.concatenate(d.claim)
    order = np.concatenate(d.order)
    fill = np.concatenate(d.fill)
    # misuse first, so that a switched-to drug that breaks the claim's sex, age or visit type
    # is replaced too: only the indication misuse (超限定支付范围) stays
    item = _misuse(items, np.concatenate(d.item), fill, rng)
    item = _fix_restrictions(claims, items, claim, item, np.concatenate(d.role), sex, rng)
    price = _prices(items, item, rng)
    qty = _allocate(len(claims), claim, price, np.concatenate(d.qty), fill, claims.target_fen,
                    rng)  # fmt: skip
    qty = _calibrate(claims, employee, claim, price, qty, fill)
    sort = np.lexsort((order, claim))
    claim, item, qty, price = _one_line_per_item(claim[sort], item[sort], qty[sort], price[sort])
    new = np.ones(len(claim), bool)
    new[1:] = claim[1:] != claim[:-1]
    starts = np.flatnonzero(new)
    line_no = np.arange(len(claim)) - np.repeat(starts, np.diff(np.append(starts, len(claim))))
    return Lines(claim, line_no + 1, item, qty, price)


def _one_line_per_item(
    claim: IntArray, item: IntArray, qty: IntArray, price: IntArray
) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """One line per item and claim: a second draw of an item adds to the first line's quantity.

    A hospital information system bills one line per item with its quantity (two tablets, two
    days); two lines of one item on one bill are the duplicate charge (重复收费) that
    《医疗保障基金使用监督管理条例》(2021) art. 15 forbids and DUP_SAME_DAY looks for. The
    templates can draw one item for two slots of a role, so such draws are merged here at the
    first line's price.
    """
    first = np.lexsort((np.arange(len(claim)), item, claim))
    key_new = np.ones(len(first), bool)
    key_new[1:] = (claim[first][1:] != claim[first][:-1]) | (item[first][1:] != item[first][:-1])
    group = np.cumsum(key_new) - 1
    head = first[key_new]  # the first line of each (claim, item)
    total = np.bincount(group, qty[first], minlength=len(head)).astype(np.int64)
    keep = np.sort(head)
    qty_of_head = np.empty(len(claim), np.int64)
    qty_of_head[head] = total
    return claim[keep], item[keep], qty_of_head[keep], price[keep]
