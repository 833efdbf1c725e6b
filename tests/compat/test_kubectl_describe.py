"""`kubectl describe` of pods, replication controllers, services, nodes and namespaces: the
layout kubectl prints on a real cluster (kubectl-printing.md, section 6), filled with what
minik's controllers and node agent wrote, including the Events a real cluster shows."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

from compat_tools import Kubectl
from support import Server, wait_for

RC = """\
apiVersion: v1
kind: ReplicationController
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 1
  selector: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        ports:
        - containerPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: web
  labels: {app: web}
spec:
  selector: {app: web}
  ports:
  - port: 80
"""


def get(server: Server, path: str) -> Any:
    status, body = server.request("GET", path)
    assert status == 200, body
    return body


def rfc1123(stamp: str) -> str:
    when = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    return when.strftime("%a, %d %b %Y %H:%M:%S +0000")


def split_events(text: str) -> tuple[str, list[tuple[str, ...]]]:
    """(the description before `Events:`, the event rows without their Age cell)."""
    head, sep, tail = text.partition("Events:\n")
    assert sep, text
    lines = tail.splitlines()
    assert lines[0].split() == ["Type", "Reason", "Age", "From", "Message"], lines
    assert lines[1].split() == ["----", "------", "----", "----", "-------"], lines
    rows = []
    for line in lines[2:]:
        cells = re.split(r" {2,}", line.strip(), maxsplit=4)
        rows.append((cells[0], cells[1], cells[3], cells[4]))
    return head, rows


def running_app(kubectl: Kubectl, server: Server, namespace: str) -> dict[str, Any]:
    kubectl.ok("create", "-f", kubectl.write("app.yaml", RC))

    def ready_pod() -> dict[str, Any] | None:
        items = get(server, f"/api/v1/namespaces/{namespace}/pods")["items"]
        ready = [p for p in items if p["status"].get("phase") == "Running"
                 and all(c.get("ready") for c in p["status"].get("containerStatuses") or [{}])]
        return ready[0] if ready else None

    pod = wait_for(ready_pod, message="a running pod")
    wait_for(lambda: len(get(server, f"/api/v1/namespaces/{namespace}/events?fieldSelector="
                                      f"involvedObject.name%3D{pod['metadata']['name']}")["items"]) >= 4,
             message="the pod's events")
    wait_for(lambda: get(server, f"/api/v1/namespaces/{namespace}/replicationcontrollers/web")["status"]
             .get("readyReplicas") == 1, message="the RC's status")
    return pod


def test_describe_pod(kubectl: Kubectl, server: Server, namespace: str) -> None:
    pod = running_app(kubectl, server, namespace)
    name, status = pod["metadata"]["name"], pod["status"]
    container = status["containerStatuses"][0]
    head, events = split_events(kubectl.ok("describe", "pod", name))
    assert head == f"""\
Name:             {name}
Namespace:        {namespace}
Priority:         0
Service Account:  default
Node:             {pod['spec']['nodeName']}/{status['hostIP']}
Start Time:       {rfc1123(status['startTime'])}
Labels:           app=web
Annotations:      <none>
Status:           Running
IP:               {status['podIP']}
IPs:
  IP:           {status['podIP']}
Controlled By:  ReplicationController/web
Containers:
  nginx:
    Container ID:   {container['containerID']}
    Image:          nginx:1.27
    Image ID:       {container['imageID']}
    Port:           80/TCP
    Host Port:      0/TCP
    State:          Running
      Started:      {rfc1123(container['state']['running']['startedAt'])}
    Ready:          True
    Restart Count:  0
    Environment:    <none>
    Mounts:         <none>
Conditions:
  Type                        Status
  PodReadyToStartContainers   True 
  Initialized                 True 
  Ready                       True 
  ContainersReady             True 
  PodScheduled                True 
Volumes:                      <none>
QoS Class:                    BestEffort
Node-Selectors:               <none>
Tolerations:                  node.kubernetes.io/not-ready:NoExecute op=Exists for 300s
                              node.kubernetes.io/unreachable:NoExecute op=Exists for 300s
