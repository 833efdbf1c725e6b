"""Containers and volumes in a description, shared by pods and pod templates.

Per container: image and ports, command and args, state (pods only), resources, probes,
environment and mounts, in kubectl's order and wording. Volumes print their source type with
kubectl's one-line explanation; the kinds a local cluster meets are covered, others print
`<unknown>` as kubectl does for sources it cannot name.
"""

from __future__ import annotations

from typing import Any, Callable

from minikctl.describe.writer import PrefixWriter, bool_word, go_bool, rfc1123z
from minikctl.quantity import parse


def _ports(ports: list[dict[str, Any]], field: str) -> str:
    out = []
    for port in ports:
        text = f"{port.get(field) or 0}/{port.get('protocol') or ''}"
        out.append(f"{text} ({port['name']})" if port.get("name") else text)
    return ", ".join(out)


def _basic(w: PrefixWriter, container: dict[str, Any], status: dict[str, Any] | None,
           space: str) -> None:
    w.write(1, f"{' ' if space else ''}{container.get('name', '')}:\n")
    if status is not None:
        w.write(2, f"Container ID:\t{status.get('containerID') or ''}\n")
    w.write(2, f"Image:\t{container.get('image') or ''}\n")
    if status is not None:
        w.write(2, f"Image ID:\t{status.get('imageID') or ''}\n")
    ports = [p for p in container.get("ports") or [] if isinstance(p, dict)]
    for label, field in (("Port", "containerPort"), ("Host Port", "hostPort")):
        text = _ports(ports, field)
        if "," in text:
            w.write(2, f"{label}s:\t{text}\n")
        else:
            w.write(2, f"{label}:\t{text or '<none>'}\n")


def _command(w: PrefixWriter, container: dict[str, Any]) -> None:
    for title, key in (("Command", "command"), ("Args", "args")):
        if container.get(key):
            w.write(2, f"{title}:\n")
            for item in container[key]:
                for part in str(item).split("\n"):
                    w.write(3, f"{part}\n")


def _state(w: PrefixWriter, title: str, state: dict[str, Any]) -> None:
    if state.get("running") is not None:
        w.write(2, f"{title}:\tRunning\n")
        w.write(3, f"Started:\t{rfc1123z((state['running'] or {}).get('startedAt'))}\n")
    elif state.get("terminated") is not None:
        done = state["terminated"] or {}
        w.write(2, f"{title}:\tTerminated\n")
        if done.get("reason"):
            w.write(3, f"Reason:\t{done['reason']}\n")
        if done.get("message"):
            w.write(3, f"Message:\t{done['message']}\n")
        w.write(3, f"Exit Code:\t{done.get('exitCode') or 0}\n")
        if (done.get("signal") or 0) > 0:
            w.write(3, f"Signal:\t{done['signal']}\n")
        w.write(3, f"Started:\t{rfc1123z(done.get('startedAt'))}\n")
        w.write(3, f"Finished:\t{rfc1123z(done.get('finishedAt'))}\n")
    else:
        w.write(2, f"{title}:\tWaiting\n")
        reason = (state.get("waiting") or {}).get("reason")
        if reason:
            w.write(3, f"Reason:\t{reason}\n")


def resources(w: PrefixWriter, requirements: dict[str, Any] | None, level: int) -> None:
    for title, key in (("Limits", "limits"), ("Requests", "requests")):
        values = (requirements or {}).get(key) or {}
        if values:
            w.write(level, f"{title}:\n")
        for name in sorted(values):
            w.write(level + 1, f"{name}:\t{_quantity(values[name])}\n")


def _quantity(value: Any) -> str:
    try:
        return str(parse(value))
    except ValueError:
        return str(value)


def probe_text(probe: dict[str, Any]) -> str:
    attrs = (f"delay={probe.get('initialDelaySeconds') or 0}s "
             f"timeout={probe.get('timeoutSeconds') or 0}s period={probe.get('periodSeconds') or 0}s "
             f"successThreshold={probe.get('successThreshold') or 0} "
             f"failureThreshold={probe.get('failureThreshold') or 0}")
    if probe.get("exec") is not None:
        return f"exec [{' '.join(str(c) for c in (probe['exec'] or {}).get('command') or [])}] {attrs}"
    if probe.get("httpGet") is not None:
        get = probe["httpGet"] or {}
        host, port = str(get.get("host") or ""), str(get.get("port") or "")
        where = (f"[{host}]:{port}" if ":" in host else f"{host}:{port}") if port else host
        scheme = str(get.get("scheme") or "").lower()
        return f"http-get {scheme + '://' if scheme else '//'}{where}{get.get('path') or ''} {attrs}"
    if probe.get("tcpSocket") is not None:
        sock = probe["tcpSocket"] or {}
        return f"tcp-socket {sock.get('host') or ''}:{sock.get('port') or ''} {attrs}"
    if probe.get("grpc") is not None:
        grpc = probe["grpc"] or {}
        return f"grpc <pod>:{grpc.get('port') or 0} {grpc.get('service') or ''} {attrs}"
    return f"unknown {attrs}"


