"""The one write path: every create, update, patch and delete, from HTTP handlers and from
controllers alike, runs here in a fixed order (as kube-apiserver's BeforeCreate/BeforeUpdate):

    decode -> namespace checks -> default -> admit -> prepare -> validate -> persist

Kinds only supply hooks (`resources/<plural>.py`); this module never branches on the kind.
Storage conflicts become 409s, compaction becomes 410.
"""

from __future__ import annotations

import copy
import logging
from collections import OrderedDict
from datetime import datetime, timezone
from typing import Any, Callable

import orjson

from apiserver import deletion, errors, typecheck
from apiserver.config import ServerConfig
from apiserver.machinery import objectmeta
from apiserver.machinery.duration import format_time
from apiserver.resources import by_plural
from apiserver.resources.base import Obj, ResourceType
from apiserver.storage import (CompactedError, KeyExistsError, KeyNotFoundError, KeyValue,
                               RevisionMismatchError, Storage)

log = logging.getLogger(__name__)

# Server-owned metadata that clients cannot set or change through an update.
_IMMUTABLE_META = ("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds")
_GENERATE_NAME_TRIES = 8
_CONFLICT_RETRIES = 20
_SHARED_KEPT = 512  # parsed revisions kept for read-only readers (each ~8 KB for a pod)


def decode(kv: KeyValue) -> Obj:
    return orjson.loads(kv.value)


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


