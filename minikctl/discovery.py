"""Which kinds the server has, learned from its discovery documents and cached on disk.

Aggregated discovery (apidiscovery.k8s.io/v2) takes two requests; a server that does not answer
in that format gets the legacy walk (/api, /apis, then one APIResourceList per group version).
The result is cached as one JSON file under `<cache-dir>/discovery/<host>_<port>/` for six hours,
as kubectl caches; a name that does not resolve against a cached list triggers one refresh, and
a request the server answers with a bare 404 (no such resource any more) drops the cache.

Resolving a type argument follows kubectl's RESTMapper and shortcut expander: an exact plural or
singular name first, then short names, then the kind; `name.group` and `name.version.group`
narrow the search; case does not matter; the first match in discovery order wins.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any, Iterable

from minikctl.client import Client
from minikctl.errors import ApiError, MinikctlError
from minikctl.resources import Resource

CACHE_TTL = 6 * 3600.0
CACHE_FILE = "minikctl-resources.json"
AGGREGATED = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json"


def cache_dir_for(parent: Path, server: str) -> Path:
    """kubectl's computeDiscoverCacheDir: scheme dropped, unsafe characters become `_`."""
    host = server.replace("https://", "", 1).replace("http://", "", 1)
    # re.sub(r"[^(\w/.)]", "_", host) without compiling a pattern on every run: \w is
    # str.isalnum() or "_"
    return parent / "discovery" / "".join(c if c.isalnum() or c in "_()/." else "_" for c in host)


def _is_aggregated(content_type: str) -> bool:
    params = {}
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        params[key] = value
    return (params.get("g") == "apidiscovery.k8s.io" and params.get("v") == "v2"
            and params.get("as") == "APIGroupDiscoveryList")


def parse_aggregated(doc: dict[str, Any]) -> list[Resource]:
    found: list[Resource] = []
    for group in doc.get("items") or []:
        name = (group.get("metadata") or {}).get("name") or ""
        for index, version in enumerate(group.get("versions") or []):
            for entry in version.get("resources") or []:
                kind = (entry.get("responseKind") or {}).get("kind", "")
                found.append(Resource(
                    group=name, version=version.get("version", ""),
                    plural=entry.get("resource", ""), kind=kind,
                    namespaced=entry.get("scope") == "Namespaced",
                    singular=entry.get("singularResource") or kind.lower(),
                    short_names=tuple(entry.get("shortNames") or ()),
                    categories=tuple(entry.get("categories") or ()),
                    verbs=tuple(entry.get("verbs") or ()),
                    subresources=tuple(s.get("subresource", "")
                                       for s in entry.get("subresources") or ()),
                    preferred=index == 0))
    return found


def parse_resource_list(doc: dict[str, Any], group: str, version: str,
                        preferred: bool = True) -> list[Resource]:
    """A legacy APIResourceList; `pods/status`-style entries become subresources."""
    entries = doc.get("resources") or []
    subs: dict[str, list[str]] = {}
    for entry in entries:
        name = entry.get("name", "")
        if "/" in name:
            parent, _, sub = name.partition("/")
            subs.setdefault(parent, []).append(sub)
    found = []
    for entry in entries:
        name = entry.get("name", "")
        if "/" in name:
            continue
        kind = entry.get("kind", "")
        found.append(Resource(
            group=group, version=version, plural=name, kind=kind,
            namespaced=bool(entry.get("namespaced")),
            singular=entry.get("singularName") or kind.lower(),
            short_names=tuple(entry.get("shortNames") or ()),
            categories=tuple(entry.get("categories") or ()),
            verbs=tuple(entry.get("verbs") or ()), subresources=tuple(subs.get(name, ())),
            preferred=preferred))
    return found


