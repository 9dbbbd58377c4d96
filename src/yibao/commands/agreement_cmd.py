"""``yibao agreement``: record and list designated provider agreements (定点协议) in a CSV file.

The file is the agreement book (:mod:`yibao.purchasing.agreements`): one row per signing,
suspension, resumption, termination or assessment. ``add`` checks the new row against the
provider's history and writes nothing when it does not fit.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from yibao.errors import InputError
from yibao.purchasing.agreements import (
    COLUMNS,
    AgreementBook,
    event_cells,
    parse_agreements,
    read_event,
    standing,
)


def read_book(path: Path) -> AgreementBook:
    """The agreement book in ``path`` (an empty book when the file does not exist yet)."""
    if not path.exists():
        return AgreementBook()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"{path}: cannot read the agreements file ({e})") from None
    return parse_agreements(text, str(path))


def _day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{option}: {value!r} is not a date YYYY-MM-DD") from None


def register(app: typer.Typer) -> None:
    agr = typer.Typer(
        help="Designated provider agreements (定点医药机构协议): record and list.",
        no_args_is_help=True,
    )

    @agr.command("add")
    def add_cmd(
        file: Path = typer.Argument(..., help="the agreements CSV (created when missing)"),
        provider: str = typer.Option(..., "--provider", help="provider id"),
        event: str = typer.Option(
            ..., "--event", help="sign|suspend|suspend_voluntary|resume|terminate|assess"
        ),
        day: str = typer.Option(..., "--day", help="the day it takes effect"),
        until: str = typer.Option("", "--until", help="term end (sign) or suspension end"),
        scope: str = typer.Option("", "--scope", help="visit types covered, a|b (sign)"),
        reason: str = typer.Option("", "--reason", help="why (required to terminate)"),
        document: str = typer.Option("", "--document", help="agreement or decision document"),
        score: str = typer.Option("", "--score", help="assessment score, 0 to 100 (assess)"),
    ) -> None:
        """Record one agreement row, checked against the provider's history."""
        book = read_book(file)
        cells = {
            "provider_id": provider,
            "event": event,
            "day": day,
            "until": until,
            "scope": scope,
            "reason": reason,
            "document": document,
            "score": score,
        }
        new = read_event(cells, "command line")
        book = book.with_event(new)
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(event_cells(e) for e in book.events)
        file.write_text(buf.getvalue(), encoding="utf-8")
        Console().print(standing(book, provider, new.day).text(), highlight=False)

    @agr.command("list")
    def list_cmd(
        file: Path = typer.Argument(..., help="the agreements CSV"),
        on: str = typer.Option("", "--on", help="the day to show (default: today)"),
        provider: str = typer.Option("", "--provider", help="only this provider"),
    ) -> None:
        """Each provider's agreement standing on a day: status, since, term, reason."""
        if not file.exists():
            raise InputError(f"{file}: no such agreements file")
        book = read_book(file)
        day = _day(on, "--on") if on else date.today()
        providers = [provider] if provider else list(book.providers())
        table = Table(title=f"agreements on {day}")
        for col in ("provider", "status", "since", "term", "scope", "reason"):
            table.add_column(col, overflow="fold")
        for p in providers:
            st = standing(book, p, day)
            term = f"{st.term[0]}..{st.term[1]}" if st.term else ""
            scope = "all" if st.scope is None else "|".join(sorted(st.scope))
            table.add_row(p, st.status.value, str(st.since or ""), term, scope, st.reason)
        Console().print(table)

    app.add_typer(agr, name="agreement")