"""
    assert events == [
        ("Normal", "Scheduled", "default-scheduler",
         f"Successfully assigned {namespace}/{name} to {pod['spec']['nodeName']}"),
        ("Normal", "Pulled", "kubelet", 'spec.containers{nginx}: Container image "nginx:1.27" already present '
                                        "on machine and can be accessed by the pod"),
        ("Normal", "Created", "kubelet", "spec.containers{nginx}: Container created"),
        ("Normal", "Started", "kubelet", "spec.containers{nginx}: Container started")]


def test_describe_rc_and_service(kubectl: Kubectl, server: Server, namespace: str) -> None:
    pod = running_app(kubectl, server, namespace)
    head, events = split_events(kubectl.ok("describe", "rc", "web"))
    assert head == """\
Name:         web
Namespace:    {ns}
Selector:     app=web
Labels:       app=web
Annotations:  <none>
Replicas:     1 current / 1 desired
Pods Status:  1 Running / 0 Waiting / 0 Succeeded / 0 Failed
Pod Template:
  Labels:  app=web
  Containers:
   nginx:
    Image:         nginx:1.27
    Port:          80/TCP
    Host Port:     0/TCP
    Environment:   <none>
    Mounts:        <none>
  Volumes:         <none>
  Node-Selectors:  <none>
  Tolerations:     <none>
""".replace("{ns}", namespace)
    assert events == [("Normal", "SuccessfulCreate", "replication-controller",
                       f"Created pod: {pod['metadata']['name']}")]

    svc = get(server, f"/api/v1/namespaces/{namespace}/services/web")
    ip = svc["spec"]["clusterIP"]
    wait_for(lambda: "Endpoints:                " + pod["status"]["podIP"] + ":80\n"
             in kubectl.ok("describe", "svc", "web"), message="the service's endpoints")
    assert kubectl.ok("describe", "svc", "web") == f"""\