def _env(w: PrefixWriter, container: dict[str, Any], field_value: Callable[[str], str]) -> None:
    if container.get("envFrom"):
        w.write(2, "Environment Variables from:\n")
        for source in container["envFrom"]:
            ref, kind = ((source.get("configMapRef"), "ConfigMap") if source.get("configMapRef")
                         else (source.get("secretRef") or {}, "Secret"))
            ref = ref or {}
            kind_text = f"{kind} with prefix '{source['prefix']}'" if source.get("prefix") else kind
            w.write(3, f"{ref.get('name') or ''}\t{kind_text}\tOptional: "
                       f"{go_bool(ref.get('optional'))}\n")
    env = container.get("env") or []
    w.write(2, "Environment:\t<none>\n" if not env else "Environment:\n")
    for var in env:
        source = var.get("valueFrom")
        if source is None:
            for index, part in enumerate(str(var.get("value") or "").split("\n")):
                w.write(3, f"{var.get('name')}:\t{part}\n" if index == 0 else f"\t{part}\n")
        elif source.get("fieldRef"):
            ref = source["fieldRef"]
            w.write(3, f"{var.get('name')}:\t{field_value(str(ref.get('fieldPath') or ''))} "
                       f"({ref.get('apiVersion') or ''}:{ref.get('fieldPath') or ''})\n")
        elif source.get("resourceFieldRef"):
            w.write(3, f"{var.get('name')}:\t ({source['resourceFieldRef'].get('resource')})\n")
        else:
            key = "secretKeyRef" if source.get("secretKeyRef") else "configMapKeyRef"
            ref = source.get(key) or {}
            what = "in secret" if key == "secretKeyRef" else "of config map"
            w.write(3, f"{var.get('name')}:\t<set to the key '{ref.get('key')}' {what} "
                       f"'{ref.get('name')}'>\tOptional: {go_bool(ref.get('optional'))}\n")


def _mounts(w: PrefixWriter, container: dict[str, Any]) -> None:
    mounts = sorted(container.get("volumeMounts") or [], key=lambda m: str(m.get("mountPath")))
    w.write(2, "Mounts:\t<none>\n" if not mounts else "Mounts:\n")
    for mount in mounts:
        flags = ["ro" if mount.get("readOnly") else "rw"]
        if mount.get("subPath"):
            flags.append(f'path="{mount["subPath"]}"')
        w.write(3, f"{mount.get('mountPath')} from {mount.get('name')} ({','.join(flags)})\n")


def describe_containers(w: PrefixWriter, label: str, containers: list[dict[str, Any]],
                        statuses: list[dict[str, Any]] | None, space: str,
                        field_value: Callable[[str], str] = lambda _: "") -> None:
    by_name = {s.get("name"): s for s in statuses or [] if isinstance(s, dict)}
    w.write(0, f"{space}{label}:{' <none>' if not containers else ''}\n")
    for container in containers:
        status = by_name.get(container.get("name")) if statuses is not None else None
        _basic(w, container, status, space)
        _command(w, container)
        if status is not None:
            _state(w, "State", status.get("state") or {})
            if (status.get("lastState") or {}).get("terminated") is not None:
                _state(w, "Last State", status["lastState"])
            w.write(2, f"Ready:\t{bool_word(status.get('ready'))}\n")
            w.write(2, f"Restart Count:\t{status.get('restartCount') or 0}\n")
        resources(w, container.get("resources"), 2)
        for title, key in (("Liveness", "livenessProbe"), ("Readiness", "readinessProbe"),
                           ("Startup", "startupProbe")):
            if container.get(key):
                w.write(2, f"{title}:\t{probe_text(container[key])}\n")
        _env(w, container, field_value)
        _mounts(w, container)
