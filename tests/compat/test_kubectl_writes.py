"""The real kubectl 1.37 writing to minik: create, apply (created / configured / unchanged, and
server-side), scale, label and annotate, with the lines and exit codes kubectl prints on a real
cluster and the server state those commands leave behind."""

from __future__ import annotations

import json
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
  replicas: {replicas}
  selector: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: {image}
        ports:
        - containerPort: 80
        env:
        - {name: A, value: "1"}
        - {name: B, value: "2"}
"""

SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
  - port: 80
    targetPort: 8080
"""

MISSING_ANNOTATION = (
    "Warning: resource replicationcontrollers/web is missing the "
    "kubectl.kubernetes.io/last-applied-configuration annotation which is required by kubectl apply. "
    "kubectl apply should only be used on resources created declaratively by either kubectl create "
    "--save-config or kubectl apply. The missing annotation will be patched automatically.\n")
CONFLICT = ("Operation cannot be fulfilled on replicationcontrollers \"web\": the object has been modified; "
            "please apply your changes to the latest version and try again")


def rc_manifest(replicas: int = 1, image: str = "nginx:1.27") -> str:
    return RC.replace("{replicas}", str(replicas)).replace("{image}", image)


def get(server: Server, path: str) -> Any:
    status, body = server.request("GET", path)
    assert status == 200, body
    return body


def pods(server: Server, namespace: str, selector: str = "app%3Dweb") -> list[dict[str, Any]]:
    return [p for p in get(server, f"/api/v1/namespaces/{namespace}/pods?labelSelector={selector}")["items"]
            if not p["metadata"].get("deletionTimestamp")]


def test_create_reports_each_document_and_already_exists(kubectl: Kubectl, server: Server,
                                                         namespace: str) -> None:
    path = kubectl.write("app.yaml", rc_manifest() + "---\n" + SERVICE)
    assert kubectl("create", "-f", path) == (0, "replicationcontroller/web created\nservice/web created\n", "")
    again = kubectl("create", "-f", path)
    assert again.code == 1 and again.out == ""
    assert again.err == (
        f'Error from server (AlreadyExists): error when creating "{path}": '
        'replicationcontrollers "web" already exists\n'
        f'Error from server (AlreadyExists): error when creating "{path}": services "web" already exists\n')
    rc = get(server, f"/api/v1/namespaces/{namespace}/replicationcontrollers/web")
    assert rc["metadata"]["generation"] == 1
    # A server-side dry run checks for an existing object as a real create does.
    dry = kubectl("create", "-f", path, "--dry-run=server")
    assert dry.code == 1 and dry.err.count("(AlreadyExists)") == 2, dry


def test_apply_created_configured_unchanged(kubectl: Kubectl, server: Server, namespace: str) -> None:
    path = kubectl.write("rc.yaml", rc_manifest())
    assert kubectl("apply", "-f", path) == (0, "replicationcontroller/web created\n", "")
    rc_path = f"/api/v1/namespaces/{namespace}/replicationcontrollers/web"
    rc = get(server, rc_path)
    last = rc["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"]
    assert last.endswith("}\n") and json.loads(last)["spec"]["replicas"] == 1
    assert kubectl("apply", "-f", path) == (0, "replicationcontroller/web unchanged\n", "")
    assert get(server, rc_path)["metadata"] == get(server, rc_path)["metadata"] | {
        "generation": 1, "annotations": rc["metadata"]["annotations"]}

    # A label added by another hand survives the three-way merge; the env entry dropped from
    # the manifest goes; the new port merges by containerPort; the image changes.
    kubectl.ok("label", "rc", "web", "owner=ops")
    changed = rc_manifest(2, "nginx:1.28").replace('        - {name: B, value: "2"}\n', "").replace(
        "        - containerPort: 80\n", "        - containerPort: 80\n        - containerPort: 443\n")
    assert kubectl("apply", "-f", kubectl.write("rc.yaml", changed)) == \
        (0, "replicationcontroller/web configured\n", "")
    rc = get(server, rc_path)
    container = rc["spec"]["template"]["spec"]["containers"][0]
    assert rc["spec"]["replicas"] == 2 and rc["metadata"]["generation"] == 2
    assert rc["metadata"]["labels"] == {"app": "web", "owner": "ops"}
    assert container["image"] == "nginx:1.28"
    assert container["env"] == [{"name": "A", "value": "1"}]
    assert [p["containerPort"] for p in container["ports"]] == [80, 443]


