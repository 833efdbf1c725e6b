"""Elastic tabstops with the behaviour of the tabwriter kubectl prints through.

kubectl writes tab-separated cells into github.com/liggitt/tabwriter (a fork of Go's
text/tabwriter) with minwidth 6, padding 3, space padding and the RememberWidths flag. The
rules reproduced here: tab-terminated cells in contiguous lines form a column whose width is
max(minwidth, widest cell + padding); the text after a line's last tab is not part of any column
and is never padded; and with RememberWidths a column never gets narrower after a Flush, so
output flushed in batches stays aligned with (or wider than) what came before.
"""

from __future__ import annotations

from typing import Callable


class TabWriter:
    def __init__(self, write: Callable[[str], None], minwidth: int = 6, padding: int = 3,
                 remember_widths: bool = True) -> None:
        self._write = write
        self.minwidth = minwidth
        self.padding = padding
        self.remember = remember_widths
        self._buffer: list[str] = []
        self._maxwidths: list[int] = []

    def write(self, text: str) -> None:
        self._buffer.append(text)

    def set_remembered_widths(self, widths: list[int] | None) -> None:
        self._maxwidths = list(widths or [])

    def flush(self) -> None:
        text = "".join(self._buffer)
        self._buffer = []
        if not text:
            return
        lines = [line.split("\t") for line in text.split("\n")]
        out: list[str] = []
        self._format(out, lines, 0, 0, len(lines), [])
        rendered = "".join(out)
        if rendered:
            self._write(rendered)

    def _column_width(self, cells: list[str], column: int, widths: list[int]) -> int:
        width = self.minwidth
        for text in cells:
            width = max(width, len(text) + self.padding)
        if self.remember:
            if len(self._maxwidths) < len(widths):
                self._maxwidths.extend(widths[len(self._maxwidths):])
            if len(self._maxwidths) == len(widths):
                self._maxwidths.append(width)
            elif self._maxwidths[column] > width:
                width = self._maxwidths[column]
            else:
                self._maxwidths[column] = width
        return width

    def _format(self, out: list[str], lines: list[list[str]], line0: int, start: int, end: int,
                widths: list[int]) -> int:
        """Lay out lines[start:end] once the widths of columns left of `len(widths)` are known;
        returns the first line not yet written (Go's recursive block formatting)."""
        column = len(widths)
        this = start
        while this < end:
            if column >= len(lines[this]) - 1:
                this += 1
                continue
            line0 = self._write_lines(out, lines, line0, this, widths)
            block: list[str] = []
            block_end = this
            while block_end < end and column < len(lines[block_end]) - 1:
                block.append(lines[block_end][column])
                block_end += 1
            widths.append(self._column_width(block, column, widths))
            line0 = self._format(out, lines, line0, this, block_end, widths)
            widths.pop()
            this = block_end
        return self._write_lines(out, lines, line0, end, widths)

    def _write_lines(self, out: list[str], lines: list[list[str]], line0: int, line1: int,
                     widths: list[int]) -> int:
        for index in range(line0, line1):
            cells = lines[index]
            padded = min(len(widths), len(cells) - 1)  # the cells that end in a known column
            out.extend([cells[j].ljust(widths[j]) for j in range(padded)])
            out.extend(cells[max(padded, 0):])
            if index + 1 < len(lines):
                out.append("\n")
        return max(line0, line1)
