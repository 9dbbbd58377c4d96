"""The ``yibao`` command line (Typer). Each sub-command lives in its own module under
``yibao.commands``; this module wires them together and turns bad input into one line."""

from __future__ import annotations

import sys

import typer
from rich.console import Console
from typer._click.exceptions import ClickException

from yibao.errors import InputError
from yibao.money import MoneyError
from yibao.policy.errors import PolicyError

app = typer.Typer(
    name="yibao",
    help="An engine for social medical insurance: policy, settlement, payment, supervision.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

_CLEAR_ERRORS = (InputError, PolicyError, MoneyError)


def _print_version(value: bool) -> None:
    if value:
        from yibao import __version__

        sys.stdout.write(f"yibao {__version__}\n")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: bool = typer.Option(
        False,
        "--version",
        help="print the version and exit",
        callback=_print_version,
        is_eager=True,
    ),
) -> None:
    """An engine for social medical insurance: policy, settlement, payment, supervision."""


def _register() -> None:
    from yibao.commands import register_all

    register_all(app)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app, printing a one-line error (never a traceback) on bad input."""
    _register()
    err = Console(stderr=True)
    try:
        rc = app(args=argv, standalone_mode=False)
    except _CLEAR_ERRORS as e:
        err.print(f"[bold red]error:[/] {e}", highlight=False, soft_wrap=True)
        sys.exit(2)
    except OSError as e:  # a file that cannot be read or written: name it, no traceback
        err.print(f"[bold red]error:[/] {e.strerror or e}: {e.filename or ''}", highlight=False)
        sys.exit(2)
    except (typer.Abort, KeyboardInterrupt):
        err.print("aborted")
        sys.exit(130)
    except typer.Exit as e:
        sys.exit(e.exit_code)
    except ClickException as e:  # usage errors: unknown command or option, bad value
        e.show()
        sys.exit(e.exit_code)
    if isinstance(rc, int) and rc:
        sys.exit(rc)


if __name__ == "__main__":
    main()
