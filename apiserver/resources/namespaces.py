"""core/v1 Namespace: phase Active on create, the `kubernetes` spec finalizer that holds a
deleted namespace until the namespace controller has emptied it, the name label, the
immortal system namespaces, and the table.
"""

from __future__ import annotations

from apiserver import errors
from apiserver.errors import FieldError, invalid_value
from apiserver.machinery import names
from apiserver.resources.base import AGE_COLUMN, NAME_COLUMN, Column, Obj, ResourceType, metadata_fields

NAME_LABEL = "kubernetes.io/metadata.name"
KUBE_FINALIZER = "kubernetes"
IMMORTAL = ("default", "kube-system", "kube-public")
_STANDARD_FINALIZERS = (KUBE_FINALIZER, "orphan", "foregroundDeletion")


def _label_name(ns: Obj) -> None:
    meta = ns.setdefault("metadata", {})
    if meta.get("name"):
        labels = meta.get("labels")
        if not isinstance(labels, dict):
            labels = meta["labels"] = {}
        labels[NAME_LABEL] = meta["name"]


def default(ns: Obj) -> None:
    _label_name(ns)


def prepare_for_create(ns: Obj) -> None:
    spec = ns.get("spec")
    if not isinstance(spec, dict):
        spec = {}
    finalizers = list(spec.get("finalizers") or [])
    if KUBE_FINALIZER not in finalizers:
        finalizers.append(KUBE_FINALIZER)
    spec["finalizers"] = finalizers
    ns["spec"] = spec
    ns["status"] = {"phase": "Active"}
    _label_name(ns)


def prepare_for_update(new: Obj, old: Obj) -> None:
    _label_name(new)


def validate(ns: Obj) -> list[FieldError]:
    errs: list[FieldError] = []
    for name in (ns.get("spec") or {}).get("finalizers") or []:
        msgs = names.qualified_name(str(name))
        if not msgs and "/" not in str(name) and name not in _STANDARD_FINALIZERS:
            msgs = ["name is neither a standard finalizer name nor is it fully qualified"]
        errs += [invalid_value("spec.finalizers", name, m) for m in msgs]
    return errs


def validate_delete(ns: Obj) -> None:
    name = (ns.get("metadata") or {}).get("name", "")
    if name in IMMORTAL:
        raise errors.forbidden("namespaces", "", name, "this namespace may not be deleted")


def deletion_blocked(ns: Obj) -> bool:
    return bool((ns.get("spec") or {}).get("finalizers"))


def prepare_for_delete(ns: Obj) -> None:
    ns.setdefault("status", {})["phase"] = "Terminating"


def fields(ns: Obj) -> dict[str, str]:
    return {**metadata_fields(ns), "status.phase": str((ns.get("status") or {}).get("phase") or "")}


COLUMNS = (
    NAME_COLUMN,
    Column("Status", lambda ns, now: str((ns.get("status") or {}).get("phase") or ""),
           description="The status of the namespace"),
    AGE_COLUMN,
)

RESOURCE = ResourceType(
    group="", version="v1", kind="Namespace", plural="namespaces", singular="namespace", namespaced=False,
    short_names=("ns",), verbs=("create", "delete", "get", "list", "patch", "update", "watch"),
    subresources=("status", "finalize"), columns=COLUMNS, fields=fields, validate_name=names.dns1123_label,
    has_status=True, delete_returns_object=True, default=default, prepare_for_create=prepare_for_create,
    prepare_for_update=prepare_for_update, validate=validate, validate_delete=validate_delete,
    deletion_blocked=deletion_blocked, prepare_for_delete=prepare_for_delete,
    description="Namespace provides a scope for Names.",
)
