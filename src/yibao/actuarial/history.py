"""Fund history and in-year actuals for the budget and early warning, from a strict YAML file.

::

    history: demo-province
    funds:
      - {region: "990100", fund: employee_pooled, year: 2024, income: "12345.67",
         expenditure: "11000.00", balance: "15000.00", in_service: 1000, retirees: 400}
    in_year:
      - {region: "990100", fund: employee_pooled, year: 2025, months: 6,
         income: "6100.00", expenditure: "5900.00"}

Amounts are yuan with at most two decimals; they become integer fen.
"""

from __future__ import annotations

import yaml

from yibao.actuarial.params import _compose, _Ctx, _mapping, _scalar
from yibao.actuarial.warning import FUNDS, FundYear, YearToDate
from yibao.money import MoneyError, yuan_to_fen

_FUND_KEYS = ("region", "fund", "year", "income", "expenditure", "balance")
_FUND_OPTIONAL = ("in_service", "retirees")
_YTD_KEYS = ("region", "fund", "year", "months", "income", "expenditure")


def _row(
    ctx: _Ctx, node: yaml.Node, what: str, keys: tuple[str, ...], optional: tuple[str, ...]
) -> dict[str, object]:
    items = _mapping(ctx, node, what)
    for k, (kn, _) in items.items():
        if k not in keys and k not in optional:
            raise ctx.fail(kn, f"{what}: unknown key '{k}'")
    missing = [k for k in keys if k not in items]
    if missing:
        raise ctx.fail(node, f"{what}: missing {', '.join(missing)}")
    out: dict[str, object] = {}
    for k, (_, vn) in items.items():
        text = _scalar(ctx, vn, f"{what}.{k}")
        if k in ("region",):
            if not text.isdigit() or len(text) != 6:
                raise ctx.fail(vn, f"{what}.region must be a six-digit code, got {text!r}")
            out[k] = text
        elif k == "fund":
            if text not in FUNDS:
                raise ctx.fail(vn, f"{what}.fund must be one of {', '.join(FUNDS)}, got {text!r}")
            out[k] = text
        elif k in ("income", "expenditure", "balance"):
            try:
                fen = yuan_to_fen(text)
            except MoneyError as e:
                raise ctx.fail(vn, f"{what}.{k}: {e}") from None
            if fen < 0 and k != "balance":
                raise ctx.fail(vn, f"{what}.{k} must not be negative, got {text}")
            out[k] = fen
        else:
            if not text.isdigit():
                raise ctx.fail(vn, f"{what}.{k} must be a whole number, got {text!r}")
            out[k] = int(text)
    return out


def parse_history(text: str, source: str = "<string>") -> tuple[list[FundYear], list[YearToDate]]:
    """Final accounts by year and in-year actuals."""
    ctx = _Ctx(source)
    root = _compose(ctx, text)
    top = _mapping(ctx, root, "the file")
    for k, (kn, _) in top.items():
        if k not in ("history", "funds", "in_year", "note"):
            raise ctx.fail(kn, f"unknown top-level key '{k}'")
    if "funds" not in top or not isinstance(top["funds"][1], yaml.SequenceNode):
        raise ctx.fail(root, "'funds' must be a list of yearly final accounts")
    years: list[FundYear] = []
    seen: set[tuple[str, str, int]] = set()
    for i, node in enumerate(top["funds"][1].value):
        r = _row(ctx, node, f"funds[{i}]", _FUND_KEYS, _FUND_OPTIONAL)
        fy = FundYear(
            str(r["region"]),
            str(r["fund"]),
            int(str(r["year"])),
            int(str(r["income"])),
            int(str(r["expenditure"])),
            int(str(r["balance"])),
            int(str(r.get("in_service", 0))),
            int(str(r.get("retirees", 0))),
        )
        key = (fy.region, fy.fund, fy.year)
        if key in seen:
            raise ctx.fail(node, f"funds[{i}]: {fy.region} {fy.fund} {fy.year} given twice")
        seen.add(key)
        years.append(fy)
    ytd: list[YearToDate] = []
    if "in_year" in top:
        if not isinstance(top["in_year"][1], yaml.SequenceNode):
            raise ctx.fail(top["in_year"][1], "'in_year' must be a list")
        for i, node in enumerate(top["in_year"][1].value):
            r = _row(ctx, node, f"in_year[{i}]", _YTD_KEYS, ())
            months = int(str(r["months"]))
            if not 1 <= months <= 12:
                raise ctx.fail(node, f"in_year[{i}].months must be 1 to 12, got {months}")
            ytd.append(
                YearToDate(
                    str(r["region"]),
                    str(r["fund"]),
                    int(str(r["year"])),
                    months,
                    int(str(r["income"])),
                    int(str(r["expenditure"])),
                )
            )
    return years, ytd
