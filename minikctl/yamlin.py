"""YAML input the way kubectl reads it (sigs.k8s.io/yaml over go-yaml v2): `-f` documents,
`patch -p` and the text saved from `edit`.

Kept apart from manifests.py so that JSON input (and every command without `-f`) never imports
PyYAML, whose import costs more than the rest of a short `create -f`.
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Iterator

import yaml

from minikctl.errors import MinikctlError
from minikctl.printing.gonum import format_g


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


def _error_line(err: yaml.MarkedYAMLError, doc: str) -> int:
    """0-based line of a YAML error within its document: where the problem was found, unless
    that is the end of the document (an unclosed `[` or quote), then where the construct began."""
    mark = err.problem_mark
    if mark is None or (err.context_mark is not None and mark.index >= len(doc.rstrip())):
        mark = err.context_mark
    return mark.line if mark is not None else 0


def documents(split: Iterable[tuple[int, str]], source: str) -> Iterator[Any]:
    """The value of each (first line, text) document; an error names `source` and the line in
    the whole file."""
    for first_line, doc in split:
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
