"""Object output for `-o yaml|json|name|jsonpath` and the one-line results of mutating commands.

kubectl's YAML printer separates successive objects with `---`, its JSON printer just
concatenates them, and its name printer writes `kind[.group]/name` (a List prints one line per
item). Mutations print `kind[.group]/name <verb>` with ` (dry run)` or ` (server dry run)`.
"""

from __future__ import annotations

from typing import Any, Callable

OBJECT_FORMATS = ("json", "name", "yaml")
MUTATION_FORMATS = ("go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,"
                    "kyaml,name,template,templatefile,yaml")


def check_format(output: str) -> None:
    """The `-o` of a mutating verb: json, yaml, name or a JSONPath template, checked up front."""
    if output and output not in OBJECT_FORMATS:
        from minikctl.printing.formats import template_printer

        template_printer(output, lambda text: None)


def kind_string_of(obj: dict[str, Any]) -> str:
    """`replicationcontroller`, `deployment.apps` from an object's apiVersion and kind."""
    group = str(obj.get("apiVersion") or "").rpartition("/")[0]
    kind = str(obj.get("kind") or "").lower()
    return f"{kind}.{group}" if group else kind


def name_of(obj: dict[str, Any]) -> str:
    return str((obj.get("metadata") or {}).get("name") or "")


def dry_run_suffix(dry_run: str) -> str:
    return {"client": " (dry run)", "server": " (server dry run)"}.get(dry_run, "")


class ObjectPrinter:
    """Prints objects one after another in one `-o` format."""

    def __init__(self, output: str, write: Callable[[str], None]) -> None:
        self.output = output
        self._write = write
        self._count = 0
        self._template: Any = None

    def print(self, obj: dict[str, Any], ordered: bool = False) -> None:
        """`ordered`: print JSON keys in the object's own order, as kubectl prints the typed
        objects it builds itself (run, expose); YAML is always sorted."""
        self._count += 1
        if self.output == "yaml":
            from minikctl.printing.yamlout import to_yaml  # yaml costs start-up time; load on use

            self._write(("---\n" if self._count > 1 else "") + to_yaml(obj))
        elif self.output == "json":
            from minikctl.printing.jsonout import to_json

            self._write(to_json(obj, ordered))
        elif self.output == "name":
            items = obj.get("items") if str(obj.get("kind", "")).endswith("List") else None
            for item in items if isinstance(items, list) else [obj]:
                self._write(f"{kind_string_of(item)}/{name_of(item)}\n")
        elif self.output:
            if self._template is None:
                from minikctl.printing.formats import template_printer

                self._template = template_printer(self.output, self._write)
            self._template.print(obj)

    def print_result(self, kind_string: str, name: str, verb: str, dry_run: str = "none",
                     obj: dict[str, Any] | None = None) -> None:
        """`replicationcontroller/x created`, `replicationcontroller/x` with `-o name`, or the
        object through the `-o jsonpath` template."""
        if self.output not in ("", "name") and obj is not None:
            self.print(obj)
        elif self.output == "name":
            self._write(f"{kind_string}/{name}\n")
        else:
            self._write(f"{kind_string}/{name} {verb}{dry_run_suffix(dry_run)}\n")


def as_list(items: list[dict[str, Any]], resource_version: bool = True) -> dict[str, Any]:
    """The `List` kubectl prints when a get returns several (or zero) objects; commands that
    build a corev1.List themselves (apply, label) leave its metadata empty."""
    return {"apiVersion": "v1", "items": items, "kind": "List",
            "metadata": {"resourceVersion": ""} if resource_version else {}}
