"""Fraud written from the typologies (欺诈骗保类型), not from the supervision rules.

``inject_typology(tables, rate, seed)`` alters a clean synthetic province the way the
published cases describe fraud, and labels what it altered. It knows nothing of the rule
library: no threshold of a rule pack is read, and each pattern is written from its source
(:data:`SOURCES`), in a textbook variant (what the case describes at full strength) and a
subtle one (the same act, done carefully). Labels name the claim, the pattern family, the
variant, the provider and the person.

Who commits it: a share of hospitals and pharmacies is fraudulent (``provider_share``); each
fraudulent hospital has one or two habits (patterns) and applies them to ``rate`` of its
eligible claims, or fabricates that many claims. Drug resale is a person's fraud (the
prescribing hospitals are honest); a pharmacy swap involves the pharmacy and the card holder.

Sources (citations; texts paraphrased):

* 《医疗保障基金使用监督管理条例》(国务院令第735号, 2021) art. 38: 分解住院、挂床住院;
  过度诊疗、过度检查、分解处方、超量开药、重复开药; 重复收费、超标准收费、分解项目收费;
  串换药品、医用耗材、诊疗项目和服务设施; art. 40: 诱导、协助他人冒名或者虚假就医、购药;
  虚构医药服务项目; 伪造医学文书. Article summary: handmsg.com/page/2021/0415/21464868.shtml
  [T]; list as restated by meizhou.gov.cn/hdjl/zsk/ylfw/content/post_2774728.html [G].
* NHSA typical cases of 2025-12-20 (reported at app.myzaker.com, article 69468d3a… [N]):
  抚顺博爱医院 串换诊疗服务项目; 六盘水水矿医院 虚构诊疗项目 and 虚记"磁热疗法"穴位数量;
  平湖聚隆大药房: a pharmacist kept a card and swapped self-pay goods (tonics) for common
  insured drugs (amoxicillin, saxagliptin, acarbose), five settlements in one month.
* NHSA second batch of individual fraud cases (reported at 61.152.230.22/news,cjpl,56413503
  [N]): 泰州 景某 bought tacrolimus at hospitals in several cities by invented need and
  over-prescription and resold it; 雅安 钱某某 used dead patients' identities.
* 医保发 flight-inspection style case reports of fabricated stays: 齐齐哈尔康吉医院, 80 beds but
  218 registered inpatients a day (fx361.com/news/2021/0127/15941489.html [A]).
* NHSA drug traceability-code cases (blog.lgjyuntun.com/p?id=9574400 repost [T]): drugs bought
  cheaply from insured persons and re-sold through a clinic, the same code settled again.

Everything here is SYNTHETIC: rates, sizes and markups are chosen to be plausible, not
measured; the sources fix the acts, not the numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from yibao.synth.schema import CLAIM_LINES, CLAIMS

REG_735 = "《医疗保障基金使用监督管理条例》(国务院令第735号)"
CASES_2025_12 = "NHSA typical cases 2025-12-20 [N]"
PERSON_CASES = "NHSA individual fraud cases, 2nd batch [N]"

# family -> (Chinese term, source)
SOURCES: dict[str, tuple[str, str]] = {
    "INFLATION": ("虚记多记", f"{REG_735} art. 40 (虚构医药服务项目); {CASES_2025_12} 六盘水"),
    "EXCESS_TESTING": ("过度检查", f"{REG_735} art. 38 (过度诊疗、过度检查)"),
    "UPCODING": ("高套病组", f"{REG_735} art. 38 (将不属于基金支付范围的费用纳入结算) [M]"),
    "SUBSTITUTION": ("串换项目", f"{REG_735} art. 38 (串换诊疗项目); {CASES_2025_12} 抚顺"),
    "PHARMACY_SWAP": ("药店串换日用品", f"{REG_735} art. 38/40; {CASES_2025_12} 平湖"),
    "IDENTITY_HARVEST": ("冒名虚假住院", f"{REG_735} art. 40 (协助他人冒名就医); {PERSON_CASES}"),
    "DRUG_RESALE": ("倒卖药品", f"{REG_735} art. 38 (超量开药、重复开药); {PERSON_CASES} 泰州"),
    "FABRICATED_ADMISSION": ("虚假住院/挂床", f"{REG_735} art. 38 (挂床住院), art. 40"),
    "OVER_STANDARD": ("超标准收费", f"{REG_735} art. 38 (超标准收费)"),
    "UNBUNDLING": ("分解收费", f"{REG_735} art. 38 (分解项目收费)"),
    "INDUCED_ADMISSION": ("诱导住院", f"{REG_735} art. 40 (诱导他人虚假就医)"),
}
FAMILIES = tuple(SOURCES)
HOSPITAL_FAMILIES = tuple(f for f in FAMILIES if f not in ("PHARMACY_SWAP", "DRUG_RESALE"))
# families where the person, not (only) the provider, is the fraudster
PERSON_FAMILIES = ("PHARMACY_SWAP", "DRUG_RESALE")

TYPOLOGY_LABELS = pa.schema(
    [
        ("claim_id", pa.string()),
        ("pattern", pa.string()),
        ("variant", pa.string()),  # textbook | subtle
        ("provider_id", pa.string()),
        ("person_id", pa.string()),
    ]
)
TEXTBOOK_SHARE = 0.4  # SYNTHETIC: share of altered claims in the textbook variant
# comorbidity codes coded as complications (CC/MCC) without anything in the bill to show them
_SEVERE_DX = ("J96.000", "N17.900", "R57.000", "E87.100", "D65.x00", "I50.900", "R65.200")


@dataclass(frozen=True)
class Injected:
    """The altered tables, the labels, and the fraudulent providers and persons."""

    tables: dict[str, pa.Table]
    labels: pa.Table
    fraud_providers: frozenset[str]
    fraud_persons: frozenset[str]


def _roles() -> dict[str, list[tuple[str, int]]]:
    text = resources.files("yibao.synth.data").joinpath("item_usage.csv").read_text("utf-8")
    out: dict[str, list[tuple[str, int]]] = {}
    for r in csv.DictReader(io.StringIO(text)):
        fen = round(float(r["price"]) * 100)
        out.setdefault(r["role"], []).append((r["item_code"], fen))
    return out


class _World:
    """Working copies of the tables plus what has been injected (the function is pure)."""

    def __init__(self, t: Mapping[str, pa.Table], rng: np.random.Generator) -> None:
        self.rng = rng
        self.tables = dict(t)
        self.claims = t["claims"].to_pandas()
        self.lines = t["claim_lines"].to_pandas()
        self.persons = t["persons"].to_pandas()
        self.providers = t["providers"].to_pandas()
        self.roles = _roles()
        self.role_of = {code: role for role, items in self.roles.items() for code, _ in items}
        self.price = {code: fen for items in self.roles.values() for code, fen in items}
        self.labels: list[tuple[str, str, str, str, str]] = []
        self.used: set[str] = set()
        self.new_claims: list[dict[str, Any]] = []
        self.new_lines: list[dict[str, Any]] = []
        self.counter = 0
        self.by_claim = {k: g for k, g in self.lines.groupby("claim_id")}
        self.changed: dict[str, pd.DataFrame] = {}

    def variant(self) -> str:
        return "textbook" if self.rng.random() < TEXTBOOK_SHARE else "subtle"

    def new_id(self) -> str:
        self.counter += 1
        return f"CT{self.counter:09d}"

    def bill(self, claim_id: str) -> pd.DataFrame:
        if claim_id in self.changed:
            return self.changed[claim_id]
        return self.by_claim[claim_id].copy()

    def label(self, claim: Any, family: str, variant: str) -> None:
        self.labels.append(
            (claim["claim_id"], family, variant, claim["provider_id"], claim["person_id"])
        )

    def pick(self, frame: pd.DataFrame, n: int) -> list[dict[str, Any]]:
        frame = frame[~frame.claim_id.isin(self.used) & frame.claim_id.isin(self.by_claim)]
        if frame.empty or n <= 0:
            return []
        take = frame.iloc[self.rng.permutation(len(frame))[:n]]
        self.used.update(take.claim_id)
        return list(take.to_dict("records"))

    def add_claim(self, claim: dict[str, Any], lines: list[tuple[str, int, int]]) -> None:
        self.new_claims.append(claim)
        for no, (item, qty, price) in enumerate(lines, start=1):
            self.new_lines.append(
                {
                    "claim_id": claim["claim_id"],
                    "line_no": no,
                    "item_code": item,
                    "quantity": qty,
                    "unit_price_fen": price,
                    "amount_fen": qty * price,
                }
            )


def _append(bill: pd.DataFrame, item: str, qty: int, price: int) -> pd.DataFrame:
    if item in set(bill.item_code):
        i = bill.index[bill.item_code == item][0]
        bill.loc[i, "quantity"] += qty
        bill.loc[i, "amount_fen"] = bill.loc[i, "quantity"] * bill.loc[i, "unit_price_fen"]
        return bill
    row = {
        "claim_id": bill.claim_id.iloc[0],
        "line_no": int(bill.line_no.max()) + 1,
        "item_code": item,
        "quantity": qty,
        "unit_price_fen": price,
        "amount_fen": qty * price,
    }
    return pd.concat([bill, pd.DataFrame([row])], ignore_index=True)


def _services(w: _World, bill: pd.DataFrame, roles: tuple[str, ...]) -> pd.Index:
    return bill.index[bill.item_code.map(w.role_of).isin(roles)]


# --- the patterns -----------------------------------------------------------------------


def _inflation(w: _World, claims: pd.DataFrame, n: int) -> None:
    """虚记多记: treatment units billed beyond what was given (acupoints, sessions, days)."""
    for c in w.pick(claims, n):
        bill, v = w.bill(c["claim_id"]), w.variant()
        idx = _services(w, bill, ("ip_treat", "rehab", "nursing", "op_treat", "lab"))
        if len(idx) == 0:
            continue
        chosen = idx if v == "textbook" else idx[: max(1, len(idx) // 3)]
        factor = 2.0 if v == "textbook" else 1.6
        q = np.ceil(bill.loc[chosen, "quantity"] * factor).astype("int64")
        bill.loc[chosen, "quantity"] = q
        bill["amount_fen"] = bill.quantity * bill.unit_price_fen
        w.changed[c["claim_id"]] = bill
        w.label(c, "INFLATION", v)


def _excess_testing(w: _World, claims: pd.DataFrame, n: int) -> None:
    """过度检查: a panel of tests and imaging that the case does not call for."""
    labs, imaging, special = w.roles["lab"], w.roles["imaging"], w.roles["special_exam"]
    for c in w.pick(claims, n):
        bill, v = w.bill(c["claim_id"]), w.variant()
        k = 6 if v == "textbook" else 3
        pool = labs + imaging + (special if v == "textbook" else [])
        have = set(bill.item_code)
        fresh = [p for p in pool if p[0] not in have]
        for j in w.rng.permutation(len(fresh))[:k]:
            bill = _append(bill, fresh[j][0], 1, fresh[j][1])
        w.changed[c["claim_id"]] = bill
        w.label(c, "EXCESS_TESTING", v)


def _upcoding(w: _World, claims: pd.DataFrame, n: int) -> None:
    """高套: a complication coded that nothing in the bill shows, to reach a dearer group."""
    for c in w.pick(claims, n):
        v = w.variant()
        k = 2 if v == "textbook" else 1
        codes = [_SEVERE_DX[j] for j in w.rng.permutation(len(_SEVERE_DX))[:k]]
        other = c["other_dx"] if isinstance(c["other_dx"], str) and c["other_dx"] else None
        new = "|".join(codes if other is None else [*codes, other])
        i = w.claims.index[w.claims.claim_id == c["claim_id"]][0]
        w.claims.loc[i, "other_dx"] = new
        w.changed.setdefault(c["claim_id"], w.bill(c["claim_id"]))
        w.label(c, "UPCODING", v)


def _substitution(w: _World, claims: pd.DataFrame, n: int) -> None:
    """串换: a cheap service or exam billed under the code of a dearer one of its kind."""
    for c in w.pick(claims, n):
        bill, v = w.bill(c["claim_id"]), w.variant()
        done = 0
        for i in bill.index:
            role = w.role_of.get(bill.loc[i, "item_code"])
            if role not in ("lab", "imaging", "special_exam", "ip_treat", "rehab", "op_treat"):
                continue
            dearer = sorted(
                (p for p in w.roles[role] if p[1] > bill.loc[i, "unit_price_fen"]),
                key=lambda p: p[1],
            )
            if not dearer or dearer[-1][0] in set(bill.item_code):
                continue
            code, price = dearer[-1] if v == "textbook" else dearer[0]
            if code in set(bill.item_code):
                continue
            bill.loc[i, ["item_code", "unit_price_fen"]] = [code, price]
            done += 1
            if v == "subtle" or done >= 3:
                break
        if done:
            bill["amount_fen"] = bill.quantity * bill.unit_price_fen
            w.changed[c["claim_id"]] = bill
            w.label(c, "SUBSTITUTION", v)


def _over_standard(w: _World, claims: pd.DataFrame, n: int) -> None:
    """超标准收费: services charged above the government price."""
    for c in w.pick(claims, n):
        bill, v = w.bill(c["claim_id"]), w.variant()
        idx = bill.index[bill.item_code.str.startswith("XS")]
        if len(idx) == 0:
            continue
        markup = 1.5 if v == "textbook" else 1.15
        chosen = idx if v == "textbook" else idx[: max(1, len(idx) // 2)]
        bill.loc[chosen, "unit_price_fen"] = np.ceil(
            bill.loc[chosen, "unit_price_fen"] * markup
        ).astype("int64")
        bill["amount_fen"] = bill.quantity * bill.unit_price_fen
        w.changed[c["claim_id"]] = bill
        w.label(c, "OVER_STANDARD", v)


def _unbundling(w: _World, claims: pd.DataFrame, n: int) -> None:
    """分解收费: parts of an operation charged again as items of their own."""
    parts = [
        *w.roles["surgery_extra"],
        *w.roles["anaesthesia_monitor"],
        *w.roles["surgery_g1"],
        *w.roles["anaesthesia_local"],
        *w.roles["surgical_consumable"][:3],
    ]
    for c in w.pick(claims, n):
        bill, v = w.bill(c["claim_id"]), w.variant()
        k = 4 if v == "textbook" else 2
        have = set(bill.item_code)
        fresh = [p for p in parts if p[0] not in have]
        if not fresh:
            continue
        for j in w.rng.permutation(len(fresh))[:k]:
            bill = _append(bill, fresh[j][0], 1 if v == "subtle" else 2, fresh[j][1])
        w.changed[c["claim_id"]] = bill
        w.label(c, "UNBUNDLING", v)


def _stay(w: _World, person: str, provider: str, admit: Any, los: int, dx: str) -> dict[str, Any]:
    return {
        "claim_id": w.new_id(),
        "person_id": person,
        "provider_id": provider,
        "visit_type": "inpatient",
        "route": "local",
        "admit_date": admit,
        "discharge_date": admit + timedelta(days=los),
        "los_days": los,
        "main_dx": dx,
        "other_dx": None,
        "procedures": None,
    }


def _bed(level: str) -> tuple[str, int]:
    code = {"L1": "XS0001", "L2": "XS0002", "L3": "XS0003"}[level]
    return code, {"L1": 2000, "L2": 3200, "L3": 5000}[level]


def _fabricated(w: _World, hosp: Any, n: int, year: int) -> None:
    """虚假住院 / 挂床: stays of the hospital's own outpatients, beds without care."""
    seen = w.claims[(w.claims.provider_id == hosp.provider_id)].person_id.unique()
    if len(seen) == 0:
        return
    dxs = w.claims[w.claims.visit_type == "inpatient"].main_dx.dropna().unique()
    drugs = w.roles["drug_ip_base"] + w.roles["drug_ip"][:6]
    bed = _bed(hosp.level)
    for _ in range(n):
        v = w.variant()
        person = seen[w.rng.integers(len(seen))]
        los = int(w.rng.integers(6, 12))
        admit = pd.Timestamp(year=year, month=1, day=1).date() + timedelta(
            days=int(w.rng.integers(0, 330))
        )
        claim = _stay(w, person, hosp.provider_id, admit, los, dxs[w.rng.integers(len(dxs))])
        lines = [(bed[0], los, bed[1]), ("XS0013", los, 1800), ("XS0021", los, 2000)]
        for j in w.rng.permutation(len(drugs))[:3]:
            lines.append((drugs[j][0], int(w.rng.integers(5, 20)), drugs[j][1]))
        if v == "subtle":
            lab = w.roles["lab"][int(w.rng.integers(len(w.roles["lab"])))]
            lines.append((lab[0], 1, lab[1]))
            lines.append(("XS0031", max(1, los // 3), 1200))
        w.add_claim(claim, lines)
        w.label(claim, "FABRICATED_ADMISSION", v)


def _template(w: _World, hosp: Any, year: int) -> tuple[list[tuple[str, int, int]], str, int]:
    ip = w.claims[(w.claims.visit_type == "inpatient") & (w.claims.provider_id == hosp.provider_id)]
    if ip.empty:
        ip = w.claims[w.claims.visit_type == "inpatient"]
    base = ip.iloc[int(w.rng.integers(len(ip)))]
    bill = w.by_claim[base.claim_id]
    lines = list(
        zip(
            bill.item_code, bill.quantity.astype(int), bill.unit_price_fen.astype(int), strict=False
        )
    )
    return lines, str(base.main_dx), int(base.los_days) or 3


def _identity_harvest(w: _World, hosp: Any, n: int, year: int) -> None:
    """冒名虚假住院: identities collected (elderly villagers, the dead) billed as stays."""
    pe = w.persons
    own = set(w.claims[w.claims.provider_id == hosp.provider_id].person_id)
    pool = pe[~pe.person_id.isin(own)].person_id.to_numpy()
    lines, dx, los = _template(w, hosp, year)
    start = pd.Timestamp(year=year, month=1, day=1).date() + timedelta(
        days=int(w.rng.integers(0, 300))
    )
    for _k in range(n):
        v = w.variant()
        person = pool[w.rng.integers(len(pool))]
        if v == "textbook":  # the same bill, admitted in one week
            admit, bill = start + timedelta(days=int(w.rng.integers(0, 7))), lines
        else:  # spread over two months, quantities jittered
            admit = start + timedelta(days=int(w.rng.integers(0, 60)))
            bill = [(i, max(1, q + int(w.rng.integers(-1, 2))), p) for i, q, p in lines]
        claim = _stay(w, person, hosp.provider_id, admit, los, dx)
        w.add_claim(claim, bill)
        w.label(claim, "IDENTITY_HARVEST", v)


def _induced(w: _World, hosp: Any, n: int, year: int) -> None:
    """诱导住院: elderly brought in by bus ('free check-up'), short stays with full panels."""
    pe = w.persons.copy()
    age = year - pd.to_datetime(pe.birth_date).dt.year
    local = pe[(age >= 60) & (pe.insured_region == hosp.region)].person_id.to_numpy()
    if len(local) == 0:
        local = pe[age >= 60].person_id.to_numpy()
    group = local[w.rng.permutation(len(local))[: max(3, n // 2)]]
    mild = ("I10.x00", "R42.x00", "M51.202", "J06.900", "I67.200")
    bed = _bed(hosp.level)
    panel = w.roles["lab"][:8] + w.roles["imaging"][:3]
    days = [
        pd.Timestamp(year=year, month=1, day=1).date() + timedelta(days=int(d))
        for d in w.rng.integers(0, 330, size=max(2, n // max(1, len(group)) + 1))
    ]
    for k in range(n):
        v = w.variant()
        person = group[k % len(group)]
        admit = days[k % len(days)] + timedelta(days=0 if v == "textbook" else int(k % 3))
        los = int(w.rng.integers(3, 6))
        claim = _stay(w, person, hosp.provider_id, admit, los, mild[k % len(mild)])
        lines = [(bed[0], los, bed[1]), ("XS0013", los, 1800)]
        tests = panel if v == "textbook" else panel[::2]
        lines += [(code, 1, fen) for code, fen in tests]
        lines += [("XD0029", los * 2, 300), ("XS0031", los, 1200)]
        w.add_claim(claim, lines)
        w.label(claim, "INDUCED_ADMISSION", v)


def _pharmacy_swap(w: _World, pharm: Any, n: int, year: int) -> set[str]:
    """药店串换: a kept card; tonics and daily goods settled as common insured drugs."""
    buyers = w.claims[w.claims.provider_id == pharm.provider_id].person_id.unique()
    if len(buyers) == 0:
        return set()
    common = w.roles["drug_pharmacy"] + w.roles["drug_chronic_dm"][:3]
    persons: set[str] = set()
    made = 0
    while made < n:
        person = buyers[w.rng.integers(len(buyers))]
        persons.add(person)
        v = w.variant()
        times = 6 if v == "textbook" else 3
        start = pd.Timestamp(year=year, month=1, day=1).date() + timedelta(
            days=int(w.rng.integers(0, 320))
        )
        for t in range(times):
            day = start + timedelta(days=int(t * (5 if v == "textbook" else 9)))
            claim = {
                **_stay(w, person, pharm.provider_id, day, 0, "Z76.000"),
                "visit_type": "pharmacy",
            }
            claim["discharge_date"] = day
            lines = []
            for j in w.rng.permutation(len(common))[:3]:
                lines.append((common[j][0], int(w.rng.integers(3, 8)), common[j][1]))
            w.add_claim(claim, lines)
            w.label(claim, "PHARMACY_SWAP", v)
            made += 1
    return persons


def _drug_resale(w: _World, n_persons: int, year: int) -> set[str]:
    """倒卖药品: a dear drug prescribed again and again at several hospitals, then resold."""
    hospitals = w.providers[w.providers.kind == "hospital"]
    dear = w.roles["drug_special"] + w.roles["drug_cancer"][:4]
    chronic = w.claims[w.claims.visit_type == "outpatient_chronic"]
    people = chronic.person_id.unique()
    chosen = people[w.rng.permutation(len(people))[:n_persons]]
    for person in chosen:
        v = w.variant()
        drug = dear[int(w.rng.integers(len(dear)))]
        k_hosp = 4 if v == "textbook" else 2
        hs = hospitals.iloc[w.rng.permutation(len(hospitals))[:k_hosp]]
        every = 7 if v == "textbook" else 14
        times = 16 if v == "textbook" else 10
        start = pd.Timestamp(year=year, month=1, day=1).date() + timedelta(
            days=int(w.rng.integers(0, 150))
        )
        for t in range(times):
            h = hs.iloc[t % len(hs)]
            day = start + timedelta(days=t * every)
            if day.year != year:
                break
            claim = {
                **_stay(w, person, h.provider_id, day, 0, "Z94.000"),
                "visit_type": "outpatient_chronic",
                "discharge_date": day,
            }
            w.add_claim(claim, [(drug[0], 4, drug[1]), ("XS0021", 1, 2000)])
            w.label(claim, "DRUG_RESALE", v)
    return set(chosen)


def _to_table(frame: pd.DataFrame, schema: pa.Schema) -> pa.Table:
    return pa.Table.from_pandas(frame[schema.names], schema=schema, preserve_index=False)


def inject_typology(
    tables: Mapping[str, pa.Table],
    rate: float = 0.2,
    seed: int = 11,
    *,
    provider_share: float = 0.15,
    year: int = 2025,
) -> Injected:
    """Inject every family of :data:`FAMILIES` into a clean province (see module doc).

    ``rate``: the share of a fraudulent hospital's eligible claims its habit touches, and of
    its inpatient volume it fabricates. ``tables`` needs persons, providers, claims and
    claim_lines as :mod:`yibao.synth.schema` writes them.
    """
    if not 0 < rate <= 1:
        raise ValueError(f"fraud rate must be in (0, 1], got {rate}")
    w = _World(tables, np.random.default_rng(seed))
    pr = w.providers
    hospitals = pr[pr.kind == "hospital"]
    pharmacies = pr[pr.kind == "pharmacy"]
    n_h = max(len(HOSPITAL_FAMILIES) // 2 + 1, round(provider_share * len(hospitals)))
    fraud_h = hospitals.iloc[w.rng.permutation(len(hospitals))[:n_h]]
    habits: dict[str, list[str]] = {}
    for k, fam in enumerate(HOSPITAL_FAMILIES):  # every family at >= 1 hospital
        habits.setdefault(fraud_h.iloc[k % len(fraud_h)].provider_id, []).append(fam)
    ip = w.claims[w.claims.visit_type == "inpatient"]
    op = w.claims[w.claims.visit_type.isin(("outpatient_general", "outpatient_chronic"))]
    for h in fraud_h.itertuples():
        own_ip = ip[ip.provider_id == h.provider_id]
        own_op = op[op.provider_id == h.provider_id]
        size = max(3, round(rate * len(own_ip)))
        for fam in habits.get(h.provider_id, []):
            if fam == "INFLATION":
                _inflation(w, own_ip, size)
            elif fam == "EXCESS_TESTING":
                _excess_testing(w, pd.concat([own_ip, own_op.iloc[: len(own_op) // 5]]), size)
            elif fam == "UPCODING":
                _upcoding(w, own_ip, size)
            elif fam == "SUBSTITUTION":
                _substitution(w, own_ip, size)
            elif fam == "OVER_STANDARD":
                _over_standard(w, own_ip, size)
            elif fam == "UNBUNDLING":
                surg = own_ip[own_ip.procedures.notna()]
                _unbundling(w, surg if len(surg) else own_ip, size)
            elif fam == "FABRICATED_ADMISSION":
                _fabricated(w, h, size, year)
            elif fam == "IDENTITY_HARVEST":
                _identity_harvest(w, h, size, year)
            elif fam == "INDUCED_ADMISSION":
                _induced(w, h, size, year)
    n_p = max(1, round(provider_share * len(pharmacies)))
    fraud_p = pharmacies.iloc[w.rng.permutation(len(pharmacies))[:n_p]]
    swap_persons: set[str] = set()
    for p in fraud_p.itertuples():
        volume = int((w.claims.provider_id == p.provider_id).sum())
        swap_persons |= _pharmacy_swap(w, p, max(6, round(rate * volume / 4)), year)
    resale = _drug_resale(w, max(2, round(rate * len(w.persons) / 400)), year)
    return _finish(w, set(fraud_h.provider_id) | set(fraud_p.provider_id), swap_persons | resale)


def _finish(w: _World, providers: set[str], persons: set[str]) -> Injected:
    lines = w.lines[~w.lines.claim_id.isin(w.changed)]
    changed = [b for b in w.changed.values()]
    parts = [lines, *changed, pd.DataFrame(w.new_lines, columns=CLAIM_LINES.names)]
    all_lines = pd.concat([p for p in parts if len(p)], ignore_index=True)
    claims = pd.concat(
        [w.claims, pd.DataFrame(w.new_claims, columns=CLAIMS.names)], ignore_index=True
    )
    claims["admit_date"] = pd.to_datetime(claims.admit_date).dt.date
    claims["discharge_date"] = pd.to_datetime(claims.discharge_date).dt.date
    tables = dict(w.tables)
    tables["claims"] = _to_table(claims, CLAIMS)
    tables["claim_lines"] = _to_table(
        all_lines.sort_values(["claim_id", "line_no"]).astype(
            {"line_no": "int32", "quantity": "int64", "unit_price_fen": "int64"}
        ),
        CLAIM_LINES,
    )
    labels = pa.Table.from_pylist(
        [dict(zip(TYPOLOGY_LABELS.names, r, strict=False)) for r in w.labels],
        schema=TYPOLOGY_LABELS,
    )
    return Injected(tables, labels, frozenset(providers), frozenset(persons))