class Registry:
    def __init__(self, storage: Storage, config: ServerConfig) -> None:
        self.storage = storage
        self.config = config
        self._state: dict[str, Any] = {}
        self._shared: OrderedDict[tuple[str, int], tuple[bytes, Obj]] = OrderedDict()

    # -- AdmissionContext ---------------------------------------------------------------------

    def state(self, key: str, factory: Callable[[], Any]) -> Any:
        if key not in self._state:
            self._state[key] = factory()
        return self._state[key]

    async def list_objects(self, plural: str, group: str = "", namespace: str | None = None) -> list[Obj]:
        rt = by_plural(group, plural)
        assert rt is not None, plural
        _, items = await self.storage.list(rt.prefix(namespace))
        return [decode(kv) for kv in items]

    # -- reads -------------------------------------------------------------------------------

    def decode_shared(self, kv: KeyValue) -> Obj:
        """One parse per stored revision for every reader that never changes what it gets:
        watch streams, informer caches, and the update path's view of the stored object (a
        write usually starts from the revision the watchers have just parsed). Never mutate
        the result."""
        key = (kv.key, kv.mod_revision)
        seen = self._shared.get(key)
        if seen is not None and seen[0] == kv.value:  # a failed commit gives its revisions out again
            return seen[1]
        obj = decode(kv)
        self._shared[key] = (kv.value, obj)
        if len(self._shared) > _SHARED_KEPT:
            self._shared.popitem(last=False)
        return obj

    async def get_kv(self, rt: ResourceType, namespace: str | None, name: str) -> KeyValue:
        kv = await self.storage.get(rt.key(namespace, name))
        if kv is None:
            raise errors.not_found(rt.plural, rt.group, name)
        return kv

    async def get(self, rt: ResourceType, namespace: str | None, name: str) -> Obj:
        return decode(await self.get_kv(rt, namespace, name))

    async def list_kvs(self, rt: ResourceType, namespace: str | None) -> tuple[int, list[KeyValue]]:
        return await self.storage.list(rt.prefix(namespace))

    async def list(self, rt: ResourceType, namespace: str | None = None, *, label_selector: str = "",
                   field_selector: str = "") -> tuple[int, list[Obj]]:
        from apiserver.filtering import compile_filter

        match = compile_filter(rt, label_selector, field_selector)
        revision, kvs = await self.list_kvs(rt, namespace)
        items = [decode(kv) for kv in kvs]
        if match is not None:
            items = [o for o in items if match(o)]
        return revision, items

    # -- create ------------------------------------------------------------------------------

    async def create(self, rt: ResourceType, namespace: str | None, obj: Obj, *,
                     dry_run: bool = False) -> Obj:
        return (await self.create_encoded(rt, namespace, obj, dry_run=dry_run))[0]

    async def create_encoded(self, rt: ResourceType, namespace: str | None, obj: Obj, *,
                             dry_run: bool = False) -> tuple[Obj, bytes | None]:
        """`create`, and the JSON the object was stored as (None for a dry run), which is
        what a response sends: the object is serialised once."""
        obj = self._check_body(rt, namespace, obj)
        meta = obj["metadata"]
        rv = meta.get("resourceVersion")  # kube parses it: "0" and non-numbers count as unset
        if isinstance(rv, str) and rv.isascii() and rv.isdigit() and int(rv):
            # kube-apiserver answers this storage error as a reason-less 500.
            raise errors.plain_error("resourceVersion should not be set on objects to be created")
        await self._check_namespace_for_create(rt, obj)
        generated = not meta.get("name") and bool(meta.get("generateName"))
        if generated:
            meta["name"] = objectmeta.generate_name(meta["generateName"])
        with typecheck.hook_errors(rt.kind, rt.version):
            rt.default(obj)
            await rt.admit(obj, None, self)
        try:
            created, encoded = await self._create_admitted(rt, obj, dry_run, generated)
        except BaseException:
            await rt.release(obj, self)
            raise
        if dry_run:
            await rt.release(obj, self)
        return created, encoded

    async def _create_admitted(self, rt: ResourceType, obj: Obj, dry_run: bool,
                               generated: bool) -> tuple[Obj, bytes | None]:
        meta = obj["metadata"]
        for field in ("deletionTimestamp", "deletionGracePeriodSeconds", "managedFields"):
            meta.pop(field, None)
        meta["uid"] = objectmeta.new_uid()
        meta["creationTimestamp"] = format_time(now_utc())
        if rt.tracks_generation:
            meta["generation"] = 1
        else:
            meta.pop("generation", None)
        with typecheck.hook_errors(rt.kind, rt.version):
            rt.prepare_for_create(obj)
            self._validate(rt, obj, objectmeta.validate_object_meta(obj, rt, True) + rt.validate(obj))
        if dry_run:
            if await self.storage.get(rt.key(meta.get("namespace"), meta["name"])) is not None:
                raise errors.already_exists(rt.plural, rt.group, meta["name"])
            return obj, None
        for attempt in range(_GENERATE_NAME_TRIES):
            try:
                kv = await self.storage.create(rt.key(meta.get("namespace"), meta["name"]), _encoder(rt, obj))
                log.debug("CREATE %s => rev=%d", kv.key, kv.mod_revision)
                return obj, kv.value
            except KeyExistsError:
                if not generated:
                    raise errors.already_exists(rt.plural, rt.group, meta["name"]) from None
                if attempt == _GENERATE_NAME_TRIES - 1:
                    raise errors.already_exists(
                        rt.plural, rt.group, meta["name"],
                        ", the server was not able to generate a unique name for the object") from None
                meta["name"] = objectmeta.generate_name(meta["generateName"])
        raise AssertionError("unreachable")

    def _check_body(self, rt: ResourceType, namespace: str | None, obj: Any, stored: Obj | None = None) -> Obj:
        """TypeMeta and namespace as kube-apiserver reconciles them with the URL. `stored`: see
        `_decode_typed`."""
        if not isinstance(obj, dict):
            raise errors.bad_request(f"the body of the request could not be decoded as a {rt.kind}")
        typecheck.check_type_meta(obj)
        api_version, kind = obj.get("apiVersion"), obj.get("kind")
        if api_version and api_version != rt.api_version:
            raise errors.bad_request(
                f'the API version in the data ({api_version}) does not match the expected API version '
                f'({rt.api_version})')
        if kind and kind != rt.kind:
            raise errors.bad_request(f'the kind in the data ({kind}) does not match the expected kind ({rt.kind})')
        out: Obj = {"kind": rt.kind, "apiVersion": rt.api_version}
        out.update(obj)  # keys already in `out` keep their places: kind and apiVersion lead
        out["kind"], out["apiVersion"] = rt.kind, rt.api_version
        _decode_typed(rt, out, stored)  # kube decodes before anything else
        meta = out.get("metadata")
        if meta is None:
            meta = out["metadata"] = {}
        if rt.namespaced:
            body_ns = meta.get("namespace")
            if body_ns and namespace and body_ns != namespace:
                raise errors.bad_request(
                    "the namespace of the provided object does not match the namespace sent on the request")
            if namespace:
                meta["namespace"] = namespace
        else:
            meta.pop("namespace", None)
        return out

    async def _check_namespace_for_create(self, rt: ResourceType, obj: Obj) -> None:
        """The NamespaceLifecycle admission plugin: no content in missing or dying namespaces."""
        ns_name = obj["metadata"].get("namespace")
        if not rt.namespaced or not ns_name:
            return
        ns_type = by_plural("", "namespaces")
        assert ns_type is not None
        kv = await self.storage.get(ns_type.key(None, ns_name))
        if kv is None:
            raise errors.not_found("namespaces", "", ns_name)
        if self.decode_shared(kv)["metadata"].get("deletionTimestamp"):  # parsed once per revision
            raise errors.forbidden(
                rt.plural, rt.group, obj["metadata"].get("name") or None,
                f"unable to create new content in namespace {ns_name} because it is being terminated",
                [{"reason": "NamespaceTerminating",
                  "message": f'namespace {ns_name} is being terminated', "field": "metadata.namespace"}])

    def _validate(self, rt: ResourceType, obj: Obj, errs: list[errors.FieldError]) -> None:
        if errs:
            raise errors.invalid(rt.kind, rt.group, obj["metadata"].get("name", ""), errs)

    # -- update ------------------------------------------------------------------------------

    async def update(self, rt: ResourceType, namespace: str | None, name: str, obj: Obj, *,
                     subresource: str | None = None, dry_run: bool = False) -> Obj:
        """PUT. Returns the stored object; see `update_with_status` for the created flag."""
        result, _ = await self.update_with_status(rt, namespace, name, obj, subresource=subresource,
                                                  dry_run=dry_run)
        return result

    async def update_with_status(self, rt: ResourceType, namespace: str | None, name: str, obj: Obj, *,
                                 subresource: str | None = None, dry_run: bool = False) -> tuple[Obj, bool]:
        kv = await self.storage.get(rt.key(namespace, name))
        stored = self.decode_shared(kv) if kv is not None and subresource == "status" else None
        obj = self._check_body(rt, namespace, obj, stored)
        body_name = obj["metadata"].get("name")
        if body_name != name:
            raise errors.bad_request(
                f"the name of the object ({body_name or ''}) does not match the name on the URL ({name})")
        if kv is None:
            if rt.create_on_update and subresource is None:
                obj["metadata"].pop("resourceVersion", None)
                return await self.create(rt, namespace, obj, dry_run=dry_run), True
            raise errors.not_found(rt.plural, rt.group, name)
        wanted_rv = obj["metadata"].get("resourceVersion")
        if not wanted_rv and rt.require_resource_version:
            raise errors.invalid(rt.kind, rt.group, name, [errors.invalid_value(
                "metadata.resourceVersion", 0, "must be specified for an update")])
        body = obj

        def mutate(current: Obj) -> Obj:
            # Each attempt gets its own copy of the body, and only of the part it keeps.
            part = {"status": "status", "finalize": "spec"}.get(subresource or "")
            new = {part: _copy(body.get(part))} if part else _copy(body)
            return self.merge_for_update(rt, current, new, subresource)

        # The body was decoded above and the stored object when it was written: their merge
        # needs no second typed decode.
        return await self.guaranteed_update(rt, namespace, name, mutate, precondition_rv=wanted_rv,
                                            dry_run=dry_run, first=kv, subresource=subresource,
                                            recheck=False), False

    def merge_for_update(self, rt: ResourceType, current: Obj, new: Obj, subresource: str | None) -> Obj:
        """The spec/status split and server-owned metadata, generically. `current` is the
        private copy `guaranteed_update` gave the mutation; the result may reuse it."""
        if subresource == "status":
            merged = current
            merged["status"] = new.get("status")
            if merged["status"] is None:
                merged.pop("status")
            return merged
        if subresource == "finalize":
            merged = current
            merged["spec"] = new.get("spec") or {}
            return merged
        meta, old_meta = new["metadata"], current["metadata"]
        for field in _IMMUTABLE_META + ("generation",):
            if field in old_meta:
                meta[field] = old_meta[field]
            else:
                meta.pop(field, None)
        if rt.has_status:
            if "status" in current:
                new["status"] = current["status"]
            else:
                new.pop("status", None)
        return new

    async def guaranteed_update(self, rt: ResourceType, namespace: str | None, name: str,
                                mutate: Callable[[Obj], Obj], *, precondition_rv: str | None = None,
                                dry_run: bool = False, first: KeyValue | None = None,
                                subresource: str | None = None, recheck: bool = True) -> Obj:
        """Read-modify-write with retries on storage conflicts. A non-empty `precondition_rv`
        that differs from the stored revision is a 409, checked before validation.
        `mutate` gets a private copy of the stored object, which it may change and return.
        `recheck=False`: mutate only merges an already-decoded body into the stored object,
        so its result needs no second typed decode."""
        key = rt.key(namespace, name)
        kv = first
        for _ in range(_CONFLICT_RETRIES):
            if kv is None:
                kv = await self.storage.get(key)
                if kv is None:
                    raise errors.not_found(rt.plural, rt.group, name)
            if precondition_rv and precondition_rv != str(kv.mod_revision):
                raise errors.conflict(rt.plural, rt.group, name)
            current = self.decode_shared(kv)  # read-only: hooks compare against it, nothing changes it
            with typecheck.hook_errors(rt.kind, rt.version):
                new = mutate(decode(kv))  # a private parse: cheaper than a deep copy
                if recheck:
                    new = typecheck.check_patched(new, rt.group, rt.version, rt.kind)
            try:
                with typecheck.hook_errors(rt.kind, rt.version):
                    new = await self._prepare_update(rt, new, current, subresource)
                if dry_run:
                    await rt.release(new, self)
                    return new
                stored = await self._persist_update(rt, key, kv, new, current)
            except RevisionMismatchError as e:
                await rt.release(new, self)
                if precondition_rv:
                    raise errors.conflict(rt.plural, rt.group, name) from None
                kv = e.current
                continue
            except KeyNotFoundError:
                await rt.release(new, self)
                raise errors.not_found(rt.plural, rt.group, name) from None
            except BaseException:
                await rt.release(new, self)  # frees only what no stored object holds
                raise
            await rt.release(current, self)
            return stored
        raise errors.conflict(rt.plural, rt.group, name)

    async def _prepare_update(self, rt: ResourceType, new: Obj, current: Obj, subresource: str | None) -> Obj:
        rt.default(new)
        await rt.admit(new, current, self)
        if subresource is None:  # /status and /finalize keep what they do not own generically
            rt.prepare_for_update(new, current)
        if rt.tracks_generation and _spec_changed(new, current):
            new["metadata"]["generation"] = int(current["metadata"].get("generation") or 0) + 1
        errs = objectmeta.validate_object_meta(new, rt, False) + objectmeta.validate_object_meta_update(new, current)
        if subresource != "status":
            # /status writes keep the stored spec: like kube's status strategies, they judge
            # metadata and the update only, not what the kind's validate() covers again.
            errs += rt.validate(new)
        errs += rt.validate_update(new, current)
        self._validate(rt, new, errs)
        if current["metadata"].get("deletionTimestamp"):
            added = set(new["metadata"].get("finalizers") or []) - set(current["metadata"].get("finalizers") or [])
            if added:
                raise errors.invalid(rt.kind, rt.group, new["metadata"]["name"], [errors.forbidden_field(
                    "metadata.finalizers", "no new finalizers can be added if the object is being deleted")])
        return new

    async def _persist_update(self, rt: ResourceType, key: str, kv: KeyValue, new: Obj, current: Obj) -> Obj:
        new["metadata"]["resourceVersion"] = current["metadata"].get("resourceVersion")
        if new == current:
            return new  # a write that changes nothing bumps no revision (`current` is shared)
        if deletion.ready_to_remove(rt, new):
            gone = await self.storage.delete(key, kv.mod_revision)
            new["metadata"]["resourceVersion"] = str(gone.mod_revision)
            await rt.release(new, self)
            return new
        stored = await self.storage.update(key, _encoder(rt, new), kv.mod_revision)
        log.debug("UPDATE %s => rev=%d", key, stored.mod_revision)
        return new

    # -- delete ------------------------------------------------------------------------------

    async def delete(self, rt: ResourceType, namespace: str | None, name: str,
                     options: Obj | None = None, *, dry_run: bool = False) -> Obj:
        """Returns the object as it now stands: gone (last state, RV of the delete) or marked
        for deletion (deletionTimestamp set) while finalizers or a grace period run."""
        options = options or {}
        key = rt.key(namespace, name)
        kv: KeyValue | None = None
        for _ in range(_CONFLICT_RETRIES):
            if kv is None:
                kv = await self.get_kv(rt, namespace, name)
            current = decode(kv)
            with typecheck.hook_errors("DeleteOptions", "v1"):
                deletion.check_preconditions(rt, current, options.get("preconditions"))
                if rt.validate_delete is not None:
                    rt.validate_delete(current)
                marked = deletion.mark_for_deletion(rt, copy.deepcopy(current), options, now_utc())
            if dry_run:
                return marked if marked is not None else current
            try:
                if marked is not None:
                    if marked == current:
                        return current
                    await self.storage.update(key, _encoder(rt, marked), kv.mod_revision)
                    return marked
                gone = await self.storage.delete(key, kv.mod_revision)
            except RevisionMismatchError as e:
                kv = e.current  # may be a write still committing, which storage.get cannot show
                continue
            except KeyNotFoundError:
                raise errors.not_found(rt.plural, rt.group, name) from None
            current["metadata"]["resourceVersion"] = str(gone.mod_revision)
            await rt.release(current, self)
            log.debug("DELETE %s => rev=%d", key, gone.mod_revision)
            return current
        raise errors.conflict(rt.plural, rt.group, name)

    def watch(self, rt: ResourceType, namespace: str | None, *, resource_version: int,
              label_selector: str = "", field_selector: str = "", read_only: bool = False) -> Any:
        """An open `watch.Watch` of WatchEvents after `resource_version` (410 when compacted).
        `read_only`: the caller never mutates the objects, which may then be shared."""
        from apiserver.watch import open_watch

        return open_watch(self, rt, namespace, resource_version=resource_version,
                          label_selector=label_selector, field_selector=field_selector, read_only=read_only)

    # -- subresources ------------------------------------------------------------------------

    async def bind(self, rt: ResourceType, namespace: str | None, name: str, binding: Obj) -> None:
        """POST <name>/binding. Like kube's BindingREST it assigns the node directly: the
        pod update rules (which forbid changing spec.nodeName) do not apply."""
        if rt.bind is None:
            raise errors.method_not_allowed("create", rt.plural, rt.group)
        key = rt.key(namespace, name)
        kv: KeyValue | None = None
        for _ in range(_CONFLICT_RETRIES):
            if kv is None:
                kv = await self.get_kv(rt, namespace, name)
            current = decode(kv)
            with typecheck.hook_errors("Binding", "v1"):
                rt.bind(current, binding)
            try:
                await self.storage.update(key, _encoder(rt, current), kv.mod_revision)
                return
            except RevisionMismatchError as e:
                kv = e.current
                continue
            except KeyNotFoundError:
                raise errors.not_found(rt.plural, rt.group, name) from None
        raise errors.conflict(rt.plural, rt.group, name)


