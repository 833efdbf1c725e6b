"""The Volumes block of a pod or pod template description.

Each volume prints its source with kubectl's explanation of that source type; the sources a
local cluster can meet are covered, any other prints `<unknown>`.
"""

from __future__ import annotations

from typing import Any, Callable

from minikctl.describe.writer import PrefixWriter, go_bool
from minikctl.quantity import parse


def _empty_dir(w: PrefixWriter, source: dict[str, Any]) -> None:
    limit = "<unset>"
    if source.get("sizeLimit") is not None:
        size = parse(source["sizeLimit"])
        limit = str(size) if size.value > 0 else "<unset>"
    w.write(2, f"Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n"
               f"    Medium:\t{source.get('medium') or ''}\n    SizeLimit:\t{limit}\n")


def _host_path(w: PrefixWriter, source: dict[str, Any]) -> None:
    w.write(2, f"Type:\tHostPath (bare host directory volume)\n    Path:\t{source.get('path') or ''}\n"
               f"    HostPathType:\t{source.get('type') or '<none>'}\n")


def _secret(w: PrefixWriter, source: dict[str, Any]) -> None:
    w.write(2, f"Type:\tSecret (a volume populated by a Secret)\n"
               f"    SecretName:\t{source.get('secretName') or ''}\n"
               f"    Optional:\t{go_bool(source.get('optional'))}\n")


def _config_map(w: PrefixWriter, source: dict[str, Any]) -> None:
    w.write(2, f"Type:\tConfigMap (a volume populated by a ConfigMap)\n"
               f"    Name:\t{source.get('name') or ''}\n"
               f"    Optional:\t{go_bool(source.get('optional'))}\n")


def _claim(w: PrefixWriter, source: dict[str, Any]) -> None:
    w.write(2, "Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same "
               f"namespace)\n    ClaimName:\t{source.get('claimName') or ''}\n"
               f"    ReadOnly:\t{go_bool(source.get('readOnly'))}\n")


def _nfs(w: PrefixWriter, source: dict[str, Any]) -> None:
    w.write(2, f"Type:\tNFS (an NFS mount that lasts the lifetime of a pod)\n"
               f"    Server:\t{source.get('server') or ''}\n    Path:\t{source.get('path') or ''}\n"
               f"    ReadOnly:\t{go_bool(source.get('readOnly'))}\n")


def _downward(w: PrefixWriter, source: dict[str, Any]) -> None:
    w.write(2, "Type:\tDownwardAPI (a volume populated by information about the pod)\n    Items:\n")
    for item in source.get("items") or []:
        if item.get("fieldRef"):
            w.write(3, f"{item['fieldRef'].get('fieldPath')} -> {item.get('path')}\n")
        if item.get("resourceFieldRef"):
            w.write(3, f"{item['resourceFieldRef'].get('resource')} -> {item.get('path')}\n")


def _projected(w: PrefixWriter, source: dict[str, Any]) -> None:
    w.write(2, "Type:\tProjected (a volume that contains injected data from multiple sources)\n")
    for item in source.get("sources") or []:
        if item.get("secret") is not None:
            ref = item["secret"] or {}
            w.write(2, f"SecretName:\t{ref.get('name') or ''}\n"
                       f"    Optional:\t{go_bool(ref.get('optional'))}\n")
        elif item.get("downwardAPI") is not None:
            w.write(2, "DownwardAPI:\ttrue\n")
        elif item.get("configMap") is not None:
            ref = item["configMap"] or {}
            w.write(2, f"ConfigMapName:\t{ref.get('name') or ''}\n"
                       f"    Optional:\t{go_bool(ref.get('optional'))}\n")
        elif item.get("serviceAccountToken") is not None:
            seconds = (item["serviceAccountToken"] or {}).get("expirationSeconds")
            w.write(2, f"TokenExpirationSeconds:\t{seconds}\n")


SOURCES: dict[str, Callable[[PrefixWriter, dict[str, Any]], None]] = {
    "hostPath": _host_path, "emptyDir": _empty_dir, "secret": _secret, "configMap": _config_map,
    "nfs": _nfs, "persistentVolumeClaim": _claim, "downwardAPI": _downward,
    "projected": _projected,
}


def describe_volumes(w: PrefixWriter, volumes: list[dict[str, Any]] | None, space: str) -> None:
    if not volumes:
        w.write(0, f"{space}Volumes:\t<none>\n")
        return
    w.write(0, f"{space}Volumes:\n")
    for volume in volumes:
        w.write(1, f"{' ' if space else ''}{volume.get('name')}:\n")
        for key, printer in SOURCES.items():
            if volume.get(key) is not None:
                printer(w, volume[key] or {})
                break
        else:
            w.write(1, "<unknown>\n")