def test_apply_to_an_object_made_by_create_warns_and_patches(kubectl: Kubectl, server: Server,
                                                            namespace: str) -> None:
    kubectl.ok("create", "-f", kubectl.write("rc.yaml", rc_manifest()))
    result = kubectl("apply", "-f", kubectl.write("rc2.yaml", rc_manifest(3)))
    assert result == (0, "replicationcontroller/web configured\n", MISSING_ANNOTATION)
    rc = get(server, f"/api/v1/namespaces/{namespace}/replicationcontrollers/web")
    assert rc["spec"]["replicas"] == 3
    assert "kubectl.kubernetes.io/last-applied-configuration" in rc["metadata"]["annotations"]


def test_server_side_apply_owns_fields(kubectl: Kubectl, server: Server, namespace: str) -> None:
    config = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: '1'\n  b: '2'\n"
    path = kubectl.write("cm.yaml", config)
    assert kubectl("apply", "--server-side", "-f", path) == (0, "configmap/settings serverside-applied\n", "")
    cm_path = f"/api/v1/namespaces/{namespace}/configmaps/settings"
    managers = get(server, cm_path)["metadata"]["managedFields"]
    assert [(m["manager"], m["operation"], m["fieldsType"]) for m in managers] == \
        [("kubectl", "Apply", "FieldsV1")]
    assert managers[0]["fieldsV1"] == {"f:data": {"f:a": {}, "f:b": {}}}

    # Another manager may not take a field over silently...
    other = kubectl.write("other.yaml", config.replace("a: '1'\n  b: '2'", "a: '9'"))
    refused = kubectl("apply", "--server-side", "--field-manager=ops", "-f", other)
    assert refused.code == 1
    assert refused.err.startswith('error: Apply failed with 1 conflict: conflict with "kubectl": .data.a\n'
                                  "Please review the fields above--they currently have other managers.")
    # ...but it may share one by stating the same value, and take one with --force-conflicts.
    same = kubectl.write("same.yaml", config.replace("  b: '2'\n", ""))
    assert kubectl("apply", "--server-side", "--field-manager=ops", "-f", same).code == 0
    assert kubectl("apply", "--server-side", "--field-manager=ops", "--force-conflicts", "-f", other) == \
        (0, "configmap/settings serverside-applied\n", "")
    assert get(server, cm_path)["data"] == {"a": "9", "b": "2"}
    # A field its only manager stops applying is removed.
    assert kubectl("apply", "--server-side", "-f", kubectl.write("none.yaml", config.replace(
        "data:\n  a: '1'\n  b: '2'\n", "data: {}\n"))).code == 0
    assert get(server, cm_path)["data"] == {"a": "9"}


def test_scale_patches_and_puts_the_scale_subresource(kubectl: Kubectl, server: Server,
                                                      namespace: str) -> None:
    kubectl.ok("create", "-f", kubectl.write("rc.yaml", rc_manifest(1)))
    assert kubectl("scale", "rc", "web", "--replicas=3") == (0, "replicationcontroller/web scaled\n", "")
    wait_for(lambda: len(pods(server, namespace)) == 3, message="3 pods")
    # --current-replicas makes kubectl GET the Scale and PUT it back with its resourceVersion.
    assert kubectl("scale", "rc", "web", "--current-replicas=3", "--replicas=1") == \
        (0, "replicationcontroller/web scaled\n", "")
    wrong = kubectl("scale", "rc", "web", "--current-replicas=5", "--replicas=2")
    assert wrong == (1, "", "error: Expected replicas to be 5, was 1\n")
    stale = kubectl("scale", "rc", "web", "--resource-version=1", "--replicas=2")
    assert stale.code == 1 and stale.err.startswith("error: Expected resource version to be 1, was ")

    def scale_at_current_version() -> bool:  # the controller's status writes move the version
        scale = get(server, f"/api/v1/namespaces/{namespace}/replicationcontrollers/web/scale")
        return kubectl("scale", "rc", "web", f"--resource-version={scale['metadata']['resourceVersion']}",
                       "--replicas=1").code == 0

    wait_for(scale_at_current_version, message="scale with --resource-version")
    wait_for(lambda: len(pods(server, namespace)) == 1, message="1 pod")
    missing = kubectl("scale", "rc", "nosuch", "--replicas=2")
    assert missing == (1, "", 'Error from server (NotFound): replicationcontrollers "nosuch" not found\n')


