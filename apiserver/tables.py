"""meta.k8s.io/v1 Tables from a ResourceType's columns: the one table printer, for kubectl
and minikctl alike. The server always fills every column (wide ones too), as kube does;
clients hide priority-1 columns unless `-o wide`."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable

from apiserver.resources.base import Obj, ResourceType


def column_definitions(rt: ResourceType) -> list[dict[str, Any]]:
    return [{"name": c.name, "type": c.type, "format": c.format, "description": c.description,
             "priority": c.priority} for c in rt.columns]


def _row_object(obj: Obj, include: str) -> Obj | None:
    if include == "None":
        return None
    if include == "Object":
        return obj
    return {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
            "metadata": obj.get("metadata") or {}}


def row(rt: ResourceType, obj: Obj, now: datetime, include: str = "Metadata") -> dict[str, Any]:
    return {"cells": [c.cell(obj, now) for c in rt.columns], "object": _row_object(obj, include)}


def table(rt: ResourceType, objs: Iterable[Obj], now: datetime, *, resource_version: str = "",
          include: str = "Metadata", continue_token: str = "", headers: bool = True) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    if resource_version:
        meta["resourceVersion"] = resource_version
    if continue_token:
        meta["continue"] = continue_token
    return {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": meta,
            "columnDefinitions": column_definitions(rt) if headers else [],
            "rows": [row(rt, o, now, include) for o in objs]}
