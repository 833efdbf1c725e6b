"""meta.k8s.io/v1 Tables from a ResourceType's columns: the one table printer, for kubectl
and minikctl alike. The server always fills every column (wide ones too), as kube does;
clients hide priority-1 columns unless `-o wide`."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable, Sequence

import orjson

from apiserver.resources.base import Obj, ResourceType
from apiserver.storage import KeyValue
from apiserver.tablerows import rows_json


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


def _meta(resource_version: str, continue_token: str) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    if resource_version:
        meta["resourceVersion"] = resource_version
    if continue_token:
        meta["continue"] = continue_token
    return meta


def table(rt: ResourceType, objs: Iterable[Obj], now: datetime, *, resource_version: str = "",
          include: str = "Metadata", continue_token: str = "", headers: bool = True) -> dict[str, Any]:
    return {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": _meta(resource_version, continue_token),
            "columnDefinitions": column_definitions(rt) if headers else [],
            "rows": [row(rt, o, now, include) for o in objs]}


def table_json(rt: ResourceType, kvs: Sequence[KeyValue], objs: Sequence[Obj | None], now: datetime, *,
               resource_version: str = "", include: str = "Metadata", continue_token: str = "") -> list[bytes]:
    """The same Table as `table`, serialised, as pieces to join or stream: rows come from the
    per-object row cache (see tablerows.py), so only the clock cells are computed per request.
    `objs` may hold already parsed objects (or None) to spare a parse when a row is built."""
    head = orjson.dumps({"kind": "Table", "apiVersion": "meta.k8s.io/v1",
                         "metadata": _meta(resource_version, continue_token),
                         "columnDefinitions": column_definitions(rt)})
    pieces = rows_json(rt, kvs, objs, now, include)
    pieces[:0] = (head[:-1], b',"rows":[')
    pieces.append(b"]}")
    return pieces
