"""``yibao serve``: the HTTP API with uvicorn."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        host: str = typer.Option("127.0.0.1", "--host"),
        port: int = typer.Option(8000, "--port"),
        workers: int = typer.Option(1, "--workers", help="worker processes (one engine each)"),
    ) -> None:
        """Serve the REST and FHIR API (database from YIBAO_DATABASE_URL)."""
        from yibao.api.server import serve as run

        run(host, port, workers)
