"""`run` and `expose` against a real server, in twin namespaces with kubectl: the objects they
build (printed by dry runs, field for field and in kubectl's order), their messages, their
errors, and the pods and services left on the server."""

from __future__ import annotations

from typing import Any

from kubectl_parity import assert_same_effect

RUN_STEPS = [
    ["web", "--image=nginx"], ["web", "--image=nginx"],
    ["api", "--image=nginx", "--port=8080", "--expose"],
    ["dry", "--image=nginx", "--dry-run=client", "-o", "json"],
    ["dry", "--image=nginx", "--dry-run=client", "-o", "yaml", "--labels=a=1,b=2",
     "--env=A=1", "--env=B=x=y", "--annotations=n=1", "--restart=Never", "--port=80",
     "--image-pull-policy=IfNotPresent", "--command", "--", "sh", "-c", "sleep 1"],
    ["dry", "--image=nginx", "--dry-run=client", "-o", "json", "--port=80", "--expose"],
    ["dry", "--image=nginx", "--dry-run=server", "-o", "name"],
    ["dry", "--image=nginx", "--dry-run=client", "-o", "jsonpath={.spec.containers[0].args}",
     "--", "a", "b"],
    ["args", "--image=busybox", "-o", "name", "--", "echo", "hi"],
    ["bad", "--image=nginx", "--restart=Sometimes"], ["bad", "--image=nginx", "--rm"],
    ["bad", "--image=nginx", "--expose"], ["bad", "--image=nginx", "--labels=x"],
    ["bad", "--image=nginx", "--env=NOVALUE"], ["bad"], ["--image=nginx"],
    ["bad", "--image=nginx", "-o", "wide"], ["Bad_Name", "--image=nginx"],
]
EXPOSE_STEPS = [
    ["rc", "web", "--port=80"], ["rc", "web", "--port=80"],
    ["rc", "web", "--port=80", "--target-port=8000", "--name=web2", "--type=NodePort",
     "--dry-run=client", "-o", "json"],
    ["rc/web", "--name=web3", "--dry-run=client", "-o", "yaml", "--protocol=UDP",
     "--labels=x=y", "--session-affinity=ClientIP", "--external-ip=1.2.3.4"],
    ["pod", "solo", "--port=81", "--dry-run=server", "-o", "name"],
    ["pod", "solo"], ["pod", "solo", "--port=81", "--name=solo-svc"],
    ["svc", "solo-svc", "--name=again", "--dry-run=client", "-o", "json"],
    ["svc", "solo-svc", "--name=again2", "--port=90", "--cluster-ip=None"],
    ["rc", "nosuch", "--port=80"], ["rc"], [], ["rc", "web", "--port=80", "--type=Bogus",
                                                "--name=bogus"],
    ["rc", "web", "--port=80", "--selector=a=b", "--name=sel", "--dry-run=client", "-o",
     "jsonpath={.spec.selector}"],
    ["rc", "web", "--port=http", "--name=named-port"],
]


def _setup(server: Any, namespace: str) -> None:
    base = f"/api/v1/namespaces/{namespace}"
    status, body = server.request("POST", f"{base}/replicationcontrollers", {
        "metadata": {"name": "web", "labels": {"app": "web"}}, "spec": {
            "replicas": 0, "selector": {"app": "web"},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [
                {"name": "c", "image": "nginx", "ports": [{"containerPort": 8000}]}]}}}})
    assert status == 201, body
    status, body = server.request("POST", f"{base}/pods", {
        "metadata": {"name": "solo", "labels": {"role": "solo"}},
        "spec": {"containers": [{"name": "c", "image": "nginx",
                                 "ports": [{"containerPort": 81, "name": "http"}]}]}})
    assert status == 201, body


def _same_objects(server: Any, twins: tuple[str, str], plural: str) -> None:
    def shape(namespace: str) -> list[Any]:
        items = server.request("GET", f"/api/v1/namespaces/{namespace}/{plural}")[1]["items"]
        return [(o["metadata"]["name"], o["metadata"].get("labels"),
                 {k: v for k, v in o["spec"].items() if k not in ("clusterIP", "clusterIPs",
                                                                   "nodeName", "ports")},
                 [{k: v for k, v in p.items() if k != "nodePort"}
                  for p in o["spec"].get("ports") or []]) for o in items]

    assert shape(twins[1]) == shape(twins[0])


def test_run_matches_kubectl(env: dict[str, str], twins: tuple[str, str], server: Any) -> None:
    for step in RUN_STEPS:
        assert_same_effect(env, lambda ns, s=step: ["run", "-n", ns, *s],  # type: ignore[misc]
                           twins)
    _same_objects(server, twins, "services")


def test_expose_matches_kubectl(env: dict[str, str], twins: tuple[str, str],
                                server: Any) -> None:
    for namespace in twins:
        _setup(server, namespace)
    for step in EXPOSE_STEPS:
        assert_same_effect(env, lambda ns, s=step: ["expose", *s, "-n", ns],  # type: ignore[misc]
                           twins)
    _same_objects(server, twins, "services")