Name:                     web
Namespace:                {namespace}
Labels:                   app=web
Annotations:              <none>
Selector:                 app=web
Type:                     ClusterIP
IP Family Policy:         SingleStack
IP Families:              IPv4
IP:                       {ip}
IPs:                      {ip}
Port:                     <unset>  80/TCP
TargetPort:               80/TCP
Endpoints:                {pod['status']['podIP']}:80
Session Affinity:         None
Internal Traffic Policy:  Cluster
Events:                   <none>
"""


def test_describe_node_and_namespace(kubectl: Kubectl, server: Server, namespace: str) -> None:
    pod = running_app(kubectl, server, namespace)
    node = get(server, f"/api/v1/nodes/{pod['spec']['nodeName']}")
    out = kubectl.ok("describe", "node", node["metadata"]["name"])
    name = node["metadata"]["name"]
    assert out.startswith(f"Name:               {name}\nRoles:              <none>\n"
                          "Labels:             beta.kubernetes.io/arch=amd64\n")
    info = node["status"]["nodeInfo"]
    for line in (f"                    kubernetes.io/hostname={name}",
                 f"CreationTimestamp:  {rfc1123(node['metadata']['creationTimestamp'])}",
                 "Taints:             <none>", "Unschedulable:      false",
                 f"  HolderIdentity:  {name}",
                 f"  Kubelet Version:            {info['kubeletVersion']}",
                 "  pods:               110"):
        assert line + "\n" in out, line
    assert re.search(r"\n  Ready            True    .* +KubeletReady +kubelet is posting ready status\n", out)
    assert re.search(rf"\n  {namespace} +{pod['metadata']['name']} +0 \(0%\) +0 \(0%\) +0 \(0%\) +0 \(0%\) ", out)
    _, events = split_events(out)
    assert ("Normal", "Starting", "kubelet", "Starting kubelet.") in events
    assert ("Normal", "NodeReady", "kubelet", f"Node {name} status is now: NodeReady") in events

    # A real cluster adds "No resource quota." and "No LimitRange resource."; minik serves
    # neither kind, and kubectl leaves both sections out when their lists are not found.
    assert kubectl.ok("describe", "ns", namespace) == (
        f"Name:         {namespace}\nLabels:       kubernetes.io/metadata.name={namespace}\n"
        "Annotations:  <none>\nStatus:       Active\n")


def test_describe_missing_objects(kubectl: Kubectl) -> None:
    assert kubectl("describe", "pod", "nosuch") == (1, "", 'Error from server (NotFound): pods "nosuch" not found\n')
    assert kubectl("describe", "rc", "nosuch") == \
        (1, "", 'Error from server (NotFound): replicationcontrollers "nosuch" not found\n')


def test_events_field_selectors_and_time_precision(server: Server, namespace: str, kubectl: Kubectl) -> None:
    pod = running_app(kubectl, server, namespace)
    meta = pod["metadata"]
    selector = (f"involvedObject.name%3D{meta['name']}%2CinvolvedObject.namespace%3D{namespace}"
                f"%2CinvolvedObject.uid%3D{meta['uid']}%2CinvolvedObject.kind%3DPod")
    items = get(server, f"/api/v1/namespaces/{namespace}/events?fieldSelector={selector}")["items"]
    assert [e["reason"] for e in items] == ["Scheduled", "Pulled", "Created", "Started"]
    assert get(server, f"/api/v1/namespaces/{namespace}/events?fieldSelector=involvedObject.kind%3DPod,"
                       "reason%3DSuccessfulCreate")["items"] == []
    creates = get(server, f"/api/v1/namespaces/{namespace}/events?fieldSelector="
                          "involvedObject.kind%3DReplicationController%2Creason%3DSuccessfulCreate")["items"]
    assert [e["message"] for e in creates] == [f"Created pod: {meta['name']}"]
    for event in items + creates:
        for key in ("firstTimestamp", "lastTimestamp"):
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", event[key]), event
        if event.get("eventTime"):
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", event["eventTime"]), event
    # kubectl lists them with its own columns (LAST SEEN TYPE REASON OBJECT MESSAGE).
    listed = kubectl.ok("get", "events", "--field-selector", f"involvedObject.name={meta['name']}")
    assert listed.splitlines()[0].split() == ["LAST", "SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    assert len(listed.splitlines()) == 5 and f"pod/{meta['name']}" in listed


def test_lifecycle_events(kubectl: Kubectl, server: Server, namespace: str) -> None:
    """An image without a tag is pulled (Pulling, then Pulled with the time it took); a deleted
    pod's container is stopped (Killing); a scaled-down RC deletes a pod (SuccessfulDelete)."""
    kubectl.ok("run", "latest", "--image=nginx")
    kubectl.ok("wait", "--for=condition=Ready", "pod/latest", "--timeout=30s")
    _, events = split_events(kubectl.ok("describe", "pod", "latest"))
    assert [(e[1], e[2]) for e in events] == [("Scheduled", "default-scheduler"), ("Pulling", "kubelet"),
                                              ("Pulled", "kubelet"), ("Created", "kubelet"),
                                              ("Started", "kubelet")]
    assert events[1][3] == 'spec.containers{latest}: Pulling image "nginx"'
    assert re.fullmatch(r'spec\.containers\{latest\}: Successfully pulled image "nginx" in [\d.]+m?s '
                        r'\([\d.]+m?s including waiting\)\. Image size: \d+ bytes\.', events[2][3]), events[2]
    kubectl.ok("delete", "pod", "latest", "--timeout=30s")
    killing = get(server, f"/api/v1/namespaces/{namespace}/events?fieldSelector=involvedObject.name%3Dlatest"
                          "%2Creason%3DKilling")["items"]
    assert [(e["message"], e["involvedObject"]["fieldPath"]) for e in killing] == \
        [("Stopping container latest", "spec.containers{latest}")]

    kubectl.ok("create", "-f", kubectl.write("app.yaml", RC.replace("replicas: 1", "replicas: 2")))
    wait_for(lambda: get(server, f"/api/v1/namespaces/{namespace}/replicationcontrollers/web")["status"]
             .get("readyReplicas") == 2, message="2 ready replicas")
    kubectl.ok("scale", "rc", "web", "--replicas=1")

    def scaled_down() -> list[tuple[str, ...]] | None:
        _, rows = split_events(kubectl.ok("describe", "rc", "web"))
        return rows if any(row[1] == "SuccessfulDelete" for row in rows) else None

    rc_events = wait_for(scaled_down, message="a SuccessfulDelete event")
    deleted = [e for e in rc_events if e[1] == "SuccessfulDelete"]
    assert len(deleted) == 1 and deleted[0][2] == "replication-controller"
    assert re.fullmatch(r"Deleted pod: web-[bcdfghjklmnpqrstvwxz2456789]{5}", deleted[0][3])
    assert [e[1] for e in rc_events].count("SuccessfulCreate") == 2
