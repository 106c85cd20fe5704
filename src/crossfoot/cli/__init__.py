"""The command line: a thin Typer layer over the public API.

Each command lives in its own module here and registers itself on ``app``; this file
only builds the app, the ``--version`` flag and the error handling every command shares
(a one-line message and exit code 2 for input that cannot be used, never a traceback).
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import typer
from rich.console import Console

from crossfoot import __version__

app = typer.Typer(
    name="crossfoot",
    help="Check the arithmetic and the assumptions of financial estimates.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)
err_console = Console(stderr=True, highlight=False)


def fail(message: str, code: int = 2) -> "typer.Exit":
    """Print ``crossfoot: error: message`` on stderr and return the Exit to raise."""
    err_console.print(f"[bold red]error[/]: {message}", soft_wrap=True)
    return typer.Exit(code)


def _version(value: bool) -> None:
    if value:
        print(f"crossfoot {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Show the version and exit."),
) -> None:
    """crossfoot checks the arithmetic and the assumptions of financial estimates."""


def _register_commands() -> None:
    import crossfoot.cli as package

    for mod in pkgutil.iter_modules(package.__path__):
        if not mod.name.startswith("_"):
            importlib.import_module(f"crossfoot.cli.{mod.name}")


def main() -> None:
    _register_commands()
    try:
        # Without standalone mode click returns a command's ``typer.Exit`` code instead
        # of exiting: pass it on, or every command would exit 0.
        code = app(standalone_mode=False)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        sys.exit(130)
    except Exception as exc:
        # Usage errors come from the click that Typer uses (vendored in new Typer
        # releases), so recognise them by shape rather than by class.
        if hasattr(exc, "format_message") and hasattr(exc, "exit_code"):
            message = exc.format_message()
            if not message:  # bare `crossfoot`: the help was shown
                sys.exit(2)
            err_console.print(f"[bold red]error[/]: {message}", soft_wrap=True)
            ctx = getattr(exc, "ctx", None)
            if ctx is not None:
                err_console.print(f"Try '{ctx.command_path} --help' for help.")
            sys.exit(2)
        raise
    sys.exit(code if isinstance(code, int) else 0)
