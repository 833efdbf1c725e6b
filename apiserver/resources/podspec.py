"""PodSpec defaults (core/v1 defaults.go) shared by Pods and pod templates, and the QoS class
(pkg/apis/core/helper/qos). Pod-only defaults (requests from limits, enableServiceLinks, host
network ports) apply when `is_pod`; kube applies them to Pods and never to templates.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from apiserver.machinery.quantity import parse_quantity

Obj = dict[str, Any]

_VOLUME_MODES = ("secret", "configMap", "projected", "downwardAPI")


def image_tag(image: str) -> str:
    """The tag ParseImageName finds: `latest` when neither tag nor digest is given, "" when
    the reference does not parse (docker references reject upper-case repositories)."""
    name, _, digest = image.partition("@")
    if not name or name != name.strip():
        return ""
    last = name.rsplit("/", 1)[-1]
    _, sep, tag = last.partition(":")
    repository = name[: len(name) - len(tag) - len(sep)]
    if any(map(str.isupper, repository)):
        return ""
    if not tag and not digest:
        return "latest"
    return tag


def default_container(c: Obj, host_network: bool, is_pod: bool) -> None:
    if not c.get("imagePullPolicy"):
        c["imagePullPolicy"] = "Always" if image_tag(str(c.get("image") or "")) == "latest" else "IfNotPresent"
    c.setdefault("terminationMessagePath", "/dev/termination-log")
    c.setdefault("terminationMessagePolicy", "File")
    c.setdefault("resources", {})
    for port in c.get("ports") or []:
        if isinstance(port, dict):
            port.setdefault("protocol", "TCP")
            if is_pod and host_network and not port.get("hostPort"):
                port["hostPort"] = port.get("containerPort")
    for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
        if isinstance(c.get(probe), dict):
            _default_probe(c[probe])
    for env in c.get("env") or []:
        ref = ((env or {}).get("valueFrom") or {}).get("fieldRef")
        if isinstance(ref, dict):
            ref.setdefault("apiVersion", "v1")
    if is_pod:
        _requests_from_limits(c)


def _default_probe(probe: Obj) -> None:
    probe.setdefault("timeoutSeconds", 1)
    probe.setdefault("periodSeconds", 10)
    probe.setdefault("successThreshold", 1)
    probe.setdefault("failureThreshold", 3)
    if isinstance(probe.get("httpGet"), dict):
        probe["httpGet"].setdefault("path", "/")
        probe["httpGet"].setdefault("scheme", "HTTP")


def _requests_from_limits(c: Obj) -> None:
    resources = c.get("resources") or {}
    limits = resources.get("limits")
    if limits:
        requests = resources.setdefault("requests", {})
        for key, value in limits.items():
            requests.setdefault(key, value)


def default_pod_spec(spec: Obj, is_pod: bool) -> None:
    if not spec.get("dnsPolicy"):
        spec["dnsPolicy"] = "ClusterFirst"
    if not spec.get("restartPolicy"):
        spec["restartPolicy"] = "Always"
    if spec.get("securityContext") is None:
        spec["securityContext"] = {}
    if spec.get("terminationGracePeriodSeconds") is None:
        spec["terminationGracePeriodSeconds"] = 30
    if not spec.get("schedulerName"):
        spec["schedulerName"] = "default-scheduler"
    if spec.get("serviceAccount") and not spec.get("serviceAccountName"):
        spec["serviceAccountName"] = spec["serviceAccount"]  # the deprecated alias converts
    host_network = bool(spec.get("hostNetwork"))
    for key in ("initContainers", "containers"):
        for c in spec.get(key) or []:
            if isinstance(c, dict):
                default_container(c, host_network, is_pod)
    for volume in spec.get("volumes") or []:
        if isinstance(volume, dict):
            _default_volume(volume)
    if is_pod and spec.get("enableServiceLinks") is None:
        spec["enableServiceLinks"] = True


def _default_volume(volume: Obj) -> None:
    if set(volume) <= {"name"}:
        volume["emptyDir"] = {}
    for mode in _VOLUME_MODES:
        if isinstance(volume.get(mode), dict):
            volume[mode].setdefault("defaultMode", 420)
    if isinstance(volume.get("hostPath"), dict):
        volume["hostPath"].setdefault("type", "")


def _positive(resources: Obj) -> dict[str, Fraction]:
    out: dict[str, Fraction] = {}
    for name, value in (resources or {}).items():
        if name not in ("cpu", "memory"):
            continue
        try:
            amount = parse_quantity(value)
        except ValueError:
            continue
        if amount.numerator > 0:  # a Fraction's sign is its numerator's
            out[name] = amount
    return out


def qos_class(spec: Obj) -> str:
    """BestEffort without any cpu/memory requests or limits; Guaranteed when every container
    limits both and requests equal limits; Burstable otherwise."""
    requests: dict[str, Fraction] = {}
    limits: dict[str, Fraction] = {}
    guaranteed = True
    for c in (spec.get("initContainers") or []) + (spec.get("containers") or []):
        resources = (c or {}).get("resources") or {}
        for name, amount in _positive(resources.get("requests") or {}).items():
            requests[name] = requests[name] + amount if name in requests else amount
        found = _positive(resources.get("limits") or {})
        for name, amount in found.items():
            limits[name] = limits[name] + amount if name in limits else amount
        if not {"cpu", "memory"} <= set(found):
            guaranteed = False
    if not requests and not limits:
        return "BestEffort"
    if guaranteed and all(limits.get(k) == v for k, v in requests.items()) and len(requests) == len(limits):
        return "Guaranteed"
    return "Burstable"
