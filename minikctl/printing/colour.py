"""Colour for tables shown to a person, the way kubecolor users like it: bold headers, statuses
green, yellow or red by what they mean, ready counts by how complete they are.

The table is aligned first and coloured after, cell by cell (cells are separated by at least two
spaces, kubectl's tabwriter pads with three), so the colour codes never move a column. Used only
when `terminal.for_people()`; scripts get kubectl's bytes.
"""

from __future__ import annotations

import re
from typing import Callable

RESET = "\x1b[0m"
BOLD = "\x1b[1m"
GREEN = "\x1b[32m"
YELLOW = "\x1b[33m"
RED = "\x1b[31m"
DIM = "\x1b[2m"

GOOD = frozenset({"Running", "Active", "Ready", "Bound", "Available", "Completed", "Succeeded",
                  "True", "Normal", "Healthy", "Complete"})
WAITING = frozenset({"Pending", "ContainerCreating", "PodInitializing", "Terminating", "Unknown",
                     "NotReady", "SchedulingDisabled", "Warning", "Released", "Suspended"})
BAD = frozenset({"Failed", "Error", "CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull",
                 "Evicted", "OOMKilled", "False", "Lost", "CreateContainerConfigError",
                 "InvalidImageName", "ContainerStatusUnknown", "StartError"})
CELL = re.compile(r"\S+(?: \S+)*")
COUNT = re.compile(r"(\d+)/(\d+)")
HEADER = re.compile(r"[A-Z][A-Z0-9()_./-]*(?: [A-Z][A-Z0-9()_./-]*)*")


def _cell_colour(text: str) -> str:
    word = text.split(":")[-1]  # Init:Error, Init:0/1
    if word in GOOD:
        return GREEN
    if word in WAITING or word.startswith("Init:"):
        return YELLOW
    if word in BAD:
        return RED
    count = COUNT.fullmatch(word)
    if count:
        have, want = int(count[1]), int(count[2])
        if want == 0:
            return ""
        return GREEN if have == want else YELLOW if have else RED
    if text in ("<none>", "<unknown>", "<pending>"):
        return DIM
    return ""


def _is_header(line: str) -> bool:
    cells = CELL.findall(line)
    return bool(cells) and all(HEADER.fullmatch(c) for c in cells)


def _count_colour(have: str, want: str) -> str:
    if not (have.isdigit() and want.isdigit()) or want == "0":
        return ""
    return GREEN if have == want else YELLOW if have != "0" else RED


def colour_line(line: str, columns: dict[int, str] | None = None) -> str:
    """One aligned table line with colour codes around its cells; `columns` (the header's
    cell starts and names) lets a replica count be read against its DESIRED column."""
    if _is_header(line):
        return f"{BOLD}{line}{RESET}" if line.strip() else line
    cells = list(CELL.finditer(line))
    named = {(columns or {}).get(c.start()): c.group() for c in cells}
    out, last = [], 0
    for match in cells:
        colour = _cell_colour(match.group())
        if columns and columns.get(match.start()) == "READY" and "DESIRED" in named:
            colour = _count_colour(match.group(), named["DESIRED"])
        out.append(line[last:match.start()])
        out.append(f"{colour}{match.group()}{RESET}" if colour else match.group())
        last = match.end()
    out.append(line[last:])
    return "".join(out)


class ColourWriter:
    """Wraps a writer: whole lines pass through `colour_line`, partial ones wait for the rest."""

    def __init__(self, write: Callable[[str], None]) -> None:
        self._write = write
        self._pending = ""
        self._columns: dict[int, str] = {}

    def __call__(self, text: str) -> None:
        *lines, self._pending = (self._pending + text).split("\n")
        if lines:
            self._write("".join(self._line(line) + "\n" for line in lines))

    def _line(self, line: str) -> str:
        if _is_header(line):
            self._columns = {m.start(): m.group() for m in CELL.finditer(line)}
        return colour_line(line, self._columns)

    def flush(self) -> None:
        if self._pending:
            self._write(self._line(self._pending))
            self._pending = ""
