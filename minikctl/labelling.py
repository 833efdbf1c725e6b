"""The key/value edits behind `label` and `annotate`: parsing `k=v` / `k-` arguments, kubectl's
--overwrite check and wording, and the merge patch that carries the change."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from minikctl.errors import AggregateError, MinikctlError


@dataclass(frozen=True)
class Kind:
    """What differs between label and annotate."""

    field: str  # labels | annotations
    verb: str  # label | annotate
    manager: str


LABEL = Kind("labels", "label", "kubectl-label")
ANNOTATE = Kind("annotations", "annotate", "kubectl-annotate")


def split_args(args: list[str], verb: str) -> tuple[list[str], list[str]]:
    """cmdutil.GetResourcesAndPairs: resources first, then `k=v` / `k-` pairs."""
    resources: list[str] = []
    pairs: list[str] = []
    for arg in args:
        pair = ("=" in arg and not arg.startswith("=")) or (arg.endswith("-") and arg != "-")
        if pair:
            pairs.append(arg)
        elif pairs:
            raise MinikctlError(f"all resources must be specified before {verb} changes: {arg}")
        else:
            resources.append(arg)
    return resources, pairs


def parse_pairs(pairs: list[str], kind: Kind) -> tuple[dict[str, str], list[str]]:
    wanted: dict[str, str] = {}
    remove: list[str] = []
    for spec in pairs:
        if "=" in spec:
            parts = spec.split("=")
            if kind is LABEL and len(parts) != 2:
                raise MinikctlError(f"invalid label spec: {spec}")
            key, _, value = spec.partition("=")
            wanted[key] = value
        elif spec.endswith("-"):
            remove.append(spec[:-1])
        else:
            raise MinikctlError(f"unknown {kind.verb[:5] if kind is LABEL else 'annotation'} spec: "
                                f"{spec}")
    if any(key in wanted for key in remove):
        noun = "label" if kind is LABEL else "annotation"
        raise MinikctlError(f"can not both modify and remove {'a' if kind is LABEL else 'an'} "
                            f"{noun} in the same command")
    return wanted, remove


def change_message(old: dict[str, Any], new: dict[str, Any]) -> str:
    removed = any(k not in new for k in old)
    changed = any(old.get(k) != v or k not in old for k, v in new.items())
    if removed and changed:
        return "modified"
    return "unlabeled" if removed else "labeled" if changed else "not labeled"


def _check_overwrite(current: dict[str, Any], wanted: dict[str, str], kind: Kind) -> None:
    clashes = [f"'{k}' already has a value ({current[k]})" for k, v in wanted.items()
               if k in current and current[k] != v]
    if not clashes:
        return
    if kind is LABEL:
        raise AggregateError([MinikctlError(f"{c}, and --overwrite is false") for c in clashes])
    raise MinikctlError("--overwrite is false but found the following declared annotation(s): "
                        + "; ".join(clashes))


def mutate(obj: dict[str, Any], kind: Kind, wanted: dict[str, str], remove: list[str],
            opts: dict[str, Any], say: Callable[[str], None]
            ) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the object as it will be, the merge patch); kubectl's labelFunc / updateAnnotations."""
    meta = obj.setdefault("metadata", {})
    current = dict(meta.get(kind.field) or {})
    if kind is LABEL and opts["dry_run"] != "client":
        for key in remove:
            if key not in current:
                say(f'label "{key}" not found.\n')
    if not opts["overwrite"]:
        _check_overwrite(current, wanted, kind)
    updated = dict(current, **wanted)
    for key in remove:
        updated.pop(key, None)
    meta[kind.field] = updated
    changes: dict[str, Any] = {k: v for k, v in updated.items() if current.get(k) != v}
    changes.update({k: None for k in current if k not in updated})
    patch_meta: dict[str, Any] = {kind.field: changes} if changes else {}
    if opts["resource_version"]:
        meta["resourceVersion"] = patch_meta["resourceVersion"] = opts["resource_version"]
    return {"old": current, "new": updated}, {"metadata": patch_meta} if patch_meta else {}
