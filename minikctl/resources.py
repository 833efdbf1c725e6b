"""Resource: one kind as the server's discovery describes it, and the URLs that reach it."""

from __future__ import annotations

from typing import Any, NamedTuple
from urllib.parse import quote

_SAFE = "$&+,:;=@"  # what Go's URL path encoding leaves alone


# A NamedTuple, not a dataclass: every run builds this class, and a dataclass costs ~1 ms.
class Resource(NamedTuple):
    group: str
    version: str
    plural: str
    kind: str
    namespaced: bool
    singular: str = ""
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    verbs: tuple[str, ...] = ()
    subresources: tuple[str, ...] = ()
    preferred: bool = True  # the group's preferred version; not part of equality

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Resource) and self[:-1] == other[:-1]

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash(self[:-1])

    @property
    def group_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def kind_string(self) -> str:
        """How kubectl names the kind in output: `replicationcontroller`, `deployment.apps`."""
        kind = self.kind.lower()
        return f"{kind}.{self.group}" if self.group else kind

    @property
    def qualified_plural(self) -> str:
        """GroupResource as the server words messages: `pods`, `deployments.apps`."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    def path(self, namespace: str | None = None, name: str | None = None,
             subresource: str | None = None) -> str:
        """The URL path; `namespace=None` on a namespaced kind means all namespaces."""
        root = f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"
        parts = [root]
        if self.namespaced and namespace is not None:
            parts.append(f"namespaces/{quote(namespace, safe=_SAFE)}")
        parts.append(self.plural)
        if name is not None:
            parts.append(quote(name, safe=_SAFE))
            if subresource:
                parts.append(subresource)
        return "/".join(parts)

    def to_json(self) -> dict[str, Any]:
        return {"group": self.group, "version": self.version, "plural": self.plural,
                "kind": self.kind, "namespaced": self.namespaced, "singular": self.singular,
                "shortNames": list(self.short_names), "categories": list(self.categories),
                "verbs": list(self.verbs), "subresources": list(self.subresources),
                "preferred": self.preferred}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Resource:
        return cls(group=data["group"], version=data["version"], plural=data["plural"],
                   kind=data["kind"], namespaced=bool(data["namespaced"]),
                   singular=data.get("singular", ""),
                   short_names=tuple(data.get("shortNames", ())),
                   categories=tuple(data.get("categories", ())),
                   verbs=tuple(data.get("verbs", ())),
                   subresources=tuple(data.get("subresources", ())),
                   preferred=bool(data.get("preferred", True)))
