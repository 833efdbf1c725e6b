"""ObjectMeta rules shared by every kind (apimachinery's pkg/api/validation/objectmeta.go):
name and generateName, namespace, labels, annotations, ownerReferences, finalizers, and
what an update may not change. Also the generated-name suffix.
"""

from __future__ import annotations

import os
import random
from typing import TYPE_CHECKING, Any, Callable

from apiserver.errors import FieldError, forbidden_field, invalid_value, required, too_long
from apiserver.machinery import names

if TYPE_CHECKING:
    from apiserver.resources.base import ResourceType

Obj = dict[str, Any]

ANNOTATIONS_SIZE_LIMIT = 256 * 1024
IMMUTABLE_MSG = "field is immutable"
_SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"  # no vowels, no 0/1/3: no words, no look-alikes
_MAX_PREFIX = 58
# As kube's SimpleNameGenerator (math/rand): names need no secrecy, and no system call.
_rand = random.Random()
_SUFFIX_PAIRS = [a + b for a in _SUFFIX_ALPHABET for b in _SUFFIX_ALPHABET]  # 27 * 27 = 729


def generate_name(prefix: str) -> str:
    """SimpleNameGenerator: the prefix cut to 58 characters plus 5 random characters."""
    # One 64-bit draw gives all five characters (27**5 is far below 2**64: no visible bias).
    n = _rand.getrandbits(64)
    return (prefix[:_MAX_PREFIX] + _SUFFIX_PAIRS[n % 729] + _SUFFIX_PAIRS[n // 729 % 729]
            + _SUFFIX_ALPHABET[n // 531441 % 27])


def new_uid() -> str:
    """A random (version 4) UUID as text, as str(uuid.uuid4()) gives it, in a third of the time."""
    n = int.from_bytes(os.urandom(16), "big")
    n = (n & ~(0xF000 << 64) & ~(0xC000 << 48)) | (0x4000 << 64) | (0x8000 << 48)
    h = f"{n:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def validate_labels(labels: Any, path: str) -> list[FieldError]:
    """Keys must be qualified names, values label values; errors sit on the map's field."""
    errs: list[FieldError] = []
    for key, value in (labels or {}).items():
        msgs = names.qualified_name(str(key))
        if msgs:
            errs += [invalid_value(path, key, m) for m in msgs]
        msgs = names.label_value(str(value))
        if msgs:
            errs += [invalid_value(path, value, m) for m in msgs]
    return errs


def validate_annotations(annotations: Any, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    size = 0
    for key, value in (annotations or {}).items():
        # The rule is the label-key rule with case ignored.
        errs += [invalid_value(path, key, m) for m in names.qualified_name(str(key).lower())]
        size += len(str(key).encode()) + len(str(value).encode())
    if size > ANNOTATIONS_SIZE_LIMIT:
        errs.append(too_long(path, ANNOTATIONS_SIZE_LIMIT))
    return errs


def _group_version(api_version: str) -> tuple[str, str] | None:
    """schema.ParseGroupVersion: `v1`, `apps/v1`, or None when malformed."""
    parts = api_version.split("/")
    if len(parts) == 1:
        return "", parts[0]
    if len(parts) == 2:
        return parts[0], parts[1]
    return None


def _owner_reference_errors(ref: Obj, path: str) -> list[FieldError]:
    errs = []
    gv = _group_version(str(ref.get("apiVersion") or ""))
    group, version = gv if gv else ("", "")
    kind = str(ref.get("kind") or "") if gv else ""
    if not version:
        errs.append(invalid_value(f"{path}.apiVersion", ref.get("apiVersion") or "", "version must not be empty"))
    if not kind:
        errs.append(invalid_value(f"{path}.kind", ref.get("kind") or "", "must not be empty"))
    for key in ("name", "uid"):
        if not ref.get(key):
            errs.append(invalid_value(f"{path}.{key}", ref.get(key) or "", "must not be empty"))
    if (group, version, kind) == ("", "v1", "Event"):
        errs.append(invalid_value(path, ref, "/v1, Kind=Event is disallowed from being an owner"))
    return errs


def validate_owner_references(refs: Any, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    first = ""
    for ref in refs or []:
        ref = ref if isinstance(ref, dict) else {}
        errs += _owner_reference_errors(ref, path)
        if ref.get("controller") is True:
            current = f"{ref.get('kind', '')}/{ref.get('name', '')}"
            if first:
                errs.append(invalid_value(path, refs, "Only one reference can have Controller set to true. "
                                                      f'Found "true" in references for {first} and {current}'))
            else:
                first = current
    return errs


def validate_finalizers(finalizers: Any, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    for name in finalizers or []:
        errs += [invalid_value(path, name, m) for m in names.qualified_name(str(name))]
    if "orphan" in (finalizers or []) and "foregroundDeletion" in (finalizers or []):
        errs.append(invalid_value(path, finalizers, "finalizer orphan and foregroundDeletion cannot be both set"))
    return errs


def _name_validator(rt: ResourceType) -> Callable[[str], list[str]]:
    return rt.validate_name or names.path_segment_name


def _validate_names(meta: Obj, rt: ResourceType) -> list[FieldError]:
    errs: list[FieldError] = []
    check = _name_validator(rt)
    generate = meta.get("generateName")
    if generate:
        errs += [invalid_value("metadata.generateName", generate, m)
                 for m in check(names.mask_trailing_dash(str(generate)))]
    name = meta.get("name")
    if not name:
        return errs + [required("metadata.name", "name or generateName is required")]
    msgs = check(str(name))
    if not msgs and check is not names.path_segment_name:
        # rest.BeforeCreate's common check runs only when the kind's own rules passed.
        msgs = names.path_segment_name(str(name))
    return errs + [invalid_value("metadata.name", name, m) for m in msgs]


def _validate_namespace(meta: Obj, rt: ResourceType) -> list[FieldError]:
    namespace = meta.get("namespace")
    if not rt.namespaced:
        return [forbidden_field("metadata.namespace", "not allowed on this type")] if namespace else []
    if not namespace:
        return [required("metadata.namespace")]
    return [invalid_value("metadata.namespace", namespace, m) for m in names.dns1123_label(str(namespace))]


def validate_object_meta(obj: Obj, rt: ResourceType, is_create: bool) -> list[FieldError]:
    """Metadata rules for a create (with name rules) or an update (names were checked once)."""
    meta = obj.get("metadata") or {}
    errs = _validate_names(meta, rt) if is_create else []
    errs += _validate_namespace(meta, rt)
    generation = meta.get("generation")
    if isinstance(generation, int) and generation < 0:
        errs.append(invalid_value("metadata.generation", generation, "must be greater than or equal to 0"))
    errs += validate_labels(meta.get("labels"), "metadata.labels")
    errs += validate_annotations(meta.get("annotations"), "metadata.annotations")
    errs += validate_owner_references(meta.get("ownerReferences"), "metadata.ownerReferences")
    errs += validate_finalizers(meta.get("finalizers"), "metadata.finalizers")
    return errs


_IMMUTABLE = ("name", "namespace", "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds")


def validate_object_meta_update(new: Obj, old: Obj) -> list[FieldError]:
    """What an update may not change. Callers copy server-owned fields the client left out
    (uid, timestamps) from the stored object first, as rest.BeforeUpdate does."""
    meta, old_meta = new.get("metadata") or {}, old.get("metadata") or {}
    errs: list[FieldError] = []
    generation, old_generation = meta.get("generation") or 0, old_meta.get("generation") or 0
    if isinstance(generation, int) and isinstance(old_generation, int) and generation < old_generation:
        errs.append(invalid_value("metadata.generation", generation, "must not be decremented"))
    for key in _IMMUTABLE:
        if meta.get(key) != old_meta.get(key):
            errs.append(invalid_value(f"metadata.{key}", meta.get(key, _zero(key)), IMMUTABLE_MSG))
    return errs


def _zero(key: str) -> Any:
    """Go prints a missing string field as "" and a missing pointer as null."""
    return None if key in ("deletionTimestamp", "deletionGracePeriodSeconds", "creationTimestamp") else ""
