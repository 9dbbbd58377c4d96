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

    @db.command("add-provider")
    def add_provider_cmd(
        provider_id: str = typer.Option(..., "--id", help="the provider code (定点医药机构编码)"),
        name: str = typer.Option(..., "--name"),
        level: str = typer.Option(..., "--level", help="L1, L2 or L3"),
        region: str = typer.Option(..., "--region", help="the region it treats in"),
        kind: str = typer.Option(
            "hospital", "--kind", help="hospital, primary_care, community, clinic, pharmacy"
        ),
    ) -> None:
        """Register a provider: claims are settled for registered providers only."""
        from yibao.service.context import Context
        from yibao.service.providers import register_provider
        from yibao.store.db import make_engine

        body = {
            "provider_id": provider_id,
            "name": name,
            "level": level,
            "region": region,
            "kind": kind,
        }
        p = register_provider(Context(make_engine()), body)
        Console().print(f"provider {p['provider_id']} registered: {p['level']} in {p['region']}")

    app.add_typer(db, name="db")
