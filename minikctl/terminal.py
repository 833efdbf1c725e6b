"""Comforts for a person at a terminal: colour and progress bars, never seen by scripts.

Both are on only when stdout and stderr are terminals, NO_COLOR is unset and TERM is not
`dumb`; otherwise every byte minikctl writes is kubectl's. `rich` is imported only then, so a
run whose output goes to a pipe or a file never pays for it.
"""

from __future__ import annotations

import os
import sys
from types import TracebackType
from typing import Any, Callable, Mapping


def for_people(env: Mapping[str, str] | None = None) -> bool:
    """True when output goes to a person: both streams are terminals and colour is welcome."""
    env = os.environ if env is None else env
    if "NO_COLOR" in env or env.get("TERM") == "dumb":
        return False
    try:
        return sys.stdout.isatty() and sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def table_writer(write: Callable[[str], None]) -> Callable[[str], None]:
    """`write` itself for scripts; a colouring writer for a person at a terminal (the colour
    module is loaded only then)."""
    if not for_people():
        return write
    from minikctl.printing.colour import ColourWriter

    return ColourWriter(write)


class Progress:
    """A progress bar on stderr for a bounded wait; silent unless `for_people()`.

    `update(done, total, label)` redraws it; leaving the `with` block removes it, so only the
    command's own output stays on the screen."""

    def __init__(self, description: str, total: int) -> None:
        self.description = description
        self.total = total
        self._bar: Any = None
        self._task: Any = None

    def __enter__(self) -> Progress:
        if for_people():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
            from rich.progress import Progress as RichProgress

            self._bar = RichProgress(TextColumn("{task.description}"), BarColumn(),
                                     MofNCompleteColumn(), TimeElapsedColumn(),
                                     console=Console(stderr=True), transient=True)
            self._bar.start()
            self._task = self._bar.add_task(self.description, total=self.total)
        return self

    def update(self, done: int, total: int | None = None, label: str | None = None) -> None:
        if self._bar is None:
            return
        fields: dict[str, Any] = {"completed": done}
        if total is not None:
            fields["total"] = total
        if label is not None:
            fields["description"] = label
        self._bar.update(self._task, **fields)

    def echo(self, line: str) -> None:
        """A line of the command's output: above the bar while it is drawn (both streams are
        the same terminal then), plainly on stdout otherwise."""
        if self._bar is None:
            import click

            click.echo(line)
        else:
            self._bar.console.print(line, markup=False, highlight=False, soft_wrap=True)

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
