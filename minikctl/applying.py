"""How `apply` brings one object to its manifest: client-side (three-way strategic merge patch
against the last-applied annotation) or server-side (one apply PATCH).

Client-side, like kubectl: the manifest without the annotation, as compact JSON plus a newline, is
the new last-applied configuration; a missing object is created carrying it; an existing one gets
the three-way patch computed with the OpenAPI patch metadata of its kind, no request at all when
the patch is `{}` ("unchanged"), and a re-read and a new patch on a Conflict (five times).
"""

from __future__ import annotations

import copy
import time
from typing import TYPE_CHECKING, Any, Callable

from minikctl.client import decode_json
from minikctl.errors import ApiError, MinikctlError, with_source
from minikctl.fetch import get_object
from minikctl.printing.jsonout import to_compact_json
from minikctl.strategic import PatchError, PatchMetaError, SchemaLookup, three_way_patch
from minikctl.strategic.merge import MergeOptions, merge_map
from minikctl.targets import Target

if TYPE_CHECKING:
    from minikctl.session import Session

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
STRATEGIC = "application/strategic-merge-patch+json"
APPLY_PATCH = "application/apply-patch+yaml"
CONFLICT_RETRIES = 5
RETRY_PAUSE = 1.0  # kubectl backs off one second from the second retry on
MISSING_ANNOTATION = (
    "Warning: resource {name} is missing the {key} annotation which is required by {cmd} apply. "
    "{cmd} apply should only be used on resources created declaratively by either {cmd} create "
    "--save-config or {cmd} apply. The missing annotation will be patched automatically.\n")
SSA_CONFLICT_HELP = """
Please review the fields above--they currently have other managers. Here
are the ways you can resolve this warning:
* If you intend to manage all of these fields, please re-run the apply
  command with the `--force-conflicts` flag.
* If you do not intend to manage all of the fields, please edit your
  manifest to remove references to the fields that should keep their
  current managers.
* You may co-own fields by updating your manifest to match the existing
  value; in this case, you'll become the manager if the other manager(s)
  stop managing the field (remove it from their configuration).
See https://kubernetes.io/docs/reference/using-api/server-side-apply/#conflicts"""


def _annotations(obj: dict[str, Any]) -> dict[str, Any]:
    meta = obj.setdefault("metadata", {})
    found = meta.get("annotations")
    meta["annotations"] = dict(found) if isinstance(found, dict) else {}
    return meta["annotations"]  # type: ignore[no-any-return]


