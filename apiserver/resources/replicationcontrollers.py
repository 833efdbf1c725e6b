"""core/v1 ReplicationController: selector and labels defaulted from the template, replicas 1,
validation of selector, template and restart policy, the table, /scale, and the Orphan
default propagation core/v1 keeps for backward compatibility.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from apiserver.errors import FieldError, forbidden_field, invalid_value, not_supported, required
from apiserver.machinery import names
from apiserver.machinery.objectmeta import validate_annotations, validate_labels
from apiserver.resources.base import AGE_COLUMN, NAME_COLUMN, Column, Obj, ResourceType, ScaleAdapter, metadata_fields
from apiserver.resources.podspec import default_pod_spec
from apiserver.resources.podstatus import container_cells
from apiserver.resources.podvalidation import validate_pod_spec


def default(rc: Obj) -> None:
    spec = rc.get("spec")
    if not isinstance(spec, dict):
        spec = rc["spec"] = {}
    template = spec.get("template")
    if isinstance(template, dict):
        labels = (template.get("metadata") or {}).get("labels")
        if labels:
            if not spec.get("selector"):
                spec["selector"] = dict(labels)
            meta = rc.setdefault("metadata", {})
            if not meta.get("labels"):
                meta["labels"] = dict(labels)
        if not isinstance(template.get("spec"), dict):
            template["spec"] = {}
        default_pod_spec(template["spec"], is_pod=False)
    if spec.get("replicas") is None:
        spec["replicas"] = 1


def prepare_for_create(rc: Obj) -> None:
    rc["status"] = {"replicas": 0}


def _nonnegative(value: Any, path: str) -> list[FieldError]:
    if isinstance(value, int) and value < 0:
        return [invalid_value(path, value, "must be greater than or equal to 0")]
    return []


def validate_template(template: Obj, selector: dict[str, str], path: str) -> list[FieldError]:
    """ValidatePodTemplateSpecForRC: labels match the selector, a valid pod spec, Always."""
    meta = template.get("metadata") or {}
    labels = meta.get("labels") or {}
    errs: list[FieldError] = []
    if selector and any(labels.get(k) != v for k, v in selector.items()):
        errs.append(invalid_value(f"{path}.metadata.labels", labels, "`selector` does not match template `labels`"))
    errs += validate_labels(labels, f"{path}.labels")
    errs += validate_annotations(meta.get("annotations"), f"{path}.annotations")
    pod_spec = template.get("spec") or {}
    errs += validate_pod_spec(pod_spec, f"{path}.spec")
    if pod_spec.get("ephemeralContainers"):
        errs.append(forbidden_field(f"{path}.spec.ephemeralContainers",
                                    "ephemeral containers not allowed in pod template"))
    restart = pod_spec.get("restartPolicy")
    if restart != "Always":
        errs.append(not_supported(f"{path}.spec.restartPolicy", restart or "", ["Always"]))
    if pod_spec.get("activeDeadlineSeconds") is not None:
        errs.append(forbidden_field(f"{path}.spec.activeDeadlineSeconds",
                                    "activeDeadlineSeconds in ReplicationController is not Supported"))
    return errs


def validate(rc: Obj) -> list[FieldError]:
    spec = rc.get("spec") or {}
    selector = spec.get("selector") or {}
    errs = _nonnegative(spec.get("minReadySeconds"), "spec.minReadySeconds")
    if not selector:
        errs.append(required("spec.selector"))
    errs += _nonnegative(spec.get("replicas"), "spec.replicas")
    template = spec.get("template")
    if not isinstance(template, dict):
        errs.append(required("spec.template"))
    else:
        errs += validate_template(template, selector, "spec.template")
    return errs


def fields(rc: Obj) -> dict[str, str]:
    return {**metadata_fields(rc), "status.replicas": str((rc.get("status") or {}).get("replicas") or 0)}


def _selector_string(rc: Obj) -> str:
    from apiserver.machinery.selectors import selector_string_from_map

    return selector_string_from_map((rc.get("spec") or {}).get("selector") or {})


def _set_replicas(rc: Obj, replicas: int) -> None:
    rc.setdefault("spec", {})["replicas"] = replicas


SCALE = ScaleAdapter(
    get_replicas=lambda rc: int((rc.get("spec") or {}).get("replicas") or 0),
    set_replicas=_set_replicas,
    status_replicas=lambda rc: int((rc.get("status") or {}).get("replicas") or 0),
    selector=_selector_string,
)


def _count(section: str, key: str) -> Any:
    return lambda rc, now: int((rc.get(section) or {}).get(key) or 0)


def _template_spec(rc: Obj) -> Any:
    return ((rc.get("spec") or {}).get("template") or {}).get("spec")


def _selector_cell(rc: Obj, now: datetime) -> str:
    from apiserver.machinery.selectors import format_label_map

    return format_label_map((rc.get("spec") or {}).get("selector") or {})


COLUMNS = (
    NAME_COLUMN,
    Column("Desired", _count("spec", "replicas"), type="integer",
           description="Replicas is the number of desired replicas."),
    Column("Current", _count("status", "replicas"), type="integer",
           description="Replicas is the most recently observed number of replicas."),
    Column("Ready", _count("status", "readyReplicas"), type="integer",
           description="The number of ready replicas for this replication controller."),
    AGE_COLUMN,
    Column("Containers", lambda rc, now: container_cells(_template_spec(rc))[0], priority=1,
           description="Names of each container in the template."),
    Column("Images", lambda rc, now: container_cells(_template_spec(rc))[1], priority=1,
           description="Images referenced by each container in the template."),
    Column("Selector", _selector_cell, priority=1,
           description="Selector is a label query over pods that should match the Replicas count."),
)

RESOURCE = ResourceType(
    group="", version="v1", kind="ReplicationController", plural="replicationcontrollers",
    singular="replicationcontroller", namespaced=True, short_names=("rc",), categories=("all",),
    subresources=("status", "scale"), columns=COLUMNS, fields=fields,
    validate_name=names.dns1123_subdomain, has_status=True, tracks_generation=True,
    default_propagation="Orphan", scale=SCALE, default=default, prepare_for_create=prepare_for_create,
    validate=validate,
    description="ReplicationController represents the configuration of a replication controller.",
)
