"""Table layout: server Tables rendered like kubectl (kubectl-printing.md sections 4 and 5).

The expected texts are the real kubectl 1.37 output recorded in the reference's guestbook
examples; the Tables are what a server sends for that state.
"""

from __future__ import annotations

from typing import Any

from minikctl.printing.table import TableOptions, TablePrinter, format_labels, sanitise
from minikctl.printing.tabwriter import TabWriter

LABELS = {
    "frontend": {"app": "guestbook", "tier": "frontend"},
    "redis-master": {"app": "redis", "role": "master", "tier": "backend"},
    "redis-slave": {"app": "redis", "role": "slave", "tier": "backend"},
}


def column(name: str, priority: int = 0, fmt: str = "") -> dict[str, Any]:
    return {"name": name, "type": "string", "format": fmt, "description": "", "priority": priority}


def row(cells: list[Any], name: str, labels: dict[str, str] | None = None,
        namespace: str = "default") -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "namespace": namespace}
    if labels:
        meta["labels"] = labels
    return {"cells": cells, "object": {"kind": "PartialObjectMetadata",
                                       "apiVersion": "meta.k8s.io/v1", "metadata": meta}}


def pods_table() -> dict[str, Any]:
    cols = [column("Name", fmt="name"), column("Ready"), column("Status"), column("Restarts"),
            column("Age"), column("IP", 1), column("Node", 1), column("Nominated Node", 1),
            column("Readiness Gates", 1)]
    spec = [("frontend-4dt9q", "0", "90m", "10.244.0.13", "frontend"),
            ("frontend-bnvxh", "2 (5m9s ago)", "90m", "10.244.0.14", "frontend"),
            ("frontend-x7c2k", "0", "90m", "10.244.0.15", "frontend"),
            ("redis-master-jv7vf", "0", "125m", "10.244.0.10", "redis-master"),
            ("redis-slave-2lfsz", "0", "120m", "10.244.0.11", "redis-slave"),
            ("redis-slave-m8wnx", "0", "120m", "10.244.0.12", "redis-slave")]
    rows = [row([name, "1/1", "Running", restarts, age, ip, "node-1", "<none>", "<none>"], name,
                LABELS[owner]) for name, restarts, age, ip, owner in spec]
    return {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "columnDefinitions": cols,
            "rows": rows}


def rc_table() -> dict[str, Any]:
    cols = [column("Name", fmt="name"), column("Desired"), column("Current"), column("Ready"),
            column("Age"), column("Containers", 1), column("Images", 1), column("Selector", 1)]
    spec = [("frontend", 3, "90m", "php-redis", "gcr.io/google_samples/gb-frontend:v4"),
            ("redis-master", 1, "125m", "master", "registry.k8s.io/redis:e2e"),
            ("redis-slave", 2, "120m", "slave", "gcr.io/google_samples/gb-redisslave:v3")]
    rows = [row([name, n, n, n, age, container, image, format_labels(LABELS[name])], name,
                LABELS[name]) for name, n, age, container, image in spec]
    return {"kind": "Table", "columnDefinitions": cols, "rows": rows}


def svc_table() -> dict[str, Any]:
    cols = [column("Name", fmt="name"), column("Type"), column("Cluster-IP"),
            column("External-IP"), column("Port(s)"), column("Age"), column("Selector", 1)]
    spec = [("frontend", "NodePort", "10.96.200.17", "80:30001/TCP", "90m",
             "app=guestbook,tier=frontend"),
            ("kubernetes", "ClusterIP", "10.96.0.1", "443/TCP", "30d", "<none>"),
            ("redis-master", "ClusterIP", "10.96.12.34", "6379/TCP", "125m",
             "app=redis,role=master,tier=backend"),
            ("redis-slave", "ClusterIP", "10.96.45.6", "6379/TCP", "120m",
             "app=redis,role=slave,tier=backend")]
    rows = [row([name, kind, ip, "<none>", ports, age, selector], name)
            for name, kind, ip, ports, age, selector in spec]
    return {"kind": "Table", "columnDefinitions": cols, "rows": rows}


def render(tables: list[tuple[str, dict[str, Any], TableOptions]], no_headers: bool = False) -> str:
    """Print tables the way `get` does: a new type whenever the kind changes."""
    out: list[str] = []
    printer = TablePrinter(out.append)
    last = None
    for kind, table, options in tables:
        if kind != last:
            printer.start_type(no_headers)
            last = kind
        printer.print_table(table, options)
    printer.finish()
    return "".join(out)


def lines(text: str, *numbers: int) -> str:
    all_lines = text.splitlines(keepends=True)
    return "".join(all_lines[n - 1] for n in numbers)


