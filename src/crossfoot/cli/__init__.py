"""The command line: a thin Typer layer over the public API.

Each command lives in its own module here and registers itself on ``app``; this file
only builds the app, the ``--version`` flag and the error handling every command shares
(a one-line message and exit code 2 for input that cannot be used, never a traceback).
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
from pathlib import Path
from typing import Iterable

import typer
from rich.console import Console
from rich.markup import escape

from crossfoot import __version__

app = typer.Typer(
    name="crossfoot",
    help="Check the arithmetic and the assumptions of financial estimates.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
)
err_console = Console(stderr=True, highlight=False)


def fail(message: str, code: int = 2) -> "typer.Exit":
    """Print ``crossfoot: error: message`` on stderr and return the Exit to raise."""
    err_console.print(f"[bold red]error[/]: {escape(message)}", soft_wrap=True)
    return typer.Exit(code)


def check_output_path(dest: str | os.PathLike, inputs: Iterable[str | os.PathLike], flag: str) -> None:
    """Fail (exit 2) before any work if ``dest`` cannot take a file crossfoot writes:
    a folder, a missing folder, or one of the input files (crossfoot never writes over
    its inputs)."""
    path = Path(dest)
    if path.is_dir():
        raise fail(f"{flag} {dest}: is a folder; give a file name")
    parent = path.parent
    if not parent.is_dir():
        raise fail(f"{flag} {dest}: folder {parent} does not exist")
    for src in inputs:
        try:
            same = path.exists() and os.path.samefile(path, src)
        except OSError:
            same = False
        if same or path.resolve() == Path(src).resolve():
            raise fail(f"{flag} {dest}: refusing to overwrite the input {src}; give another file name")


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
            err_console.print(f"[bold red]error[/]: {escape(message)}", soft_wrap=True)
            ctx = getattr(exc, "ctx", None)
            if ctx is not None:
                err_console.print(f"Try '{ctx.command_path} --help' for help.", markup=False)
            sys.exit(2)
        raise
    sys.exit(code if isinstance(code, int) else 0)
