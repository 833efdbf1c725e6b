"""Strategic-merge-patch metadata for the kinds minik serves, as data.

kube-apiserver reads `patchStrategy` / `patchMergeKey` struct tags from the Go types
(k8s.io/api core/v1, apps/v1, batch/v1); this table holds the same tags for the fields that
carry one. A type maps each such field to (patchStrategy tag, patchMergeKey, the type of the
field's value or, for a list, of its elements). Fields not listed behave like untagged Go
fields: maps merge key by key, lists are replaced whole. A kind is a type of the same name;
an unknown kind still gets ObjectMeta's tags (finalizers, ownerReferences).
"""

from __future__ import annotations

from typing import NamedTuple


class FieldMeta(NamedTuple):
    strategy: str = ""  # the tag as written: "merge", "retainKeys", "merge,retainKeys", "replace"
    merge_key: str = ""
    type: str = ""  # the value's type name ("" when nothing below it is tagged)

    @property
    def merges(self) -> bool:
        """A list with this tag merges element by element instead of being replaced."""
        return "merge" in self.strategy.split(",")

    @property
    def replaces(self) -> bool:
        return "replace" in self.strategy.split(",")


_META = FieldMeta(type="ObjectMeta")
_TEMPLATE = FieldMeta(type="PodTemplateSpec")
_BY_NAME = FieldMeta("merge", "name")
_BY_TYPE = FieldMeta("merge", "type")
_CONTAINERS = FieldMeta("merge", "name", "Container")
_WITH_TEMPLATE = {"metadata": _META, "spec": FieldMeta(type="TemplateSpec"),
                  "status": FieldMeta(type="ConditionsStatus")}

PATCH_META: dict[str, dict[str, FieldMeta]] = {
    # -- shared parts ------------------------------------------------------------------------
    "Object": {"metadata": _META},
    "ObjectMeta": {"finalizers": FieldMeta("merge"), "ownerReferences": FieldMeta("merge", "uid")},
    "PodTemplateSpec": {"metadata": _META, "spec": FieldMeta(type="PodSpec")},
    "PodSpec": {
        "volumes": FieldMeta("merge,retainKeys", "name"),
        "initContainers": _CONTAINERS,
        "containers": _CONTAINERS,
        "ephemeralContainers": _CONTAINERS,
        "imagePullSecrets": _BY_NAME,
        "hostAliases": FieldMeta("merge", "ip"),
        "topologySpreadConstraints": FieldMeta("merge", "topologyKey"),
        "schedulingGates": _BY_NAME,
        "resourceClaims": FieldMeta("merge,retainKeys", "name"),
    },
    "Container": {
        "ports": FieldMeta("merge", "containerPort"),
        "env": _BY_NAME,
        "volumeMounts": FieldMeta("merge", "mountPath"),
        "volumeDevices": FieldMeta("merge", "devicePath"),
    },
    "PodStatus": {
        "conditions": _BY_TYPE,
        "podIPs": FieldMeta("merge", "ip"),
        "hostIPs": FieldMeta("merge", "ip"),
        "resourceClaimStatuses": FieldMeta("merge,retainKeys", "name"),
    },
    # Specs whose only tagged part is the pod template (RC, RS, DaemonSet, StatefulSet, Job).
    "TemplateSpec": {"template": _TEMPLATE},
    # Statuses whose only tagged part is conditions (by type).
    "ConditionsStatus": {"conditions": _BY_TYPE},
    "DeploymentSpec": {"template": _TEMPLATE, "strategy": FieldMeta("retainKeys")},
    "CronJobSpec": {"jobTemplate": FieldMeta(type="JobTemplateSpec")},
    "JobTemplateSpec": {"metadata": _META, "spec": FieldMeta(type="TemplateSpec")},
    "ServiceSpec": {"ports": FieldMeta("merge", "port")},
    "NodeSpec": {"podCIDRs": FieldMeta("merge")},
    "NodeStatus": {"conditions": _BY_TYPE, "addresses": _BY_TYPE},
    # -- kinds ---------------------------------------------------------------------------------
    "Pod": {"metadata": _META, "spec": FieldMeta(type="PodSpec"), "status": FieldMeta(type="PodStatus")},
    "PodTemplate": {"metadata": _META, "template": _TEMPLATE},
    "ReplicationController": _WITH_TEMPLATE,
    "ReplicaSet": _WITH_TEMPLATE,
    "DaemonSet": _WITH_TEMPLATE,
    "StatefulSet": _WITH_TEMPLATE,
    "Job": _WITH_TEMPLATE,
    "Deployment": {"metadata": _META, "spec": FieldMeta(type="DeploymentSpec"),
                   "status": FieldMeta(type="ConditionsStatus")},
    "CronJob": {"metadata": _META, "spec": FieldMeta(type="CronJobSpec")},
    "Service": {"metadata": _META, "spec": FieldMeta(type="ServiceSpec"),
                "status": FieldMeta(type="ConditionsStatus")},
    "Node": {"metadata": _META, "spec": FieldMeta(type="NodeSpec"), "status": FieldMeta(type="NodeStatus")},
    "Namespace": {"metadata": _META, "status": FieldMeta(type="ConditionsStatus")},
    "ServiceAccount": {"metadata": _META, "secrets": _BY_NAME},
    # Nothing tagged beyond ObjectMeta: Endpoints (subsets are replaced whole), ConfigMap,
    # Secret, Event, Lease, EndpointSlice, Binding, Scale.
}

_UNTAGGED = FieldMeta()


def root_type(kind: str) -> str:
    """The type describing a whole object of `kind` ("Object" for kinds not in the table)."""
    return kind if kind in PATCH_META else "Object"


def field_meta(type_name: str, field: str) -> FieldMeta:
    """The tags of `field` in `type_name`; untagged (plain merge semantics) when not listed."""
    return PATCH_META.get(type_name, {}).get(field, _UNTAGGED)
