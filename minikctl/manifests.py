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
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Sequence, TextIO

import yaml

from minikctl.errors import MinikctlError
from minikctl.printing.gonum import format_g

EXTENSIONS = (".json", ".yaml", ".yml")
STDIN_SOURCE = "STDIN"


@dataclass(frozen=True)
class Manifest:
    source: str
    obj: dict[str, Any]


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """YAML 1.1 scalars the way go-yaml v2 reads them: `y`/`n` are booleans, `0o17` and `1e3`
    are numbers, `1:20` and timestamps stay strings."""


_Loader.yaml_implicit_resolvers = {}
_RESOLVERS = [
    ("tag:yaml.org,2002:bool",
     r"^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$",
     "yYnNtTfFoO"),
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:int", r"^[-+]?(?:0[bB][01_]+|0[oO]?[0-7_]+|0[xX][0-9a-fA-F_]+|[0-9][0-9_]*)$",
     "-+0123456789"),
    ("tag:yaml.org,2002:float",
     r"^(?:[-+]?(?:\.[0-9_]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?"
     r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$", "-+0123456789."),
    ("tag:yaml.org,2002:merge", r"^(?:<<)$", ["<"]),
]
for _tag, _pattern, _first in _RESOLVERS:
    _Loader.add_implicit_resolver(_tag, re.compile(_pattern), list(_first))


def _scalar(loader: yaml.BaseLoader, node: yaml.Node) -> str:
    assert isinstance(node, yaml.ScalarNode)
    return str(loader.construct_scalar(node))


def _construct_bool(loader: yaml.BaseLoader, node: yaml.Node) -> bool:
    return _scalar(loader, node).lower() in ("y", "yes", "true", "on")


def _construct_int(loader: yaml.BaseLoader, node: yaml.Node) -> int | float:
    text = _scalar(loader, node).replace("_", "")
    sign, digits = (-1, text[1:]) if text.startswith("-") else (1, text.lstrip("+"))
    try:
        if re.fullmatch(r"0[0-7]+", digits):
            return sign * int(digits, 8)
        return sign * int(digits, 0)
    except ValueError:
        return float(text)  # `08`: not an int for Go's ParseInt, but a float


def _construct_float(loader: yaml.BaseLoader, node: yaml.Node) -> float:
    text = _scalar(loader, node).replace("_", "").lower()
    return float(text.replace(".inf", "inf").replace(".nan", "nan"))


_Loader.add_constructor("tag:yaml.org,2002:bool", _construct_bool)
_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_Loader.add_constructor("tag:yaml.org,2002:float", _construct_float)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _scalar)


def _json_key(key: Any) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    if isinstance(key, float):
        return format_g(key)
    return str(key)


def _to_json_value(value: Any) -> Any:
    """What sigs.k8s.io/yaml's YAMLToJSON makes of a YAML value: string keys everywhere."""
    if isinstance(value, dict):
        return {_json_key(k): _to_json_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_to_json_value(v) for v in value]
    return value


def load_yaml_value(text: str) -> Any:
    """One YAML (or JSON) document as sigs.k8s.io/yaml's YAMLToJSON reads it."""
    return _to_json_value(yaml.load(text, Loader=_Loader))


def yaml_problem(text: str) -> str | None:
    """`yaml: line N: problem` for text that does not parse as one YAML document, else None."""
    try:
        yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as err:
        return f"yaml: line {1 + _error_line(err, text)}: {err.problem or err.context}"
    except yaml.YAMLError as err:
        return f"yaml: {err}"
    return None


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


def _error_line(err: yaml.MarkedYAMLError, doc: str) -> int:
    """0-based line of a YAML error within its document: where the problem was found, unless
    that is the end of the document (an unclosed `[` or quote), then where the construct began."""
    mark = err.problem_mark
    if mark is None or (err.context_mark is not None and mark.index >= len(doc.rstrip())):
        mark = err.context_mark
    return mark.line if mark is not None else 0


def _yaml_documents(text: str, source: str) -> Iterator[Any]:
    for first_line, doc in split_documents(text):
        try:
            value = yaml.load(doc, Loader=_Loader)
        except yaml.MarkedYAMLError as err:
            line = first_line + _error_line(err, doc)
            problem = err.problem or err.context or "invalid YAML"
            raise MinikctlError(f"error parsing {source}: error converting YAML to JSON: "
                                f"yaml: line {line}: {problem}") from None
        except yaml.YAMLError as err:
            raise MinikctlError(f"error parsing {source}: error converting YAML to JSON: "
                                f"yaml: {err}") from None
        if value is not None:
            yield _to_json_value(value)


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
    documents = (_json_documents(text, source) if text.lstrip().startswith("{")
                 else _yaml_documents(text, source))
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
