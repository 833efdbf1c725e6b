"""coordination.k8s.io/v1 Lease: leader election and node heartbeats. Updates must carry a
resourceVersion (client-go and kopf rely on the 409), a PUT may create, times are MicroTime.
"""

from __future__ import annotations

from apiserver.errors import FieldError, invalid_value
from apiserver.machinery import names
from apiserver.machinery.duration import format_micro_time, parse_time
from apiserver.resources.base import AGE_COLUMN, NAME_COLUMN, Column, Obj, ResourceType


def default(lease: Obj) -> None:
    spec = lease.get("spec")
    for key in ("acquireTime", "renewTime"):
        if isinstance(spec, dict) and spec.get(key):
            try:
                spec[key] = format_micro_time(parse_time(str(spec[key])))
            except ValueError:
                pass


def validate(lease: Obj) -> list[FieldError]:
    spec = lease.get("spec") or {}
    errs: list[FieldError] = []
    duration, transitions = spec.get("leaseDurationSeconds"), spec.get("leaseTransitions")
    if isinstance(duration, int) and duration <= 0:
        errs.append(invalid_value("spec.leaseDurationSeconds", duration, "must be greater than 0"))
    if isinstance(transitions, int) and transitions < 0:
        errs.append(invalid_value("spec.leaseTransitions", transitions, "must be greater than or equal to 0"))
    return errs


COLUMNS = (
    NAME_COLUMN,
    Column("Holder", lambda lease, now: str((lease.get("spec") or {}).get("holderIdentity") or ""),
           description="holderIdentity contains the identity of the holder of a current lease."),
    AGE_COLUMN,
)

RESOURCE = ResourceType(
    group="coordination.k8s.io", version="v1", kind="Lease", plural="leases", singular="lease",
    namespaced=True, columns=COLUMNS, validate_name=names.dns1123_subdomain, create_on_update=True,
    require_resource_version=True, default=default, validate=validate,
    description="Lease defines a lease concept.",
)
