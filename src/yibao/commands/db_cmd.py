"""``yibao db``: migrate the database and issue API keys."""

from __future__ import annotations

import typer
from rich.console import Console


def register(app: typer.Typer) -> None:
    db = typer.Typer(help="The database: migrations and API keys.", no_args_is_help=True)

    @db.command("upgrade")
    def upgrade_cmd(
        url: str = typer.Option(
            None, "--url", help="database URL (default YIBAO_DATABASE_URL or sqlite:///yibao.db)"
        ),
    ) -> None:
        """Run the migrations up to the newest revision."""
        from yibao.store.db import make_engine, upgrade

        engine = make_engine(url)
        upgrade(engine)
        Console().print(f"database at revision head ({engine.url.render_as_string()})")

    @db.command("create-key")
    def create_key_cmd(
        role: str = typer.Option(..., "--role", help="insured, provider, staff, auditor, admin"),
        name: str = typer.Option(..., "--name", help="who the key is for"),
        region: str = typer.Option(None, "--region"),
        person: str = typer.Option(None, "--person"),
        provider: str = typer.Option(None, "--provider"),
    ) -> None:
        """Issue an API key; the token is printed once and only its hash is stored."""
        from yibao.api.auth import create_key
        from yibao.store.db import make_engine

        token = create_key(
            make_engine(), role, name, region=region, person_id=person, provider_id=provider
        )
        print(token)

    app.add_typer(db, name="db")
