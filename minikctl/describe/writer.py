"""The text machinery every describer shares, as kubectl's describe package has it.

A description is written line by line through a PrefixWriter (two spaces per level) into Go's
text/tabwriter with minwidth 0, tab width 8, padding 2: consecutive lines with a tab in the same
column share its width, and a line without one ends the block. ESC and CR are escaped as on a
terminal. The helpers below print labels, annotations, tolerations and times the way kubectl does.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Iterable, Mapping

from minikctl.printing.durations import human_duration
from minikctl.printing.tabwriter import TabWriter

SKIP_ANNOTATIONS = frozenset({"kubectl.kubernetes.io/last-applied-configuration"})
MAX_ANNOTATION_LEN = 140


class PrefixWriter:
    def __init__(self) -> None:
        self._chunks: list[str] = []
        self._tabs = TabWriter(self._chunks.append, minwidth=0, padding=2, remember_widths=False)

    def write(self, level: int, text: str) -> None:
        self._tabs.write(("  " * level + text).replace("\x1b", "^[").replace("\r", "\\r"))

    def line(self, text: str = "") -> None:
        """kubectl's WriteLine: the text and a newline, no indentation."""
        self.write(0, text + "\n")

    def flush(self) -> None:
        self._tabs.flush()

    def text(self) -> str:
        self.flush()
        return "".join(self._chunks)


def rfc1123z(timestamp: str | None) -> str:
    """Go's time.RFC1123Z in the local time zone, as kubectl prints times."""
    moment = parse_time(timestamp)
    if moment is None:
        return "Mon, 01 Jan 0001 00:00:00 +0000"
    return moment.astimezone().strftime("%a, %d %b %Y %H:%M:%S %z")


def parse_time(timestamp: str | None) -> datetime | None:
    if not timestamp:
        return None
    try:
        return datetime.fromisoformat(str(timestamp).replace("Z", "+00:00"))
    except ValueError:
        return None


def since(timestamp: str | None) -> str:
    """translateTimestampSince: HumanDuration of the time since, `<unknown>` for none."""
    moment = parse_time(timestamp)
    if moment is None:
        return "<unknown>"
    return human_duration((datetime.now(timezone.utc) - moment).total_seconds())


def labels_multiline(w: PrefixWriter, title: str, labels: Mapping[str, Any] | None,
                     indent: str = "") -> None:
    w.write(0, f"{indent}{title}:\t")
    if not labels:
        w.line("<none>")
        return
    for index, key in enumerate(sorted(labels)):
        if index:
            w.write(0, f"{indent}\t")
        w.write(0, f"{key}={labels[key]}\n")


def annotations_multiline(w: PrefixWriter, title: str, annotations: Mapping[str, Any] | None) -> None:
    w.write(0, f"{title}:\t")
    keys = sorted(k for k in (annotations or {}) if k not in SKIP_ANNOTATIONS)
    if not keys:
        w.line("<none>")
        return
    assert annotations is not None
    for index, key in enumerate(keys):
        if index:
            w.write(0, "\t")
        value = str(annotations[key])
        value = value[:-1] if value.endswith("\n") else value
        if len(value) + len(key) + 2 > MAX_ANNOTATION_LEN or "\n" in value:
            w.write(0, f"{key}:\n")
            for part in value.split("\n"):
                cut = MAX_ANNOTATION_LEN - 2
                w.write(0, f"\t  {part[:cut] + '...' if len(part) > cut else part}\n")
        else:
            w.write(0, f"{key}: {value}\n")


def tolerations_multiline(w: PrefixWriter, title: str, tolerations: Iterable[Any] | None,
                          indent: str = "") -> None:
    w.write(0, f"{indent}{title}:\t")
    items = sorted((t for t in tolerations or [] if isinstance(t, dict)),
                   key=lambda t: str(t.get("key") or ""))
    if not items:
        w.line("<none>")
        return
    for index, tol in enumerate(items):
        if index:
            w.write(0, f"{indent}\t")
        key, value, effect = (str(tol.get(k) or "") for k in ("key", "value", "effect"))
        text = key + (f"={value}" if value else "") + (f":{effect}" if effect else "")
        if tol.get("operator") == "Exists" and not value:
            text += " op=Exists" if key or effect else "op=Exists"
        if tol.get("tolerationSeconds") is not None:
            text += f" for {tol['tolerationSeconds']}s"
        w.write(0, text + "\n")


def format_labels(labels: Mapping[str, Any] | None) -> str:
    """labels.FormatLabels: sorted `k=v` joined by commas, `<none>` when empty."""
    if not labels:
        return "<none>"
    return ",".join(f"{k}={labels[k]}" for k in sorted(labels))


def bool_word(value: Any) -> str:
    return "True" if value else "False"


def go_bool(value: Any) -> str:
    return "true" if value else "false"
