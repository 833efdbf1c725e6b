"""The kinds a replica manager can own pods for, and the pods it makes for them.

An `OwnerKind` says how to address an owner, how it selects pods (an RC's map selector, a
ReplicaSet's LabelSelector) and which component signs its events; `pod_from_template` is
the pod every owner kind creates: template labels, annotations and finalizers, generateName
`<owner>-`, and a controller reference that blocks the owner's foreground deletion.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Callable

from apiserver import errors
from apiserver.controllers import podstate
from apiserver.controllers.client import REPLICA_SETS, REPLICATION_CONTROLLERS, GR
from apiserver.machinery.selectors import (NOTHING, LabelSelector, selector_from_label_selector,
                                           selector_from_map)
from apiserver.resources.base import Obj


@dataclass(frozen=True)
class OwnerKind:
    gr: GR
    kind: str
    api_version: str
    component: str
    selector: Callable[[Obj], LabelSelector]


def _rc_selector(rc: Obj) -> LabelSelector:
    selector = (rc.get("spec") or {}).get("selector")
    return selector_from_map(selector) if selector else NOTHING


def _rs_selector(rs: Obj) -> LabelSelector:
    try:
        selector = selector_from_label_selector((rs.get("spec") or {}).get("selector"))
    except errors.StatusError:
        return NOTHING
    return NOTHING if selector.empty else selector  # never adopt a whole namespace


REPLICATION_CONTROLLER = OwnerKind(REPLICATION_CONTROLLERS, "ReplicationController", "v1",
                                   "replication-controller", _rc_selector)
REPLICA_SET = OwnerKind(REPLICA_SETS, "ReplicaSet", "apps/v1", "replicaset-controller", _rs_selector)


def controller_reference(owner: Obj, kind: OwnerKind) -> Obj:
    m = podstate.meta(owner)
    return {"apiVersion": kind.api_version, "kind": kind.kind, "name": m["name"], "uid": m["uid"],
            "controller": True, "blockOwnerDeletion": True}


def pod_from_template(owner: Obj, kind: OwnerKind) -> Obj:
    m = podstate.meta(owner)
    template = (owner.get("spec") or {}).get("template") or {}
    tmeta = template.get("metadata") or {}
    meta: Obj = {"generateName": f"{m['name']}-", "namespace": m.get("namespace"),
                 "labels": dict(tmeta.get("labels") or {})}
    for field in ("annotations", "finalizers"):
        if tmeta.get(field):
            meta[field] = copy.deepcopy(tmeta[field])
    meta["ownerReferences"] = [controller_reference(owner, kind)]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": copy.deepcopy(template.get("spec") or {})}
