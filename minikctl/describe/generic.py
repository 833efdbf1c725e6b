"""The describer for kinds without their own (events, leases, ...): kubectl's generic one.

Name, namespace, labels and annotations, then every other field in sorted order with
`smartLabelFor` titles (`involvedObject` -> `Involved Object`, `uid` -> `UID`), nested maps one
level deeper, and the object's own events.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from minikctl.describe.events import describe_events, events_of
from minikctl.describe.writer import PrefixWriter, annotations_multiline, labels_multiline
from minikctl.printing.gonum import format_value

if TYPE_CHECKING:
    from minikctl.session import Session

SKIP = (".metadata.managedFields", ".metadata.name", ".metadata.namespace", ".metadata.labels",
        ".metadata.annotations")
ACRONYMS = ("API", "URL", "UID", "GUID")


def _class(char: str) -> int:
    if char.islower():
        return 1
    if char.isupper():
        return 2
    if char.isdigit():
        return 3
    return 4


def camel_split(text: str) -> list[str]:
    """fatih/camelcase.Split: runs of one character class, an upper run giving its last
    letter to a following lower run (`PDFLoader` -> `PDF`, `Loader`)."""
    runs: list[list[str]] = []
    last = 0
    for char in text:
        kind = _class(char)
        if kind == last and runs:
            runs[-1].append(char)
        else:
            runs.append([char])
        last = kind
    for i in range(len(runs) - 1):
        if runs[i] and runs[i][0].isupper() and runs[i + 1] and runs[i + 1][0].islower():
            runs[i + 1].insert(0, runs[i].pop())
    return ["".join(r) for r in runs if r]


def smart_label(field: str) -> str:
    if any(not (c.isalpha() or c == "-") for c in field):
        return field
    parts = camel_split(field)
    merged: list[str] = []
    i = 0
    while i < len(parts):
        part = parts[i]
        upper = all(not c.isalpha() or c.isupper() for c in part)
        if i < len(parts) - 1 and len(part) >= 2 and upper and parts[i + 1][:1].isupper():
            merged.append(part + parts[i + 1])
            i += 2
            continue
        merged.append(part)
        i += 1
    out = []
    for part in merged:
        if part == "_":
            continue
        if part.upper() in ACRONYMS:
            part = part.upper()
        elif part.lower() == part:
            part = part[:1].upper() + part[1:]
        out.append(part)
    return " ".join(out)


def _scalar(value: Any) -> str:
    return value if isinstance(value, str) else format_value(value)


def print_content(w: PrefixWriter, level: int, content: dict[str, Any], prefix: str) -> None:
    for field in sorted(content):
        value, path = content[field], f"{prefix}.{field}"
        if path in SKIP:
            continue
        if isinstance(value, dict):
            w.write(level, f"{smart_label(field)}:\n")
            print_content(w, level + 1, value, path)
        elif isinstance(value, list):
            w.write(level, f"{smart_label(field)}:\n")
            for child in value:
                if isinstance(child, dict):
                    print_content(w, level + 1, child, path)
                else:
                    w.write(level + 1, f"{_scalar(child)}\n")
        else:
            w.write(level, f"{smart_label(field)}:\t{_scalar(value)}\n")


def describe_generic(session: Session, obj: dict[str, Any], show_events: bool) -> str:
    events = events_of(session, obj) if show_events else None
    meta = obj.get("metadata") or {}
    w = PrefixWriter()
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    print_content(w, 0, obj, "")
    if events is not None:
        describe_events(events, w)
    return w.text()
