"""core/v1 ConfigMap: key rules, the 1 MiB size limit, `immutable`, and the DATA column."""

from __future__ import annotations

import base64
import binascii

from apiserver.errors import FieldError, forbidden_field, invalid_value, too_long
from apiserver.machinery import names
from apiserver.resources.base import AGE_COLUMN, NAME_COLUMN, Column, Obj, ResourceType

MAX_SIZE = 1024 * 1024
IMMUTABLE_MSG = "field is immutable when `immutable` is set"


def _binary_size(value: object) -> int:
    try:
        return len(base64.b64decode(str(value), validate=True))
    except (binascii.Error, ValueError):
        return len(str(value))


def validate(cm: Obj) -> list[FieldError]:
    data, binary = cm.get("data") or {}, cm.get("binaryData") or {}
    errs: list[FieldError] = []
    size = 0
    for key, value in data.items():
        errs += [invalid_value(f"data[{key}]", key, m) for m in names.config_map_key(str(key))]
        size += len(str(value).encode())
    for key, value in binary.items():
        errs += [invalid_value(f"binaryData[{key}]", key, m) for m in names.config_map_key(str(key))]
        if key in data:
            errs.append(invalid_value(f"data[{key}]", key, "duplicate of key present in data"))
        size += _binary_size(value)
    if size > MAX_SIZE:
        errs.append(too_long("", MAX_SIZE))  # "" is kube's way to blame the whole object
    return errs


def immutable_errors(new: Obj, old: Obj, keys: tuple[str, ...]) -> list[FieldError]:
    """Once `immutable: true`, it stays, and so does the data."""
    if old.get("immutable") is not True:
        return []
    errs = [] if new.get("immutable") is True else [forbidden_field("immutable", IMMUTABLE_MSG)]
    return errs + [forbidden_field(key, IMMUTABLE_MSG) for key in keys if new.get(key) != old.get(key)]


def validate_update(new: Obj, old: Obj) -> list[FieldError]:
    return immutable_errors(new, old, ("data", "binaryData"))


COLUMNS = (
    NAME_COLUMN,
    Column("Data", lambda cm, now: len(cm.get("data") or {}) + len(cm.get("binaryData") or {}),
           description="Data contains the configuration data."),
    AGE_COLUMN,
)

RESOURCE = ResourceType(
    group="", version="v1", kind="ConfigMap", plural="configmaps", singular="configmap", namespaced=True,
    short_names=("cm",), columns=COLUMNS, validate_name=names.dns1123_subdomain, validate=validate,
    validate_update=validate_update,
    description="ConfigMap holds configuration data for pods to consume.",
)
