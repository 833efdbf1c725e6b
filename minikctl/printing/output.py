"""Object output for `-o yaml|json|name` and the one-line results of mutating commands.

kubectl's YAML printer separates successive objects with `---`, its JSON printer just
concatenates them, and its name printer writes `kind[.group]/name` (a List prints one line per
item). Mutations print `kind[.group]/name <verb>` with ` (dry run)` or ` (server dry run)`.
"""

from __future__ import annotations

from typing import Any, Callable

from minikctl.errors import MinikctlError

OBJECT_FORMATS = ("json", "name", "yaml")


def check_format(output: str, allowed: tuple[str, ...] = OBJECT_FORMATS) -> None:
    if output and output not in allowed:
        raise MinikctlError(f'unable to match a printer suitable for the output format "{output}", '
                            f'allowed formats are: {",".join(sorted(allowed))}')


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

    def print(self, obj: dict[str, Any]) -> None:
        self._count += 1
        if self.output == "yaml":
            from minikctl.printing.yamlout import to_yaml  # yaml costs start-up time; load on use

            self._write(("---\n" if self._count > 1 else "") + to_yaml(obj))
        elif self.output == "json":
            from minikctl.printing.jsonout import to_json

            self._write(to_json(obj))
        elif self.output == "name":
            items = obj.get("items") if str(obj.get("kind", "")).endswith("List") else None
            for item in items if isinstance(items, list) else [obj]:
                self._write(f"{kind_string_of(item)}/{name_of(item)}\n")

    def print_result(self, kind_string: str, name: str, verb: str, dry_run: str = "none") -> None:
        """`replicationcontroller/x created`, or `replicationcontroller/x` with `-o name`."""
        if self.output == "name":
            self._write(f"{kind_string}/{name}\n")
        else:
            self._write(f"{kind_string}/{name} {verb}{dry_run_suffix(dry_run)}\n")


def as_list(items: list[dict[str, Any]]) -> dict[str, Any]:
    """The `List` kubectl prints when a get returns several (or zero) objects."""
    return {"apiVersion": "v1", "items": items, "kind": "List",
            "metadata": {"resourceVersion": ""}}
