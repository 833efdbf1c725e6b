"""The Kubernetes API schemas, read from the `kubernetes-validate` package at run time, and
kube-apiserver's server-side field validation (`?fieldValidation=`) built on them.

The package ships every 1.37 type as JSON Schema `$defs` (descriptions, required fields and
the `x-kubernetes-*` extensions kubectl reads). They are loaded once, on first use, so the
server starts without paying for them. Field validation mirrors kube's strict decoding (the
walk itself is `apiserver.strictdecode`): an object key the Go type does not declare is an
`unknown field "<path>"`, a key given twice is a `duplicate field "<path>"`.
"""

from __future__ import annotations

import importlib.util
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

import orjson

from apiserver import errors
from apiserver.machinery import gojson

# The release minik serves (discovery's VERSION_INFO); the newest schema set not newer wins.
KUBE_VERSION = (1, 37)
REF_PREFIX = "#/$defs/"
Schema = dict[str, Any]

_DIR_NAME = re.compile(r"v(\d+)\.(\d+)\.(\d+)-local$")
DIRECTIVES = ("Ignore", "Warn", "Strict")


class SchemasUnavailableError(RuntimeError):
    """The kubernetes-validate package or its schema files are missing."""


def _schema_dir() -> Path:
    # find_spec locates the package without importing it (its import pulls in jsonschema).
    spec = importlib.util.find_spec("kubernetes_validate")
    if spec is None or not spec.submodule_search_locations:
        raise SchemasUnavailableError("the kubernetes-validate package is not installed")
    root = Path(list(spec.submodule_search_locations)[0]) / "kubernetes-json-schema"
    found = []
    for child in root.iterdir() if root.is_dir() else ():
        m = _DIR_NAME.match(child.name)
        if m and (child / "_definitions.json").is_file():
            version = tuple(int(g) for g in m.groups())
            if version[:2] <= KUBE_VERSION:
                found.append((version, child))
    if not found:
        raise SchemasUnavailableError(f"no schemas for Kubernetes <= {KUBE_VERSION} under {root}")
    return max(found)[1]


@lru_cache(maxsize=1)
def definitions() -> dict[str, Schema]:
    """Every type's schema by its OpenAPI name (`io.k8s.api.core.v1.Pod`), as the package
    writes it: JSON Schema types (`["string", "null"]`) and `#/$defs/` references."""
    with open(_schema_dir() / "_definitions.json", "rb") as f:
        defs: dict[str, Schema] = orjson.loads(f.read())["$defs"]
    return defs


@lru_cache(maxsize=1)
def _by_gvk() -> dict[tuple[str, str, str], str]:
    index: dict[tuple[str, str, str], str] = {}
    for name, schema in definitions().items():
        for gvk in schema.get("x-kubernetes-group-version-kind") or ():
            # A kind's own package wins over types registered in every group (DeleteOptions).
            key = (gvk.get("group", ""), gvk.get("version", ""), gvk.get("kind", ""))
            index.setdefault(key, name)
    return index


def definition_name(group: str, version: str, kind: str) -> str | None:
    return _by_gvk().get((group, version, kind))


def ref_name(schema: Schema) -> str | None:
    ref = schema.get("$ref")
    return ref[len(REF_PREFIX):] if isinstance(ref, str) and ref.startswith(REF_PREFIX) else None


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        name = ref_name(node)
        if name:
            yield name
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def closure(names: list[str]) -> list[str]:
    """The named types and every type they reference, sorted by name."""
    defs = definitions()
    seen: set[str] = set()
    stack = [n for n in names if n in defs]
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        stack.extend(r for r in _refs(defs[name]) if r in defs and r not in seen)
    return sorted(seen)


# -- strict decoding (apiserver.strictdecode) -------------------------------------------------

def unknown_fields(obj: dict[str, Any], group: str, version: str, kind: str, *,
                   patch: bool = False) -> list[str]:
    """Dotted paths of the fields in `obj` that the kind's schema does not define. With
    `patch`, `obj` is a merge or strategic-merge patch: directives and nulls are skipped."""
    from apiserver import strictdecode

    return strictdecode.unknown_fields(obj, group, version, kind, patch=patch)


def field_problems(obj: Any, group: str, version: str, kind: str, body: bytes | None = None, *,
                   patch: bool = False) -> list[str]:
    """kube's strict-decoding messages for a request (see `strictdecode.field_problems`)."""
    from apiserver import strictdecode

    return strictdecode.field_problems(obj, group, version, kind, body, patch=patch)


def validation_directive(value: str | None, options_kind: str) -> str:
    """The fieldValidation query parameter: Ignore, Warn or Strict; absent means Warn, as in
    kube-apiserver. `options_kind` (CreateOptions, UpdateOptions, PatchOptions) names the
    options in the 422 an unsupported value gets."""
    if value is None or value == "":
        return "Warn"
    if value not in DIRECTIVES:
        raise errors.invalid(options_kind, "meta.k8s.io", "", [
            errors.not_supported("fieldValidation", value, ["", *sorted(DIRECTIVES)])])
    return value


def strict_decoding_error(kind: str, version: str, problems: list[str]) -> errors.StatusError:
    """400 for a create or update body under fieldValidation=Strict."""
    return errors.bad_request(f'{kind} in version "{version}" cannot be handled as a {kind}: '
                              f'strict decoding error: {", ".join(problems)}')


def strict_patch_error(patch: Any, problems: list[str]) -> errors.StatusError:
    """422 for a patch under fieldValidation=Strict, naming neither kind nor object. kube
    shows a strategic merge patch as Go prints the decoded map (`map[spec:map[foo:1]]`): pass
    the patch. For JSON and merge patches it shows the patched object's JSON: pass that text."""
    shown = gojson.format_value(patch)
    return errors.invalid("", "", "", [errors.invalid_value(
        "patch", shown, f'strict decoding error: {", ".join(problems)}')])