def modified_configuration(manifest: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """(the manifest carrying its own last-applied annotation, that annotation's text)."""
    bare = copy.deepcopy(manifest)
    _annotations(bare).pop(LAST_APPLIED, None)
    text = to_compact_json(bare) + "\n"
    annotated = copy.deepcopy(bare)
    _annotations(annotated)[LAST_APPLIED] = text
    return annotated, text


def prune_nulls(value: Any) -> None:
    if isinstance(value, dict):
        for key in [k for k, v in value.items() if v is None]:
            del value[key]
        for item in value.values():
            prune_nulls(item)
    elif isinstance(value, list):
        for item in value:
            prune_nulls(item)


def _write_query(base: dict[str, str], dry_run: str) -> dict[str, str]:
    return dict(base, dryRun="All") if dry_run == "server" else dict(base)


def _info(target: Target) -> str:
    """cli-runtime's Info.String(), which kubectl puts into apply's error messages."""
    res = target.resource
    return (f'Resource: "{res.group}/{res.version}, Resource={res.plural}", GroupVersionKind: '
            f'"{res.group}/{res.version}, Kind={res.kind}"\nName: "{target.name or ""}", '
            f'Namespace: "{target.namespace or ""}"')


class Applier:
    """Applies manifest objects for one run of `apply`."""

    def __init__(self, session: Session, query: dict[str, str], dry_run: str,
                 warn: Callable[[str], None]) -> None:
        self.session = session
        self.query = query
        self.dry_run = dry_run
        self.warn = warn

    def client_side(self, target: Target, body: dict[str, Any]) -> tuple[dict[str, Any], str]:
        """(resulting object, `created` | `configured` | `unchanged`)."""
        modified, annotation = modified_configuration(body)
        try:
            live = get_object(self.session.client, target)
        except ApiError as err:
            if not err.is_not_found():
                raise with_source(f"retrieving current configuration of:\n{_info(target)}\n"
                                  f"from server for:", target.source, err) from None
            return self._create(target, body, annotation), "created"
        if self.dry_run != "client" and LAST_APPLIED not in _annotations(copy.deepcopy(live)):
            name = f"{target.resource.plural}/{target.name}"
            self.warn(MISSING_ANNOTATION.format(name=name, key=LAST_APPLIED, cmd="minikctl"))
        patch, result = self._patch(target, live, modified)
        return result, "unchanged" if not patch else "configured"

    def _create(self, target: Target, body: dict[str, Any], annotation: str) -> dict[str, Any]:
        obj = copy.deepcopy(body)
        _annotations(obj)[LAST_APPLIED] = annotation
        prune_nulls(obj)
        if self.dry_run == "client":
            return obj
        path = target.resource.path(target.namespace)
        try:
            created: dict[str, Any] = self.session.client.request(
                "POST", path, query=_write_query(self.query, self.dry_run), body=obj).json()
        except ApiError as err:
            raise with_source("creating", target.source, err) from None
        return created or obj

    def _lookup(self, target: Target) -> SchemaLookup:
        res = target.resource
        openapi = self.session.openapi
        schema = openapi.kind_schema(res.group, res.version, res.kind)
        if schema is None or not openapi.supports_strategic_merge(res.group, res.version, res.kind):
            raise MinikctlError(f"no OpenAPI schema for {res.kind} in {res.group_version}: "
                                f"cannot compute a strategic merge patch")
        return SchemaLookup(schema, openapi.schemas(res.group, res.version))

    def _patch(self, target: Target, live: dict[str, Any],
               modified: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        lookup = self._lookup(target)
        for attempt in range(CONFLICT_RETRIES + 1):
            patch = self._compute(target, live, modified, lookup)
            if not patch:
                return patch, live
            if self.dry_run == "client":
                local = merge_map(copy.deepcopy(live), copy.deepcopy(patch), lookup,
                                  MergeOptions(parallel_lists=True, ignore_unmatched_nulls=True))
                return patch, local
            try:
                answer = self.session.client.request(
                    "PATCH", target.path, query=_write_query(self.query, self.dry_run),
                    body=to_compact_json(patch).encode(), content_type=STRATEGIC)
                return patch, answer.json() or live
            except ApiError as err:
                if err.reason != "Conflict" or attempt == CONFLICT_RETRIES:
                    wrapped = with_source("patching", target.source, err)
                    raise with_source(f"applying patch:\n{to_compact_json(patch)}\nto:\n"
                                      f"{_info(target)}\nfor:", target.source, wrapped) from None
                if attempt >= 1:
                    time.sleep(RETRY_PAUSE)
                live = get_object(self.session.client, target)
        raise AssertionError("unreachable")

    def _compute(self, target: Target, live: dict[str, Any], modified: dict[str, Any],
                 lookup: SchemaLookup) -> dict[str, Any]:
        annotation = _annotations(copy.deepcopy(live)).get(LAST_APPLIED)
        original: dict[str, Any] = {}
        if annotation:
            try:
                loaded = decode_json(str(annotation))
                original = loaded if isinstance(loaded, dict) else {}
            except ValueError:
                original = {}
        try:
            return three_way_patch(original, modified, live, lookup)
        except (PatchError, PatchMetaError) as err:
            raise with_source(f"creating patch with:\noriginal:\n{annotation or ''}\nmodified:\n"
                              f"{to_compact_json(modified)}\ncurrent:\n{to_compact_json(live)}\n"
                              f"for:", target.source, MinikctlError(str(err))) from None

    def server_side(self, target: Target, body: dict[str, Any],
                    force: bool) -> tuple[dict[str, Any], str]:
        query = _write_query(self.query, self.dry_run)
        query["force"] = "true" if force else "false"
        try:
            answer = self.session.client.request(
                "PATCH", target.path, query=query, body=to_compact_json(body).encode(),
                content_type=APPLY_PATCH)
        except ApiError as err:
            if err.reason == "Conflict":
                raise MinikctlError(f"{err.message}{SSA_CONFLICT_HELP}") from None
            raise
        return answer.json() or body, "serverside-applied"
