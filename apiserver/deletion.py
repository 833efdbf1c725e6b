"""The rules of DELETE, kind-independent: which propagation policy applies, what marks an
object for deletion (finalizers, a grace period, kind-specific finalization) and when a
marked object may finally go. The registry applies them; kinds supply the hooks."""

from __future__ import annotations

from datetime import datetime, timedelta

from apiserver import errors
from apiserver.machinery.duration import format_time
from apiserver.resources.base import Obj, ResourceType


def ready_to_remove(rt: ResourceType, obj: Obj) -> bool:
    """A deleted object goes once no finalizer, kind-specific finalization or grace
    period holds it."""
    meta = obj["metadata"]
    if not meta.get("deletionTimestamp") or meta.get("finalizers"):
        return False
    if rt.deletion_blocked is not None and rt.deletion_blocked(obj):
        return False
    # A graceful pod waits for its final zero-grace DELETE.
    return not meta.get("deletionGracePeriodSeconds")


def mark_for_deletion(rt: ResourceType, obj: Obj, options: Obj, now: datetime) -> Obj | None:
    """None when the object can go now; else the object marked for deletion."""
    meta = obj["metadata"]
    finalizers = list(meta.get("finalizers") or [])
    policy = propagation(options, finalizers, rt.default_propagation)
    wanted = {"Orphan": "orphan", "Foreground": "foregroundDeletion"}.get(policy)
    if wanted:
        finalizers = [f for f in finalizers if f not in ("orphan", "foregroundDeletion")] + [wanted]
    elif policy == "Background" and options.get("propagationPolicy"):
        finalizers = [f for f in finalizers if f not in ("orphan", "foregroundDeletion")]
    grace = None
    if rt.grace_period is not None:
        requested = options.get("gracePeriodSeconds")
        grace = rt.grace_period(obj, int(requested) if requested is not None else None)
    blocked = rt.deletion_blocked is not None and rt.deletion_blocked(obj)
    if not finalizers and not grace and not blocked:
        return None
    if rt.tracks_generation and "generation" in meta and not meta.get("deletionTimestamp"):
        meta["generation"] = int(meta["generation"]) + 1  # the first deletionTimestamp counts
    if finalizers != list(meta.get("finalizers") or []):
        meta["finalizers"] = finalizers
    if grace:
        deadline = now + timedelta(seconds=grace)
        previous = meta.get("deletionGracePeriodSeconds")
        if previous is None or grace < previous:
            meta["deletionTimestamp"] = format_time(deadline)
            meta["deletionGracePeriodSeconds"] = grace
    elif not meta.get("deletionTimestamp"):
        meta["deletionTimestamp"] = format_time(now)
        meta["deletionGracePeriodSeconds"] = 0
    elif meta.get("deletionGracePeriodSeconds"):
        # A zero-grace DELETE ends a grace period (the kubelet's final delete).
        meta["deletionGracePeriodSeconds"] = 0
        if not finalizers and not blocked:
            return None
    if rt.prepare_for_delete is not None:
        rt.prepare_for_delete(obj)
    return obj


def propagation(options: Obj, finalizers: list[str], default: str) -> str:
    policy = options.get("propagationPolicy")
    orphan = options.get("orphanDependents")
    if policy and orphan is not None:
        raise errors.invalid("DeleteOptions", "", "", [errors.invalid_value(
            "propagationPolicy", policy, "orphanDependents and deletionPropagation cannot be both set")])
    if policy:
        if policy not in ("Orphan", "Background", "Foreground"):
            raise errors.invalid("DeleteOptions", "", "", [errors.not_supported(
                "propagationPolicy", policy, ["Foreground", "Background", "Orphan", "nil"])])
        return str(policy)
    if orphan is not None:
        return "Orphan" if orphan else "Background"
    if "orphan" in finalizers:
        return "Orphan"
    if "foregroundDeletion" in finalizers:
        return "Foreground"
    return default


def check_preconditions(rt: ResourceType, obj: Obj, pre: Obj | None) -> None:
    if not pre:
        return
    meta = obj["metadata"]
    uid, rv = pre.get("uid"), pre.get("resourceVersion")
    if uid and uid != meta.get("uid"):
        raise errors.conflict(rt.plural, rt.group, meta["name"],
                              f"the UID in the precondition ({uid}) does not match the UID in record "
                              f"({meta.get('uid')}). The object might have been deleted and then recreated")
    if rv and rv != meta.get("resourceVersion"):
        raise errors.conflict(rt.plural, rt.group, meta["name"],
                              f"the ResourceVersion in the precondition ({rv}) does not match the "
                              f"ResourceVersion in record ({meta.get('resourceVersion')}). "
                              "The object might have been modified")