def test_get_pods() -> None:
    assert render([("pod", pods_table(), TableOptions())]) == (
        "NAME                 READY   STATUS    RESTARTS       AGE\n"
        "frontend-4dt9q       1/1     Running   0              90m\n"
        "frontend-bnvxh       1/1     Running   2 (5m9s ago)   90m\n"
        "frontend-x7c2k       1/1     Running   0              90m\n"
        "redis-master-jv7vf   1/1     Running   0              125m\n"
        "redis-slave-2lfsz    1/1     Running   0              120m\n"
        "redis-slave-m8wnx    1/1     Running   0              120m\n")


def test_get_rc_and_integer_cells() -> None:
    assert render([("rc", rc_table(), TableOptions())]) == (
        "NAME           DESIRED   CURRENT   READY   AGE\n"
        "frontend       3         3         3       90m\n"
        "redis-master   1         1         1       125m\n"
        "redis-slave    2         2         2       120m\n")


def test_get_svc_uppercases_headers() -> None:
    assert render([("svc", svc_table(), TableOptions())]) == (
        "NAME           TYPE        CLUSTER-IP     EXTERNAL-IP   PORT(S)        AGE\n"
        "frontend       NodePort    10.96.200.17   <none>        80:30001/TCP   90m\n"
        "kubernetes     ClusterIP   10.96.0.1      <none>        443/TCP        30d\n"
        "redis-master   ClusterIP   10.96.12.34    <none>        6379/TCP       125m\n"
        "redis-slave    ClusterIP   10.96.45.6     <none>        6379/TCP       120m\n")


def test_get_all_prefixes_kinds_and_separates_types() -> None:
    text = render([("pod", pods_table(), TableOptions(kind_prefix="pod")),
                   ("rc", rc_table(), TableOptions(kind_prefix="replicationcontroller")),
                   ("svc", svc_table(), TableOptions(kind_prefix="service"))])
    assert text == (
        "NAME                     READY   STATUS    RESTARTS       AGE\n"
        "pod/frontend-4dt9q       1/1     Running   0              90m\n"
        "pod/frontend-bnvxh       1/1     Running   2 (5m9s ago)   90m\n"
        "pod/frontend-x7c2k       1/1     Running   0              90m\n"
        "pod/redis-master-jv7vf   1/1     Running   0              125m\n"
        "pod/redis-slave-2lfsz    1/1     Running   0              120m\n"
        "pod/redis-slave-m8wnx    1/1     Running   0              120m\n"
        "\n"
        "NAME                                 DESIRED   CURRENT   READY   AGE\n"
        "replicationcontroller/frontend       3         3         3       90m\n"
        "replicationcontroller/redis-master   1         1         1       125m\n"
        "replicationcontroller/redis-slave    2         2         2       120m\n"
        "\n"
        "NAME                   TYPE        CLUSTER-IP     EXTERNAL-IP   PORT(S)        AGE\n"
        "service/frontend       NodePort    10.96.200.17   <none>        80:30001/TCP   90m\n"
        "service/kubernetes     ClusterIP   10.96.0.1      <none>        443/TCP        30d\n"
        "service/redis-master   ClusterIP   10.96.12.34    <none>        6379/TCP       125m\n"
        "service/redis-slave    ClusterIP   10.96.45.6     <none>        6379/TCP       120m\n")


def test_wide_shows_priority_columns() -> None:
    assert render([("rc", rc_table(), TableOptions(wide=True))]) == (
        "NAME           DESIRED   CURRENT   READY   AGE    CONTAINERS   IMAGES"
        "                                   SELECTOR\n"
        "frontend       3         3         3       90m    php-redis    "
        "gcr.io/google_samples/gb-frontend:v4     app=guestbook,tier=frontend\n"
        "redis-master   1         1         1       125m   master       "
        "registry.k8s.io/redis:e2e                app=redis,role=master,tier=backend\n"
        "redis-slave    2         2         2       120m   slave        "
        "gcr.io/google_samples/gb-redisslave:v3   app=redis,role=slave,tier=backend\n")
    pods = render([("pod", pods_table(), TableOptions(wide=True))])
    assert lines(pods, 1, 2) == (
        "NAME                 READY   STATUS    RESTARTS       AGE    IP            NODE     "
        "NOMINATED NODE   READINESS GATES\n"
        "frontend-4dt9q       1/1     Running   0              90m    10.244.0.13   node-1   "
        "<none>           <none>\n")
    svc = render([("svc", svc_table(), TableOptions(wide=True))])
    assert lines(svc, 1, 2, 3) == (
        "NAME           TYPE        CLUSTER-IP     EXTERNAL-IP   PORT(S)        AGE    SELECTOR\n"
        "frontend       NodePort    10.96.200.17   <none>        80:30001/TCP   90m    "
        "app=guestbook,tier=frontend\n"
        "kubernetes     ClusterIP   10.96.0.1      <none>        443/TCP        30d    <none>\n")


