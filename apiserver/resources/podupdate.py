"""What a Pod update may change (ValidatePodUpdate): container images, activeDeadlineSeconds
(set, or lowered), added tolerations, and terminationGracePeriodSeconds from negative to 1.
Anything else in the spec is refused with kube's message and a short diff.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from apiserver.errors import FieldError, forbidden_field, invalid_value, required
from apiserver.machinery.names import inclusive_range_error

Obj = dict[str, Any]

UPDATABLE = ("`spec.containers[*].image`", "`spec.initContainers[*].image`", "`spec.activeDeadlineSeconds`",
             "`spec.tolerations` (only additions to existing tolerations)",
             "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)")
FORBIDDEN_MSG = "pod updates may not change fields other than " + ",".join(UPDATABLE)
_MAX_INT32 = 2 ** 31 - 1


def _container_errors(new: list[Any], old: list[Any], path: str) -> tuple[list[FieldError], bool]:
    if len(new) != len(old):
        return [forbidden_field(path, "pod updates may not add or remove containers")], True
    errs: list[FieldError] = []
    for i, c in enumerate(new):
        image = (c or {}).get("image") or ""
        if not image:
            errs.append(required(f"{path}[{i}].image"))
        elif image != image.strip():
            errs.append(invalid_value(f"{path}[{i}].image", image, "must not have leading or trailing whitespace"))
    return errs, False


def _deadline_errors(new: Any, old: Any) -> list[FieldError]:
    path = "spec.activeDeadlineSeconds"
    if new is None:
        if old is None:
            return []
        return [invalid_value(path, None, "must not update from a positive integer to nil value")]
    if not isinstance(new, int) or new < 0 or new > _MAX_INT32:
        return [invalid_value(path, new, inclusive_range_error(0, _MAX_INT32))]
    if isinstance(old, int) and old < new:
        return [invalid_value(path, new, "must be less than or equal to previous value")]
    return []


def _toleration_errors(new: list[Any], old: list[Any]) -> list[FieldError]:
    for existing in old:
        base = {k: v for k, v in (existing or {}).items() if k != "tolerationSeconds"}
        if not any({k: v for k, v in (t or {}).items() if k != "tolerationSeconds"} == base for t in new):
            return [forbidden_field("spec.tolerations",
                                    "existing toleration can not be modified except its tolerationSeconds")]
    return []


def _munged(new_spec: Obj, old_spec: Obj) -> Obj:
    """The new spec with every updatable field put back to its old value."""
    spec = copy.deepcopy(new_spec)
    for key in ("containers", "initContainers"):
        for c, before in zip(spec.get(key) or [], old_spec.get(key) or []):
            if isinstance(c, dict) and isinstance(before, dict):
                c["image"] = before.get("image")
    for key in ("activeDeadlineSeconds", "tolerations", "schedulingGates"):
        if key in old_spec:
            spec[key] = old_spec[key]
        else:
            spec.pop(key, None)
    old_grace = old_spec.get("terminationGracePeriodSeconds")
    if isinstance(old_grace, int) and old_grace < 0 and spec.get("terminationGracePeriodSeconds") == 1:
        spec["terminationGracePeriodSeconds"] = old_grace
    return spec


def _diff(old: Any, new: Any, path: str, out: list[str]) -> None:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new)):
            _diff(old.get(key), new.get(key), f"{path}.{key}", out)
    elif isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for i, (a, b) in enumerate(zip(old, new)):
            _diff(a, b, f"{path}[{i}]", out)
    elif old != new:
        out.append(f"- \t{path}: {json.dumps(old)}")
        out.append(f"+ \t{path}: {json.dumps(new)}")


def spec_diff(old: Obj, new: Obj) -> str:
    """A short stand-in for the go-cmp diff kube appends (that format is Go-specific)."""
    lines: list[str] = []
    _diff(old, new, "spec", lines)
    return "\n".join(["  core.PodSpec{", *lines, "  }", ""])


def validate_pod_update(new: Obj, old: Obj) -> list[FieldError]:
    new_spec, old_spec = new.get("spec") or {}, old.get("spec") or {}
    errs: list[FieldError] = []
    for key in ("containers", "initContainers"):
        found, stop = _container_errors(new_spec.get(key) or [], old_spec.get(key) or [], f"spec.{key}")
        errs += found
        if stop:
            return errs
    deadline = _deadline_errors(new_spec.get("activeDeadlineSeconds"), old_spec.get("activeDeadlineSeconds"))
    errs += deadline
    if deadline and new_spec.get("activeDeadlineSeconds") is not None:
        return errs
    errs += _toleration_errors(new_spec.get("tolerations") or [], old_spec.get("tolerations") or [])
    if new_spec == old_spec:
        return errs
    munged = _munged(new_spec, old_spec)
    if munged != old_spec:
        errs.append(forbidden_field("spec", FORBIDDEN_MSG + "\n" + spec_diff(old_spec, munged)))
    return errs
