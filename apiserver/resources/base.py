"""ResourceType: everything the generic code needs to know about one kind.

One frozen value per kind (`resources/<plural>.py`), consulted by the registry, the routes,
discovery and the table printer; code outside `resources/` never branches on the kind.
Hooks mutate the object dict in place or return field errors; they run in the fixed order
owned by the registry: default -> admit -> prepare_for_create/update -> validate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Awaitable, Callable, Protocol

from apiserver.errors import FieldError

Obj = dict[str, Any]

STANDARD_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")


@dataclass(frozen=True)
class Column:
    """A Table column: `cell(obj, now)` gives the cell value. priority 1 = `-o wide` only."""

    name: str
    cell: Callable[[Obj, datetime], Any]
    type: str = "string"
    priority: int = 0
    format: str = ""
    description: str = ""


class AdmissionContext(Protocol):
    """What an admission hook may consult: server settings, per-kind scratch state and the
    current objects of any kind (read-only snapshots)."""

    @property
    def config(self) -> Any: ...

    def state(self, key: str, factory: Callable[[], Any]) -> Any:
        """Per-server mutable state shared by hooks (for example an IP allocator)."""
        ...

    async def list_objects(self, plural: str, group: str = "", namespace: str | None = None) -> list[Obj]: ...


@dataclass(frozen=True)
class ScaleAdapter:
    """How /scale maps onto the parent (autoscaling/v1 Scale)."""

    get_replicas: Callable[[Obj], int]
    set_replicas: Callable[[Obj, int], None]
    status_replicas: Callable[[Obj], int]
    selector: Callable[[Obj], str]


def _noop_default(obj: Obj) -> None:
    return None


def _noop_update(new: Obj, old: Obj) -> None:
    return None


def _no_errors(obj: Obj) -> list[FieldError]:
    return []


def _no_update_errors(new: Obj, old: Obj) -> list[FieldError]:
    return []


async def _no_admit(obj: Obj, old: Obj | None, ctx: AdmissionContext) -> None:
    return None


async def _no_release(obj: Obj, ctx: AdmissionContext) -> None:
    return None


def metadata_fields(obj: Obj) -> dict[str, str]:
    meta = obj.get("metadata") or {}
    fields = {"metadata.name": meta.get("name", "")}
    if "namespace" in meta:
        fields["metadata.namespace"] = meta.get("namespace") or ""
    return fields


def _age(obj: Obj, now: datetime) -> str:
    # Imported lazily to keep this module free of cycles with machinery.
    from apiserver.machinery.duration import age

    return age(obj, now)


NAME_COLUMN = Column("Name", lambda o, now: (o.get("metadata") or {}).get("name", ""), format="name",
                     description="Name must be unique within a namespace. Is required when creating "
                                 "resources, although some resources may allow a client to request the "
                                 "generation of an appropriate name automatically. Name is primarily "
                                 "intended for creation idempotence and configuration definition. "
                                 "Cannot be updated. More info: "
                                 "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names")
AGE_COLUMN = Column("Age", _age,
                    description="CreationTimestamp is a timestamp representing the server time when "
                                "this object was created.")
# Kinds without a printer: kube-apiserver's default table.
DEFAULT_COLUMNS = (NAME_COLUMN,
                   Column("Created At", lambda o, now: (o.get("metadata") or {}).get("creationTimestamp"),
                          type="date", description=AGE_COLUMN.description))


@dataclass(frozen=True)
class ResourceType:
    group: str
    version: str
    kind: str
    plural: str
    singular: str
    namespaced: bool
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    verbs: tuple[str, ...] = STANDARD_VERBS
    # Subresources served generically: "status", "scale"; "binding" and "log" for pods.
    subresources: tuple[str, ...] = ()
    columns: tuple[Column, ...] = DEFAULT_COLUMNS
    # Selectable fields for fieldSelector, as strings (kube compares them as strings).
    fields: Callable[[Obj], dict[str, str]] = metadata_fields
    # Returns the messages of what is wrong with a name (empty when valid).
    validate_name: Callable[[str], list[str]] | None = None
    # The main endpoint keeps the stored status; /status keeps the stored spec.
    has_status: bool = False
    # metadata.generation starts at 1 and grows with each spec change.
    tracks_generation: bool = False
    # PUT of a missing object creates it (Lease, Endpoints, Event, Service).
    create_on_update: bool = False
    # PUT without metadata.resourceVersion is 422 (Lease).
    require_resource_version: bool = False
    # DELETE answers with the object (Pod, Service, Namespace) instead of a Success Status.
    delete_returns_object: bool = False
    # Propagation when a DELETE names none (core/v1 RC: Orphan).
    default_propagation: str = "Background"
    scale: ScaleAdapter | None = None
    default: Callable[[Obj], None] = _noop_default
    prepare_for_create: Callable[[Obj], None] = _noop_default
    prepare_for_update: Callable[[Obj, Obj], None] = _noop_update
    validate: Callable[[Obj], list[FieldError]] = _no_errors
    validate_update: Callable[[Obj, Obj], list[FieldError]] = _no_update_errors
    # Allocations that need cluster state (ClusterIP, NodePort); may raise StatusError.
    admit: Callable[[Obj, Obj | None, AdmissionContext], Awaitable[None]] = _no_admit
    # Frees what admit allocated, after a delete.
    release: Callable[[Obj, AdmissionContext], Awaitable[None]] = _no_release
    # Grace period for a DELETE (given the requested one, or None), or None when the kind
    # deletes at once. 0 means delete now.
    grace_period: Callable[[Obj, int | None], int | None] | None = None
    # POST <name>/binding (pods): applies a Binding body to the stored object in place;
    # raises StatusError (409 when already bound).
    bind: Callable[[Obj, Obj], None] | None = None
    # DELETE of this object is refused (immortal namespaces): raise StatusError.
    validate_delete: Callable[[Obj], None] | None = None
    # Kind-specific finalization still pending (namespaces: spec.finalizers not empty); while
    # True a deleted object stays, marked. `prepare_for_delete` marks it (phase Terminating).
    deletion_blocked: Callable[[Obj], bool] | None = None
    prepare_for_delete: Callable[[Obj], None] | None = None
    # Subresources kube has but minik cannot serve (pods/exec on simulated nodes): each
    # answers a 400 Status with its message instead of a bare 404. Not in discovery.
    unserved_subresources: dict[str, str] = field(default_factory=dict)
    # Sent as a Warning header with every answer about this kind (deprecated kinds).
    deprecation: str = ""
    description: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def list_kind(self) -> str:
        return self.kind + "List"

    @property
    def group_resource(self) -> str:
        return f"{self.plural}.{self.group}" if self.group else self.plural

    def key(self, namespace: str | None, name: str) -> str:
        """Storage key: /registry/<group>/<plural>/<ns>/<name> (cluster-scoped: no <ns>)."""
        return self.prefix(namespace) + name

    def prefix(self, namespace: str | None) -> str:
        base = f"/registry/{self.group or 'core'}/{self.plural}/"
        if self.namespaced and namespace:
            return f"{base}{namespace}/"
        return base
