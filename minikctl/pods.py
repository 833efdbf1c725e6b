"""Finding the pod and container that `logs` and `exec` talk to, as kubectl finds them.

`POD`, `pod/NAME` or `TYPE/NAME` of an object with a pod selector (replication controllers and
services on minik): the selector's pods are sorted the way kubectl's ActivePods sorts them
(reversed, with Go's unstable sort so ties fall the same way) and the first is used, waiting up to
--pod-running-timeout for one to exist. The container is `-c`, else the pod's
`kubectl.kubernetes.io/default-container` annotation, else its first container.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable

from minikctl.errors import ApiError, MinikctlError
from minikctl.printing import gosort

if TYPE_CHECKING:
    from minikctl.session import Session

DEFAULT_CONTAINER = "kubectl.kubernetes.io/default-container"
POLL_SECONDS = 0.5


def _ready_since(pod: dict[str, Any]) -> str | None:
    for item in (pod.get("status") or {}).get("conditions") or []:
        if item.get("type") == "Ready" and item.get("status") == "True":
            return str(item.get("lastTransitionTime") or "")
    return None


def _moment(text: str | None) -> float | None:
    """Seconds since the epoch, None for a zero (absent) time."""
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def _after_or_zero(first: float | None, second: float | None) -> bool:
    if first is None or second is None:
        return first is None
    return first > second


def _restarts(pod: dict[str, Any]) -> int:
    return max([0] + [int(s.get("restartCount") or 0)
                      for s in (pod.get("status") or {}).get("containerStatuses") or []])


def _active_less(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """kubectl's ActivePods ordering (the pod least worth keeping first)."""
    node_a, node_b = (str((p.get("spec") or {}).get("nodeName") or "") for p in (a, b))
    if node_a != node_b and (not node_a or not node_b):
        return not node_a
    rank = {"Pending": 0, "Unknown": 1, "Running": 2}
    phase_a, phase_b = (rank.get(str((p.get("status") or {}).get("phase")), 0) for p in (a, b))
    if phase_a != phase_b:
        return phase_a < phase_b
    ready_a, ready_b = _ready_since(a), _ready_since(b)
    if (ready_a is None) != (ready_b is None):
        return ready_a is None
    if ready_a is not None and ready_b is not None and _moment(ready_a) != _moment(ready_b):
        return _after_or_zero(_moment(ready_a), _moment(ready_b))
    if _restarts(a) != _restarts(b):
        return _restarts(a) > _restarts(b)
    made_a, made_b = (_moment((p.get("metadata") or {}).get("creationTimestamp")) for p in (a, b))
    if made_a != made_b:
        return _after_or_zero(made_a, made_b)
    return False


def first_pod(pods: list[dict[str, Any]]) -> dict[str, Any]:
    """The pod kubectl's GetFirstPod picks: sort.Sort(sort.Reverse(ActivePods(pods)))[0]."""
    items = list(pods)

    def swap(i: int, j: int) -> None:
        items[i], items[j] = items[j], items[i]

    gosort.sort(len(items), lambda i, j: _active_less(items[j], items[i]), swap)
    return items[0]


def _selector_of(obj: dict[str, Any], kind: str, version: str) -> dict[str, str]:
    selector = (obj.get("spec") or {}).get("selector") if kind in (
        "ReplicationController", "Service") else None
    if not isinstance(selector, dict) or "matchLabels" in selector:
        raise MinikctlError(f"selector for *{version}.{kind} not implemented")
    return {str(k): str(v) for k, v in selector.items()}


def pod_for(session: Session, arg: str, timeout: float, verb: str,
            say: Callable[[str], None]) -> dict[str, Any]:
    """The pod behind `POD` or `TYPE/NAME`; `say` gets kubectl's `Found N pods` line (logs)."""
    spec, slash, name = arg.partition("/")
    resource = session.discovery.resolve(spec if slash else "pods")
    name = name if slash else arg
    path = resource.path(session.namespace if resource.namespaced else None, name)
    obj: dict[str, Any] = session.client.get(path, what=f"get {resource.plural} {name}")
    if resource.kind == "Pod":
        return obj
    try:
        labels = _selector_of(obj, resource.kind, resource.version)
    except MinikctlError as err:
        raise MinikctlError(f"cannot {verb} *{resource.version}.{resource.kind}: "
                            f"{err.message}") from None
    query = {"labelSelector": ",".join(f"{k}={v}" for k, v in sorted(labels.items()))}
    pods = _wait_for_pods(session, query, timeout)
    if len(pods) > 1:
        say(f"Found {len(pods)} pods, using pod/{first_pod(pods)['metadata']['name']}\n")
    return first_pod(pods)


def _wait_for_pods(session: Session, query: dict[str, str], timeout: float) -> list[dict[str, Any]]:
    import time

    deadline = time.monotonic() + timeout
    path = f"/api/v1/namespaces/{session.namespace}/pods"
    while True:
        pods = list((session.client.get(path, query) or {}).get("items") or [])
        if pods:
            return pods
        if time.monotonic() >= deadline:
            raise MinikctlError("timed out waiting for the condition")
        time.sleep(min(POLL_SECONDS, max(0.0, deadline - time.monotonic())))


def container_names(pod: dict[str, Any]) -> list[tuple[str, str]]:
    """(name, kubectl's label in `out of: ...`) for containers, init and ephemeral ones."""
    spec = pod.get("spec") or {}
    return ([(c["name"], c["name"]) for c in spec.get("containers") or []]
            + [(c["name"], f"{c['name']} (init)") for c in spec.get("initContainers") or []]
            + [(c["name"], f"{c['name']} (ephem)")
               for c in spec.get("ephemeralContainers") or []])


def choose_container(pod: dict[str, Any], wanted: str, say: Callable[[str], None]) -> str:
    """`-c`, checked; else the default container, announced when there was a choice."""
    names = container_names(pod)
    meta = pod.get("metadata") or {}
    listing = ", ".join(label for _, label in names)
    if wanted:
        if wanted not in [n for n, _ in names]:
            raise MinikctlError(f"container {wanted} is not valid for pod {meta.get('name')} "
                                f"out of: {listing}")
        return wanted
    annotated = str((meta.get("annotations") or {}).get(DEFAULT_CONTAINER) or "")
    if annotated and annotated in [n for n, _ in names]:
        return annotated
    if not names:
        raise MinikctlError(f"pod {meta.get('name')} does not have a container")
    if len(names) > 1:
        say(f'Defaulted container "{names[0][0]}" out of: {listing}\n')
    return names[0][0]


def not_found_in_namespace(err: ApiError, namespace: str) -> MinikctlError:
    """logs words a missing object as `error from server (NotFound): ... in namespace "x"`."""
    return MinikctlError(f"error from server ({err.reason}): {err.message} in namespace "
                         f'"{namespace}"')
