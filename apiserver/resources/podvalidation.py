"""PodSpec validation (pkg/apis/core/validation): shared by Pods and every pod template, with
the field paths and messages kube-apiserver uses. `path` is where the spec sits (`spec`,
`spec.template.spec`).
"""

from __future__ import annotations

from typing import Any

from apiserver.errors import (FieldError, duplicate, forbidden_field, invalid_value, not_supported,
                              required)
from apiserver.machinery import names
from apiserver.machinery.objectmeta import validate_labels
from apiserver.machinery.quantity import parse_quantity

Obj = dict[str, Any]

PROTOCOLS = ["SCTP", "TCP", "UDP"]
_PULL_POLICIES = ["Always", "IfNotPresent", "Never"]
_RESTART_POLICIES = ["Always", "OnFailure", "Never"]
_DNS_POLICIES = ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"]
_MESSAGE_POLICIES = ["File", "FallbackToLogsOnError"]
_TAINT_EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"]
_MAX_INT32 = 2 ** 31 - 1


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _enum(value: Any, path: str, supported: list[str]) -> list[FieldError]:
    if not value:
        return [required(path)]
    return [] if value in supported else [not_supported(path, value, supported)]


def validate_ports(ports: Any, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    seen: set[str] = set()
    for i, port in enumerate(ports or []):
        port, at = port or {}, f"{path}[{i}]"
        name = port.get("name")
        if name:
            msgs = names.port_name(str(name))
            errs += [invalid_value(f"{at}.name", name, m) for m in msgs]
            if not msgs and name in seen:
                errs.append(duplicate(f"{at}.name", name))
            seen.add(name)
        number = port.get("containerPort")
        if not number:
            errs.append(required(f"{at}.containerPort"))
        else:
            errs += [invalid_value(f"{at}.containerPort", number, m) for m in names.port_number(_int(number) or 0)]
        if port.get("hostPort"):
            errs += [invalid_value(f"{at}.hostPort", port["hostPort"], m)
                     for m in names.port_number(_int(port["hostPort"]) or 0)]
        errs += _enum(port.get("protocol"), f"{at}.protocol", PROTOCOLS)
    return errs


def _validate_env(env: Any, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    for i, var in enumerate(env or []):
        name = (var or {}).get("name")
        if not name:
            errs.append(required(f"{path}[{i}].name"))
        elif "=" in name or not (name.isascii() and name.isprintable()):  # printable ASCII: 32-126
            errs.append(invalid_value(f"{path}[{i}].name", name, "a valid environment variable name must "
                                      "consist only of printable ASCII characters other than '='"))
    return errs


def _validate_resources(resources: Any, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    limits = (resources or {}).get("limits") or {}
    requests = (resources or {}).get("requests") or {}
    for kind, values in (("limits", limits), ("requests", requests)):
        for name, value in values.items():
            try:
                if parse_quantity(value).numerator < 0:  # a Fraction's sign is its numerator's
                    errs.append(invalid_value(f"{path}.{kind}[{name}]", value, "must be greater than or equal to 0"))
            except ValueError as e:
                errs.append(invalid_value(f"{path}.{kind}[{name}]", value, str(e)))
    for name, value in requests.items():
        if name in limits:
            try:
                if parse_quantity(value) > parse_quantity(limits[name]):
                    errs.append(invalid_value(f"{path}.requests", str(value),
                                              f"must be less than or equal to {name} limit of {limits[name]}"))
            except ValueError:
                pass
    return errs


def _validate_mounts(mounts: Any, volumes: set[str], path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    paths: set[str] = set()
    for i, mount in enumerate(mounts or []):
        mount, at = mount or {}, f"{path}[{i}]"
        if not mount.get("name"):
            errs.append(required(f"{at}.name"))
        elif mount["name"] not in volumes:
            errs.append(FieldError("FieldValueNotFound", f"{at}.name", mount["name"]))
        if not mount.get("mountPath"):
            errs.append(required(f"{at}.mountPath"))
        elif mount["mountPath"] in paths:
            errs.append(invalid_value(f"{at}.mountPath", mount["mountPath"], "must be unique"))
        paths.add(mount.get("mountPath") or "")
    return errs


def _validate_container(c: Obj, volumes: set[str], path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    name = c.get("name")
    if not name:
        errs.append(required(f"{path}.name"))
    else:
        msgs = names.dns1123_label(str(name))
        if msgs:
            errs += [invalid_value(f"{path}.name", name, m) for m in msgs]
    if not c.get("image"):
        errs.append(required(f"{path}.image"))
    errs += _enum(c.get("terminationMessagePolicy"), f"{path}.terminationMessagePolicy", _MESSAGE_POLICIES)
    errs += validate_ports(c.get("ports"), f"{path}.ports")
    errs += _validate_env(c.get("env"), f"{path}.env")
    errs += _validate_mounts(c.get("volumeMounts"), volumes, f"{path}.volumeMounts")
    errs += _enum(c.get("imagePullPolicy"), f"{path}.imagePullPolicy", _PULL_POLICIES)
    errs += _validate_resources(c.get("resources"), f"{path}.resources")
    return errs


def _validate_containers(spec: Obj, volumes: set[str], path: str) -> list[FieldError]:
    """Regular containers first, then init containers, whose names must also differ from
    every regular container's (the duplicate is reported on the init container)."""
    containers = spec.get("containers") or []
    errs: list[FieldError] = [] if containers else [required(f"{path}.containers")]
    names_seen: set[str] = set()
    for key in ("containers", "initContainers"):
        items = spec.get(key) or []
        for i, c in enumerate(items):
            c, at = c or {}, f"{path}.{key}[{i}]"
            errs += _validate_container(c, volumes, at)
            name = c.get("name") or ""
            if name and name in names_seen:
                errs.append(duplicate(f"{at}.name", name))
            names_seen.add(name)
        # Init containers run one at a time, so only each one's own host ports may clash.
        groups = [items] if key == "containers" else [[c] for c in items]
        for group in groups:
            errs += _host_port_conflicts(group, f"{path}.{key}")
    return errs


def _host_port_conflicts(containers: list[Any], path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    seen: set[str] = set()
    for ci, c in enumerate(containers):
        for pi, port in enumerate((c or {}).get("ports") or []):
            port = port or {}
            if not port.get("hostPort"):
                continue
            key = f"{port.get('protocol', '')}/{port.get('hostIP', '')}/{port['hostPort']}"
            if key in seen:
                errs.append(duplicate(f"{path}[{ci}].ports[{pi}].hostPort", key))
            seen.add(key)
    return errs


def _validate_volumes(volumes: Any, path: str) -> tuple[set[str], list[FieldError]]:
    errs: list[FieldError] = []
    good: set[str] = set()
    for i, volume in enumerate(volumes or []):
        volume, at = volume or {}, f"{path}[{i}]"
        mine: list[FieldError] = []
        if set(volume) <= {"name"}:
            mine.append(required(at, "must specify a volume type"))
        name = volume.get("name")
        if not name:
            mine.append(required(f"{at}.name"))
        else:
            mine += [invalid_value(f"{at}.name", name, m) for m in names.dns1123_label(str(name))]
        if name in good:
            mine.append(duplicate(f"{at}.name", name))
        if not mine:
            good.add(str(name))
        errs += mine
    return good, errs


def validate_tolerations(tolerations: Any, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    for i, t in enumerate(tolerations or []):
        t, at = t or {}, f"{path}[{i}]"
        key, op, effect = t.get("key") or "", t.get("operator") or "", t.get("effect") or ""
        if key:
            msgs = names.qualified_name(key)
            if msgs:
                errs += [invalid_value(f"{at}.key", key, m) for m in msgs]
        elif op != "Exists":
            errs.append(invalid_value(f"{at}.operator", op, "operator must be Exists when `key` is empty, "
                                      'which means "match all values and all keys"'))
        if t.get("tolerationSeconds") is not None and effect != "NoExecute":
            errs.append(invalid_value(f"{at}.effect", effect,
                                      "effect must be 'NoExecute' when `tolerationSeconds` is set"))
        if op in ("Equal", ""):
            msgs = names.label_value(str(t.get("value") or ""))
            if msgs:
                errs.append(invalid_value(f"{at}.operator", t.get("value"), ";".join(msgs)))
        elif op == "Exists":
            if t.get("value"):
                errs.append(invalid_value(f"{at}.operator", t["value"],
                                          "value must be empty when `operator` is 'Exists'"))
        else:
            errs.append(not_supported(f"{at}.operator", op, ["Equal", "Exists"]))
        if effect and effect not in _TAINT_EFFECTS:
            errs.append(not_supported(f"{at}.effect", effect, _TAINT_EFFECTS))
    return errs


_NAME_CHECKS = {"serviceAccountName": names.dns1123_subdomain, "nodeName": names.dns1123_subdomain,
                "hostname": names.dns1123_label, "subdomain": names.dns1123_label,
                "priorityClassName": names.dns1123_subdomain}


def _name_errors(spec: Obj, path: str, *keys: str) -> list[FieldError]:
    errs: list[FieldError] = []
    for key in keys:
        if spec.get(key):
            msgs = _NAME_CHECKS[key](str(spec[key]))
            if msgs:
                errs += [invalid_value(f"{path}.{key}", spec[key], m) for m in msgs]
    return errs


def _scheduling_errors(spec: Obj, path: str) -> list[FieldError]:
    """ValidatePodSpec's tail, in its order: gates, names, deadline, tolerations, priority."""
    errs: list[FieldError] = []
    for i, gate in enumerate(spec.get("readinessGates") or []):
        kind = (gate or {}).get("conditionType") or ""
        errs += [invalid_value(f"{path}.readinessGates[{i}].conditionType", kind, m)
                 for m in names.qualified_name(kind)]
    errs += _name_errors(spec, path, "serviceAccountName", "nodeName")
    deadline = spec.get("activeDeadlineSeconds")
    if deadline is not None and not (1 <= (_int(deadline) or 0) <= _MAX_INT32):
        errs.append(invalid_value(f"{path}.activeDeadlineSeconds", deadline,
                                  names.inclusive_range_error(1, _MAX_INT32)))
    errs += _name_errors(spec, path, "hostname", "subdomain")
    errs += validate_tolerations(spec.get("tolerations"), f"{path}.tolerations")
    return errs + _name_errors(spec, path, "priorityClassName")


def validate_pod_spec(spec: Any, path: str) -> list[FieldError]:
    """ValidatePodSpec, in kube's order so the joined message reads the same."""
    spec = spec if isinstance(spec, dict) else {}
    errs: list[FieldError] = []
    if spec.get("terminationGracePeriodSeconds") is None:
        errs.append(required(f"{path}.terminationGracePeriodSeconds"))
    volumes, volume_errs = _validate_volumes(spec.get("volumes"), f"{path}.volumes")
    errs += volume_errs
    errs += _validate_containers(spec, volumes, path)
    errs += _enum(spec.get("restartPolicy"), f"{path}.restartPolicy", _RESTART_POLICIES)
    errs += _enum(spec.get("dnsPolicy"), f"{path}.dnsPolicy", _DNS_POLICIES)
    errs += validate_labels(spec.get("nodeSelector"), f"{path}.nodeSelector")
    return errs + _scheduling_errors(spec, path)


def validate_container_images(spec: Obj, path: str) -> list[FieldError]:
    """Pods (not templates) reject images with surrounding whitespace."""
    errs: list[FieldError] = []
    for key in ("containers", "initContainers"):
        for i, c in enumerate(spec.get(key) or []):
            image = (c or {}).get("image") or ""
            if image != image.strip():
                errs.append(invalid_value(f"{path}.{key}[{i}].image", image,
                                          "must not have leading or trailing whitespace"))
    if spec.get("ephemeralContainers"):
        errs.append(forbidden_field(f"{path}.ephemeralContainers", "cannot be set on create"))
    return errs