def test_label_and_annotate(kubectl: Kubectl, server: Server, namespace: str) -> None:
    kubectl.ok("create", "-f", kubectl.write("rc.yaml", rc_manifest(2)))
    wait_for(lambda: len(pods(server, namespace)) == 2, message="2 pods")
    assert kubectl("label", "rc", "web", "tier=backend") == (0, "replicationcontroller/web labeled\n", "")
    assert kubectl("label", "rc", "web", "tier=backend") == (0, "replicationcontroller/web not labeled\n", "")
    assert kubectl("label", "rc", "web", "tier=frontend") == \
        (1, "", "error: 'tier' already has a value (backend), and --overwrite is false\n")
    assert kubectl("label", "rc", "web", "tier=frontend", "--overwrite").code == 0
    assert kubectl("label", "rc", "web", "tier-", "x=1") == (0, "replicationcontroller/web modified\n", "")
    assert kubectl("label", "rc", "web", "x-") == (0, "replicationcontroller/web unlabeled\n", "")
    assert kubectl("label", "rc", "web", "y=1", "--resource-version=1") == \
        (1, "", f"Error from server (Conflict): {CONFLICT}\n")
    assert get(server, f"/api/v1/namespaces/{namespace}/replicationcontrollers/web")["metadata"]["labels"] == \
        {"app": "web"}

    out = kubectl.ok("label", "pods", "-l", "app=web", "role=server")
    assert sorted(out.splitlines()) == sorted(f"pod/{p['metadata']['name']} labeled"
                                              for p in pods(server, namespace))
    assert all(p["metadata"]["labels"]["role"] == "server" for p in pods(server, namespace))

    assert kubectl("annotate", "rc", "web", "note=hi") == (0, "replicationcontroller/web annotated\n", "")
    assert kubectl("annotate", "rc", "web", "note=bye") == (1, "", (
        "error: --overwrite is false but found the following declared annotation(s): "
        "'note' already has a value (hi)\n"))
    assert kubectl("annotate", "rc", "web", "note-").code == 0
    assert "note" not in (get(server, f"/api/v1/namespaces/{namespace}/replicationcontrollers/web")
                          ["metadata"].get("annotations") or {})


def test_generators_that_post_protobuf(kubectl: Kubectl, server: Server, namespace: str) -> None:
    """kubectl's generators send protobuf bodies: minik decodes those of the kinds it serves."""
    assert kubectl("create", "configmap", "settings", "--from-literal=a=1") == \
        (0, "configmap/settings created\n", "")
    assert kubectl("create", "secret", "generic", "token", "--from-literal=t=s3cr3t") == \
        (0, "secret/token created\n", "")
    assert kubectl("create", "service", "nodeport", "web", "--tcp=80:8080") == (0, "service/web created\n", "")
    other = namespace + "-made"
    try:
        assert kubectl("create", "namespace", other) == (0, f"namespace/{other} created\n", "")
        assert get(server, f"/api/v1/namespaces/{other}")["status"]["phase"] == "Active"
    finally:
        server.request("DELETE", f"/api/v1/namespaces/{other}")
    assert get(server, f"/api/v1/namespaces/{namespace}/configmaps/settings")["data"] == {"a": "1"}
    assert get(server, f"/api/v1/namespaces/{namespace}/secrets/token")["data"] == {"t": "czNjcjN0"}
    port = get(server, f"/api/v1/namespaces/{namespace}/services/web")["spec"]["ports"][0]
    assert (port["name"], port["port"], port["targetPort"], port["protocol"]) == ("80-8080", 80, 8080, "TCP")
    assert 30000 <= port["nodePort"] <= 32767
    again = kubectl("create", "configmap", "settings")
    assert again == (1, "", 'error: failed to create configmap: configmaps "settings" already exists\n')
    # Kinds minik does not serve: a clear error at once, never a hang or a 500.
    assert kubectl("create", "deployment", "d", "--image=nginx", timeout=15) == (1, "", (
        "error: failed to create deployment: the server could not find the requested resource "
        "(post deployments.apps)\n"))
