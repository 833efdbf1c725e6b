"""The server's OpenAPI v3 documents, read the way kubectl reads them.

`GET /openapi/v3` is an index of group-versions, each with a `serverRelativeURL` whose `hash`
changes whenever that document changes. A group-version document is fetched once per run and
kept on disk under `<cache-dir>/openapi/<host>_<port>/`, keyed by that hash, so a second run
pays one small index request instead of half a megabyte (kubectl keeps the same documents in its
HTTP cache). `apply` finds a kind's schema by `x-kubernetes-group-version-kind`, and its patch
metadata inside (`patchmeta.py`); `explain` walks the same schemas.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from minikctl.client import Client, decode_json

INDEX = "/openapi/v3"
REF_PREFIX = "#/components/schemas/"
STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json"


def gv_key(group: str, version: str) -> str:
    """The index key of a group-version: `api/v1`, `apis/apps/v1`."""
    return f"apis/{group}/{version}" if group else f"api/{version}"


def _has_gvk(extensions: Any, group: str, version: str, kind: str) -> bool:
    items = extensions if isinstance(extensions, list) else [extensions]
    return any(isinstance(i, dict) and i.get("group", "") == group and i.get("version") == version
               and i.get("kind") == kind for i in items)


class OpenAPI:
    """One server's v3 documents; each is read at most once per run."""

    def __init__(self, client: Client, cache_dir: Path | None) -> None:
        self.client = client
        self.cache_dir = cache_dir
        self._index: dict[str, str] | None = None
        self._docs: dict[str, dict[str, Any] | None] = {}

    def index(self) -> dict[str, str]:
        if self._index is None:
            doc = self.client.get(INDEX, accept="application/json, */*") or {}
            paths = doc.get("paths") or {}
            self._index = {k: str((v or {}).get("serverRelativeURL") or "")
                           for k, v in paths.items()}
        return self._index

    def document(self, group: str, version: str) -> dict[str, Any] | None:
        """The group-version's document, or None when the server has none for it."""
        key = gv_key(group, version)
        if key not in self._docs:
            url = self.index().get(key)
            self._docs[key] = self._load(key, url) if url else None
        return self._docs[key]

    def _cache_file(self, key: str, url: str) -> Path | None:
        digest = (parse_qs(urlsplit(url).query).get("hash") or [""])[0]
        if self.cache_dir is None or not re.fullmatch(r"[0-9A-Za-z]+", digest):
            return None
        return self.cache_dir / f"{key.replace('/', '_')}_{digest}.json"

    def _load(self, key: str, url: str) -> dict[str, Any]:
        cached = self._cache_file(key, url)
        if cached is not None:
            try:
                loaded: dict[str, Any] = decode_json(cached.read_bytes())
                return loaded
            except (OSError, ValueError):
                pass
        response = self.client.request("GET", url, accept="application/json")
        doc: dict[str, Any] = response.json() or {}
        if cached is not None:
            try:
                cached.parent.mkdir(parents=True, exist_ok=True)
                tmp = cached.with_name(f".{cached.name}.{os.getpid()}")
                tmp.write_bytes(response.body)
                os.replace(tmp, cached)
            except OSError:
                pass  # a read-only cache only costs speed
        return doc

    def schemas(self, group: str, version: str) -> dict[str, Any]:
        doc = self.document(group, version) or {}
        found = (doc.get("components") or {}).get("schemas")
        return found if isinstance(found, dict) else {}

    def kind_schema(self, group: str, version: str, kind: str) -> dict[str, Any] | None:
        """The schema that carries the kind's x-kubernetes-group-version-kind."""
        for schema in self.schemas(group, version).values():
            if isinstance(schema, dict) and _has_gvk(
                    schema.get("x-kubernetes-group-version-kind"), group, version, kind):
                return schema
        return None

    def supports_strategic_merge(self, group: str, version: str, kind: str) -> bool:
        """kubectl's gvkSupportsPatchOpenAPIV3: the kind's PATCH accepts strategic merge."""
        for item in ((self.document(group, version) or {}).get("paths") or {}).values():
            patch = (item or {}).get("patch")
            if isinstance(patch, dict) and _has_gvk(
                    patch.get("x-kubernetes-group-version-kind"), group, version, kind):
                content = (patch.get("requestBody") or {}).get("content") or {}
                return STRATEGIC_MERGE_PATCH in content
        return False


def resolve_ref(schema: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    """A property's schema with `allOf: [{$ref}]` and `$ref` followed, as kube-openapi does."""
    if schema.get("allOf"):
        schema = schema["allOf"][0]
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith(REF_PREFIX):
        target = schemas.get(ref[len(REF_PREFIX):])
        if isinstance(target, dict):
            return target
    return schema