def test_all_namespaces_prepends_namespace() -> None:
    text = render([("pod", pods_table(), TableOptions(with_namespace=True))])
    assert lines(text, 1, 2) == (
        "NAMESPACE   NAME                 READY   STATUS    RESTARTS       AGE\n"
        "default     frontend-4dt9q       1/1     Running   0              90m\n")


def test_label_columns_keep_trailing_padding() -> None:
    text = render([("pod", pods_table(), TableOptions(label_columns=("app", "tier", "role")))])
    assert lines(text, 1, 2, 5) == (
        "NAME                 READY   STATUS    RESTARTS       AGE    APP         TIER       ROLE\n"
        "frontend-4dt9q       1/1     Running   0              90m    guestbook   frontend   \n"
        "redis-master-jv7vf   1/1     Running   0              125m   redis       backend    "
        "master\n")


def test_no_headers_and_no_blank_line_between_kinds() -> None:
    text = render([("rc", rc_table(), TableOptions(no_headers=True,
                                                   kind_prefix="replicationcontroller")),
                   ("svc", svc_table(), TableOptions(no_headers=True, kind_prefix="service"))],
                  no_headers=True)
    assert lines(text, 1, 4) == (
        "replicationcontroller/frontend       3     3     3     90m\n"
        "service/frontend       NodePort    10.96.200.17   <none>   80:30001/TCP   90m\n")
    assert "\n\n" not in text


def test_show_labels_and_label_key_headers() -> None:
    table = {"columnDefinitions": [column("Name", fmt="name"), column("Age")],
             "rows": [row(["a", "1s"], "a", {"app.kubernetes.io/name": "x", "b": "2"}),
                      row(["b", "2s"], "b"),
                      {"cells": ["c", "3s"]}]}
    text = render([("cm", table, TableOptions(show_labels=True,
                                              label_columns=("app.kubernetes.io/name",)))])
    assert text == (
        "NAME   AGE   NAME   LABELS\n"
        "a      1s    x      app.kubernetes.io/name=x,b=2\n"
        "b      2s           <none>\n"
        "c      3s           \n")


def test_empty_table_prints_nothing_and_header_once_per_type() -> None:
    empty = {"columnDefinitions": [column("Name", fmt="name")], "rows": []}
    assert render([("cm", empty, TableOptions())]) == ""
    one = {"columnDefinitions": [column("Name", fmt="name"), column("Age")],
           "rows": [row(["first", "1s"], "first")]}
    two = {"columnDefinitions": [column("Name", fmt="name"), column("Age")],
           "rows": [row(["second-longer", "2s"], "second-longer")]}
    assert render([("cm", one, TableOptions()), ("cm", two, TableOptions())]) == (
        "NAME            AGE\n"
        "first           1s\n"
        "second-longer   2s\n")


def test_cells_are_sanitised_and_formatted_like_go() -> None:
    assert sanitise("line1\nline2") == "line1..."
    assert sanitise("a\x1b[31mred") == "a^[[31mred"
    assert sanitise("cr\rhere") == "cr..."
    table = {"columnDefinitions": [column("Name", fmt="name"), column("Flag"), column("Ratio"),
                                   column("Nothing")],
             "rows": [row(["x", True, 1.5, None], "x"), row(["y", False, 1e6, "z"], "y")]}
    assert render([("x", table, TableOptions())]) == (
        "NAME   FLAG    RATIO   NOTHING\n"
        "x      true    1.5     \n"
        "y      false   1e+06   z\n")


def test_widths_are_remembered_across_flushes_of_long_tables() -> None:
    """kubectl flushes every 100 rows: the first 100 rows keep their narrower width."""
    names = [f"n{i:03d}" for i in range(150)]
    names[120] = "a-much-longer-name"
    table = {"columnDefinitions": [column("Name", fmt="name"), column("Age")],
             "rows": [row([n, "1s"], n) for n in names]}
    text = render([("cm", table, TableOptions())]).splitlines()
    assert text[1] == "n000   1s"
    assert text[100] == "n099   1s"
    wide = len("a-much-longer-name") + 3
    assert text[101] == "n100".ljust(wide) + "1s"
    assert text[121] == "a-much-longer-name".ljust(wide) + "1s"


def test_tabwriter_aligns_column_blocks_like_go() -> None:
    out: list[str] = []
    writer = TabWriter(out.append, minwidth=0, padding=1)
    writer.write("aaaa\tbbb\td\naa\tb\tdd\na\t\naa\tcccc\teee\n")
    writer.flush()
    # the b column is not contiguous down to the cccc line, so they are separate columns
    assert "".join(out) == "aaaa bbb d\naa   b   dd\na    \naa   cccc eee\n"
