"""``yibao serve``: the HTTP API and, at ``/ui``, the console and portal, with uvicorn.

``--demo`` first builds a demo database (a synthesised province, settled claim by claim,
with one console login per role) unless it exists, and prints the logins."""

from __future__ import annotations

import os
from pathlib import Path

import typer
from rich.console import Console


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        host: str = typer.Option("127.0.0.1", "--host"),
        port: int = typer.Option(8000, "--port"),
        workers: int = typer.Option(1, "--workers", help="worker processes (one engine each)"),
        demo: bool = typer.Option(False, "--demo", help="serve a seeded demo database"),
        demo_db: Path = typer.Option(
            Path("yibao-demo.db"), "--demo-db", help="the demo's SQLite file (kept between runs)"
        ),
        demo_persons: int = typer.Option(300, "--demo-persons", help="persons in the demo"),
    ) -> None:
        """Serve the REST and FHIR API and the web console (database from YIBAO_DATABASE_URL)."""
        from yibao.api.server import serve as run

        if demo:
            _demo(demo_db, demo_persons, f"http://{host}:{port}/ui/")
        run(host, port, workers)


def _demo(path: Path, persons: int, url: str) -> None:
    from yibao.jobs.console_demo import DEMO_PASSWORD, seed_console_demo
    from yibao.service.context import Context
    from yibao.store.db import make_engine, upgrade

    console = Console()
    db_url = f"sqlite:///{path}"
    fresh = not path.exists()
    engine = make_engine(db_url)
    upgrade(engine)
    if fresh:
        result = seed_console_demo(
            Context(engine), persons=persons, progress=lambda s: console.print(f"demo: {s}")
        )
        console.print(
            f"demo: {result.persons} persons, {result.settled} claims settled, "
            f"{result.cases} supervision cases"
        )
    engine.dispose()
    os.environ["YIBAO_DATABASE_URL"] = db_url  # read by each worker's app
    console.print(f"console: {url}   (password for every demo login: {DEMO_PASSWORD})")
    for username, role in (
        ("staff", "agency staff 经办"),
        ("reviewer", "agency staff who approves filings 备案审核"),
        ("supervisor", "supervisor 稽核"),
        ("fund", "fund manager 基金管理"),
        ("insured", "insured person 参保人"),
        ("admin", "administrator 系统管理 (users, audit log)"),
    ):
        console.print(f"  {username:<11} {role}")