def _decode_typed(rt: ResourceType, out: Obj, stored: Obj | None) -> None:
    """typecheck.check_object on a body. With `stored` (a /status body, of which only the
    status is kept), top-level fields whose JSON is byte for byte the stored object's (which
    decoded when it was written) are not decoded again: they hold no mismatch to report."""
    same = {k for k, v in out.items() if k != "status" and k in stored and _same_json(v, stored[k])} \
        if stored is not None else set()
    if not same:
        typecheck.check_object(out, rt.group, rt.version, rt.kind)
        return
    rest = {k: v for k, v in out.items() if k not in same}
    typecheck.check_object(rest, rt.group, rt.version, rt.kind)
    for k in [k for k in out if k not in same]:  # the decode may drop or normalise a field
        if k in rest:
            out[k] = rest[k]
        else:
            del out[k]


def _same_json(a: Any, b: Any) -> bool:
    try:
        return a is b or orjson.dumps(a) == orjson.dumps(b)
    except orjson.JSONEncodeError:
        return False


def _copy(value: Any) -> Any:
    """A deep copy of JSON data (what every stored object is), several times faster than
    `copy.deepcopy`; what JSON cannot carry is copied as it is (and refused when stored)."""
    if not isinstance(value, (dict, list)):
        return value
    try:
        return orjson.loads(orjson.dumps(value))
    except orjson.JSONEncodeError:
        return copy.deepcopy(value)


def _encoder(rt: ResourceType, obj: Obj) -> Callable[[int], bytes]:
    def encode(revision: int) -> bytes:
        obj["metadata"]["resourceVersion"] = str(revision)
        try:
            return orjson.dumps(obj)
        except orjson.JSONEncodeError as e:  # a value JSON cannot carry: nothing is stored
            raise typecheck.cannot_handle(rt.kind, rt.version, f"json: {e}") from None

    return encode


def _spec_changed(new: Obj, old: Obj) -> bool:
    ignore = ("metadata", "status", "kind", "apiVersion")
    return {k: v for k, v in new.items() if k not in ignore} != {k: v for k, v in old.items() if k not in ignore}


__all__ = ["Registry", "decode", "CompactedError"]

