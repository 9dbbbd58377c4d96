"""Sub-commands of the ``yibao`` CLI, one module each; ``register_all`` adds them to the app."""

from __future__ import annotations

import importlib

import typer

# Each module defines ``register(app: typer.Typer) -> None``.
_MODULES = (
    "policy_cmd",
    "drg_cmd",
    "settle_cmd",
    "scenario_cmd",
    "synth_cmd",
    "demo_cmd",
    "payment_cmd",
    "db_cmd",
    "ledger_cmd",
    "serve_cmd",
    "actuarial_cmd",
    "audit_cmd",
    "reform_cmd",
    "catalogue_cmd",
)


def register_all(app: typer.Typer) -> None:
    for name in _MODULES:
        module = importlib.import_module(f"yibao.commands.{name}")
        module.register(app)
