"""core/v1 Secret: base64 `data`, write-only `stringData` merged into it, type Opaque by
default and immutable, per-type required keys, the size limit, and the table.
"""

from __future__ import annotations

import base64
import binascii
import re

from apiserver import errors
from apiserver.errors import FieldError, invalid_value, required, too_long
from apiserver.machinery import names
from apiserver.resources.base import AGE_COLUMN, NAME_COLUMN, Column, Obj, ResourceType, metadata_fields
from apiserver.resources.configmaps import MAX_SIZE, immutable_errors

_NOT_BASE64 = re.compile(r"[^A-Za-z0-9+/=]")
# Keys each built-in type must carry (any one of a group, for basic-auth).
_REQUIRED_KEYS: dict[str, list[tuple[str, ...]]] = {
    "kubernetes.io/dockercfg": [(".dockercfg",)],
    "kubernetes.io/dockerconfigjson": [(".dockerconfigjson",)],
    "kubernetes.io/basic-auth": [("username", "password")],
    "kubernetes.io/ssh-auth": [("ssh-privatekey",)],
    "kubernetes.io/tls": [("tls.crt",), ("tls.key",)],
}


def _decode(value: object) -> bytes:
    text = str(value)
    bad = _NOT_BASE64.search(text)
    try:
        if bad is None:
            return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        pass
    offset = bad.start() if bad is not None else (len(text) // 4) * 4
    raise errors.bad_request('Secret in version "v1" cannot be handled as a Secret: '
                             f"illegal base64 data at input byte {offset}")


def default(secret: Obj) -> None:
    """Conversion: stringData is merged into data (winning on conflicts) and never stored."""
    string_data = secret.pop("stringData", None) or {}
    if string_data:
        data = secret.get("data")
        if not isinstance(data, dict):
            data = {}
        for key, value in string_data.items():
            data[key] = base64.b64encode(str(value).encode()).decode()
        secret["data"] = data
    for value in (secret.get("data") or {}).values():
        _decode(value)
    if not secret.get("type"):
        secret["type"] = "Opaque"


def _type_errors(secret: Obj, data: dict[str, object]) -> list[FieldError]:
    kind = secret.get("type") or ""
    if kind == "kubernetes.io/service-account-token":
        annotations = (secret.get("metadata") or {}).get("annotations") or {}
        if not annotations.get("kubernetes.io/service-account.name"):
            return [required("metadata.annotations[kubernetes.io/service-account.name]")]
        return []
    errs = []
    for group in _REQUIRED_KEYS.get(kind, []):
        if not any(key in data for key in group):
            errs += [required(f"data[{key}]") for key in group]
    return errs


def validate(secret: Obj) -> list[FieldError]:
    data = secret.get("data") or {}
    errs: list[FieldError] = []
    size = 0
    for key, value in data.items():
        errs += [invalid_value(f"data[{key}]", key, m) for m in names.config_map_key(str(key))]
        size += len(_decode(value))
    if size > MAX_SIZE:
        errs.append(too_long("data", MAX_SIZE))
    return errs + _type_errors(secret, data)


def validate_update(new: Obj, old: Obj) -> list[FieldError]:
    errs = []
    if new.get("type") != old.get("type"):
        errs.append(invalid_value("type", new.get("type") or "", "field is immutable"))
    return errs + immutable_errors(new, old, ("data",))


def fields(secret: Obj) -> dict[str, str]:
    return {**metadata_fields(secret), "type": str(secret.get("type") or "")}


COLUMNS = (
    NAME_COLUMN,
    Column("Type", lambda s, now: str(s.get("type") or ""),
           description="Used to facilitate programmatic handling of secret data."),
    Column("Data", lambda s, now: len(s.get("data") or {}), description="Data contains the secret data."),
    AGE_COLUMN,
)

RESOURCE = ResourceType(
    group="", version="v1", kind="Secret", plural="secrets", singular="secret", namespaced=True,
    columns=COLUMNS, fields=fields, validate_name=names.dns1123_subdomain, default=default,
    validate=validate, validate_update=validate_update,
    description="Secret holds secret data of a certain type.",
)
