"""Objects from `-f` arguments: files, directories (`-R` to recurse), `-` for stdin, URLs not.

Like kubectl's builder, a stream that starts with `{` is read as a sequence of JSON values and
anything else as YAML documents split on `---` lines; empty documents are skipped and `kind: List`
is expanded into its items. Documents are produced lazily, so a command handles the documents
before a broken one and then stops, as kubectl does.

Deliberate improvement: a YAML syntax error names the file and the line in the FILE, where
kubectl gives go-yaml's zero-based line within the document.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, Iterator, NamedTuple, Sequence, TextIO

from minikctl.errors import MinikctlError

EXTENSIONS = (".json", ".yaml", ".yml")
STDIN_SOURCE = "STDIN"


# a NamedTuple, not a dataclass: building a dataclass costs ~1 ms of every `-f` run
class Manifest(NamedTuple):
    source: str
    obj: dict[str, Any]


def split_documents(text: str) -> Iterator[tuple[int, str]]:
    """(1-based first line, text) of each YAML document, split as kubectl's YAMLReader does:
    on lines that start with `---` followed by nothing but spaces or a comment."""
    start, lines = 1, list[str]()
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        if line.startswith("---"):
            rest = line[3:].strip()
            if rest and not rest.startswith("#"):
                raise MinikctlError(f"invalid Yaml document separator: {line.rstrip()}")
            if lines:
                yield start, "".join(lines)
            start, lines = number + 1, []
            continue
        lines.append(line)
    if lines:
        yield start, "".join(lines)


def _json_documents(text: str, source: str) -> Iterator[Any]:
    decoder = json.JSONDecoder()
    pos = 0
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            return
        try:
            value, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as err:
            raise MinikctlError(f"error parsing {source}: line {err.lineno}: {err.msg}") from None
        if value is not None:
            yield value


def _check(obj: Any, source: str) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise MinikctlError(f'error validating "{source}": error validating data: invalid object '
                            f"to validate; if you choose to ignore these errors, turn validation "
                            f"off with --validate=false")
    for field in ("apiVersion", "kind"):
        if not obj.get(field):
            raise MinikctlError(f'error validating "{source}": error validating data: {field} '
                                f"not set; if you choose to ignore these errors, turn validation "
                                f"off with --validate=false")
    return obj


def parse_stream(text: str, source: str) -> Iterator[Manifest]:
    """Every object in one file's text, List items expanded, in order."""
    if text.lstrip().startswith("{"):
        documents = _json_documents(text, source)
    else:
        from minikctl.yamlin import documents as yaml_documents  # PyYAML: only for YAML

        documents = yaml_documents(split_documents(text), source)
    for doc in documents:
        obj = _check(doc, source)
        items = obj.get("items")
        if str(obj["kind"]).endswith("List") and isinstance(items, list):
            for item in items:
                yield Manifest(source, _check(item, source))
        else:
            yield Manifest(source, obj)


def expand_paths(filenames: Sequence[str], recursive: bool) -> list[str]:
    """Files named by -f, in kubectl's order; directories are walked in lexical order."""
    paths: list[str] = []
    for given in (p for arg in filenames for p in arg.split(",") if p):
        if given == "-":
            paths.append(given)
            continue
        if given.startswith(("http://", "https://")):
            raise MinikctlError(f'reading manifests from URLs is not supported: "{given}"')
        if not os.path.exists(given):
            raise MinikctlError(f'the path "{given}" does not exist')
        if not os.path.isdir(given):
            paths.append(given)
            continue
        for root, dirs, files in os.walk(given):
            dirs[:] = sorted(dirs) if recursive else []
            paths.extend(os.path.join(root, f) for f in sorted(files)
                         if f.endswith(EXTENSIONS))
    return paths


def iter_manifests(filenames: Sequence[str], recursive: bool = False,
                   stdin: TextIO | None = None) -> Iterator[Manifest]:
    for path in expand_paths(filenames, recursive):
        if path == "-":
            text, source = (stdin or sys.stdin).read(), STDIN_SOURCE
        else:
            try:
                text, source = Path(path).read_text(encoding="utf-8"), path
            except (OSError, UnicodeDecodeError) as err:
                raise MinikctlError(f"error reading {path}: {err}") from None
        yield from parse_stream(text, source)
