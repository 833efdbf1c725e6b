"""Turn command arguments and `-f` manifests into targets, as kubectl's resource builder does.

Argument forms: `TYPE[,TYPE...] [NAME...]` (no names means the whole collection; `all` and other
discovery categories expand to their resources, duplicates dropped) or `TYPE/NAME...`, which
cannot be mixed with a bare type. Named targets are visited type by type, then name by name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable, Iterator, NamedTuple

from minikctl.errors import MinikctlError
from minikctl.resources import Resource

if TYPE_CHECKING:
    from minikctl.manifests import Manifest
    from minikctl.session import Session

MIXED_FORMS = ("there is no need to specify a resource type as a separate argument when passing "
               "arguments in resource/name form (e.g. 'minikctl get resource/<resource_name>' "
               "instead of 'minikctl get resource resource/<resource_name>'")


# a NamedTuple, not a dataclass: every run builds this class, and a dataclass costs ~1 ms
class Target(NamedTuple):
    """One object (name set) or one collection (name None) of one resource."""

    resource: Resource
    name: str | None
    namespace: str | None  # None: cluster-scoped kind, or every namespace
    source: str = ""
    obj: dict[str, Any] | None = None

    @property
    def path(self) -> str:
        return self.resource.path(self.namespace, self.name)


def has_name_form(args: Iterable[str]) -> bool:
    return any("/" in arg for arg in args)


def resolve_types(session: Session, spec: str) -> list[Resource]:
    """`rc,svc`, `all` -> resources in order, without duplicates."""
    found: list[Resource] = []
    for part in spec.split(","):  # an empty part is an unknown type, as in kubectl
        if session.discovery.is_category(part):
            expanded = session.discovery.category(part)
        else:
            expanded = [session.discovery.resolve(part)]
        found.extend(r for r in expanded if r not in found)
    return found


def _namespace_for(session: Session, resource: Resource, all_namespaces: bool) -> str | None:
    if not resource.namespaced or all_namespaces:
        return None
    return session.namespace


def from_args(session: Session, args: list[str], all_namespaces: bool = False) -> list[Target]:
    """Targets for `TYPE NAME...`, `TYPE` or `TYPE/NAME...` arguments."""
    if has_name_form(args):
        if not all("/" in a for a in args):
            raise MinikctlError(MIXED_FORMS)
        targets = []
        for arg in args:
            spec, _, name = arg.partition("/")
            if not spec or not name:
                raise MinikctlError("arguments in resource/name form must have a single resource "
                                    "and name")
            resource = session.discovery.resolve(spec)
            targets.append(Target(resource, name, _namespace_for(session, resource, False)))
        return targets
    resources = resolve_types(session, args[0])
    names = args[1:]
    if not names:
        return [Target(r, None, _namespace_for(session, r, all_namespaces)) for r in resources]
    return [Target(r, name, _namespace_for(session, r, False))
            for r in resources for name in names]


def from_manifest(session: Session, manifest: Manifest) -> Target:
    """The target of one manifest object; its namespace must agree with an explicit -n."""
    obj = manifest.obj
    found = obj.get("metadata")
    meta: dict[str, Any] = found if isinstance(found, dict) else {}
    name = str(meta.get("name") or "")
    own_ns = str(meta.get("namespace") or "")
    resource = session.discovery.for_kind(str(obj["apiVersion"]), str(obj["kind"]))
    if resource is None:
        raise MinikctlError(
            f'resource mapping not found for name: "{name}" namespace: "{own_ns}" from '
            f'"{manifest.source}": no matches for kind "{obj["kind"]}" in version '
            f'"{obj["apiVersion"]}"\nensure CRDs are installed first')
    namespace = None
    if resource.namespaced:
        if own_ns and session.namespace_explicit and own_ns != session.namespace:
            raise MinikctlError(
                f'the namespace from the provided object "{own_ns}" does not match the namespace '
                f'"{session.namespace}". You must pass \'--namespace={own_ns}\' to perform this '
                f"operation.")
        namespace = own_ns or session.namespace
    return Target(resource, name or None, namespace, manifest.source, obj)


def from_manifests(session: Session, manifests: Iterable[Manifest]) -> Iterator[Target]:
    for manifest in manifests:
        yield from_manifest(session, manifest)


NO_RESOURCES = ("You must provide one or more resources by argument or filename.\n"
                "Example resource specifications include:\n   '-f rsrc.yaml'\n"
                "   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'")


def select(session: Session, args: list[str], filenames: tuple[str, ...], recursive: bool,
           selector: str, select_all: bool, strict_all: bool = True) -> list[Target]:
    """Targets of a mutating verb: named objects, or collections filtered by `-l` / `--all`.
    Collections are expanded by the caller (a LIST), names are not fetched. With
    `strict_all=False` (scale), `--all` only permits a bare type and is ignored beside names."""
    from minikctl.manifests import iter_manifests

    if not strict_all and (args[1:] or has_name_form(args)):
        select_all = False
    if filenames and args:
        raise MinikctlError("when paths, URLs, or stdin is provided as input, you may not "
                            "specify resource arguments as well")
    if not args and not filenames:
        raise MinikctlError(NO_RESOURCES)
    if filenames:
        return list(from_manifests(session, iter_manifests(filenames, recursive)))
    if has_name_form(args):
        if selector or select_all:
            raise MinikctlError("selectors and the all flag cannot be used when passing "
                                "resource/name arguments")
        return from_args(session, args)
    if len(args) > 1 and (selector or select_all):
        raise MinikctlError("name cannot be provided when a selector is specified")
    if len(args) == 1 and not (selector or select_all):
        raise MinikctlError("resource(s) were provided, but no name was specified")
    return from_args(session, args)