class Discovery:
    def __init__(self, client: Client, cache_parent: Path | None) -> None:
        self.client = client
        self.cache_path = (cache_dir_for(cache_parent, client.config.server) / CACHE_FILE
                           if cache_parent is not None else None)
        self._resources: list[Resource] | None = None
        self._fresh = False

    # -- loading ---------------------------------------------------------------------------

    def resources(self) -> list[Resource]:
        if self._resources is None:
            self._resources = self._read_cache()
            if self._resources is None:
                self.refresh()
        assert self._resources is not None
        return self._resources

    def refresh(self) -> None:
        self.client.discovering = True
        try:
            self._resources = self._fetch()
        finally:
            self.client.discovering = False
        self._fresh = True
        self._write_cache(self._resources)

    def forget(self) -> None:
        """Drop a cached list the server has just contradicted (a path it does not serve), so
        the next run asks again; a list fetched by this run is kept."""
        if self._fresh or self.cache_path is None:
            return
        try:
            self.cache_path.unlink()
        except OSError:
            pass

    def _read_cache(self) -> list[Resource] | None:
        if self.cache_path is None:
            return None
        try:
            if time.time() - self.cache_path.stat().st_mtime > CACHE_TTL:
                return None
            data = json.loads(self.cache_path.read_text())
            return [Resource.from_json(r) for r in data["resources"]]
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _write_cache(self, resources: list[Resource]) -> None:
        if self.cache_path is None:
            return
        try:
            self.cache_path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.cache_path.with_name(f".{CACHE_FILE}.{os.getpid()}")
            tmp.write_text(json.dumps({"resources": [r.to_json() for r in resources]}))
            os.replace(tmp, self.cache_path)
        except OSError:
            pass  # a read-only cache only costs speed, as with kubectl

    def _fetch(self) -> list[Resource]:
        core = self._fetch_root("/api", legacy=self._legacy_core)
        groups = self._fetch_root("/apis", legacy=self._legacy_groups)
        return core + groups

    def _fetch_root(self, path: str, legacy: Any) -> list[Resource]:
        try:
            response = self.client.request("GET", path, accept=AGGREGATED)
        except ApiError as err:
            if path == "/api" and err.code == 404:
                return []
            raise
        doc = response.json() or {}
        if _is_aggregated(response.content_type):
            return parse_aggregated(doc)
        result: list[Resource] = legacy(doc)
        return result

    def _legacy_core(self, doc: dict[str, Any]) -> list[Resource]:
        found: list[Resource] = []
        for index, version in enumerate(doc.get("versions") or []):
            listing = self.client.get(f"/api/{version}")
            found += parse_resource_list(listing or {}, "", version, index == 0)
        return found

    def _legacy_groups(self, doc: dict[str, Any]) -> list[Resource]:
        found: list[Resource] = []
        for group in doc.get("groups") or []:
            preferred = (group.get("preferredVersion") or {}).get("groupVersion")
            versions = [v.get("groupVersion", "") for v in group.get("versions") or []]
            ordered = [preferred] + [v for v in versions if v != preferred] if preferred else versions
            for gv in ordered:
                listing = self.client.get(f"/apis/{gv}")
                version = gv.partition("/")[2]
                found += parse_resource_list(listing or {}, group.get("name", ""), version,
                                             gv == ordered[0])
        return found

    # -- resolving -------------------------------------------------------------------------

    def resolve(self, arg: str) -> Resource:
        """The resource a type argument names (`rc`, `Pod`, `deployments.apps`, ...)."""
        found = find(self.resources(), arg)
        if found is None and not self._fresh:
            self.refresh()
            found = find(self.resources(), arg)
        if found is None:
            raise MinikctlError(not_found_message(arg))
        return found

    def category(self, name: str) -> list[Resource]:
        """Resources of a category (`all`), preferred versions, in discovery order."""
        return [r for r in self.resources() if r.preferred and name in r.categories]

    def is_category(self, name: str) -> bool:
        if find(self.resources(), name) is not None:
            return False
        return bool(self.category(name))

    def for_kind(self, api_version: str, kind: str) -> Resource | None:
        group, _, version = api_version.rpartition("/")
        for attempt in (1, 2):
            for res in self.resources():
                if res.kind == kind and res.group == group and res.version == version:
                    return res
            if attempt == 1 and not self._fresh:
                self.refresh()
        return None


def interpretations(arg: str) -> list[tuple[str, str | None, str | None]]:
    """(resource, version, group) readings of an argument, as kubectl's mappingFor tries them:
    `resource.version.group` first when there are two or more dots, then `resource.group`."""
    name, dot, group = arg.partition(".")
    readings: list[tuple[str, str | None, str | None]] = []
    if group.count(".") >= 1:
        version, _, rest = group.partition(".")
        readings.append((name, version, rest))
    readings.append((name, None, group if dot else None))
    return readings


def _matching(resources: Iterable[Resource], version: str | None,
              group: str | None) -> list[Resource]:
    chosen = [r for r in resources if (group is None or r.group == group)
              and (version is None or r.version == version)]
    preferred = [r for r in chosen if r.preferred]
    return preferred + [r for r in chosen if not r.preferred]


def find(resources: list[Resource], arg: str) -> Resource | None:
    """Exact plural or singular first, then short names, then the kind (case-insensitive)."""
    for name, version, group in interpretations(arg):
        lowered = name.lower()
        candidates = _matching(resources, version, group)
        for test in (lambda r: lowered in (r.plural, r.singular),
                     lambda r: lowered in r.short_names,
                     lambda r: lowered == r.kind.lower()):
            for res in candidates:
                if test(res):
                    return res
    return None


def not_found_message(arg: str) -> str:
    """kubectl names the part before the first dot, and the rest as the group."""
    name, dot, group = arg.partition(".")
    if dot:
        return f'the server doesn\'t have a resource type "{name}" in group "{group}"'
    return f'the server doesn\'t have a resource type "{name}"'
