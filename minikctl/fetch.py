"""Reading from the server: single objects, collections page by page, and Tables.

Collections are read like kubectl reads them: `limit=<chunk size>` (500 by default) and then
every `continue` token until the server stops sending one. List items get the `kind` and
`apiVersion` the server leaves out of them, derived from the list.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterator

from minikctl.client import JSON, TABLE, Client
from minikctl.errors import ApiError
from minikctl.targets import Target, select

if TYPE_CHECKING:
    from minikctl.session import Session

MAX_PAGES = 100_000  # a bound on `continue` chains; a real server ends far sooner


def what_of(verb: str, target: Target) -> str:
    return " ".join(p for p in (verb, target.resource.qualified_plural, target.name or "") if p)


def selector_query(label_selector: str = "", field_selector: str = "") -> dict[str, str]:
    query = {}
    if label_selector:
        query["labelSelector"] = label_selector
    if field_selector:
        query["fieldSelector"] = field_selector
    return query


def get_object(client: Client, target: Target, accept: str = JSON) -> dict[str, Any]:
    result: dict[str, Any] = client.get(target.path, accept=accept, what=what_of("get", target))
    return result


def _list_error(err: ApiError, target: Target, query: dict[str, str]) -> ApiError:
    """cli-runtime's selector visitor rewords BadRequest and NotFound on a LIST."""
    if err.reason not in ("BadRequest", "NotFound"):
        return err
    res = target.resource
    gvr = f"{res.group}/{res.version}, Resource={res.plural}"
    labels, fields = query.get("labelSelector", ""), query.get("fieldSelector", "")
    if labels or fields:
        message = (f'Unable to find "{gvr}" that match label selector "{labels}", field '
                   f'selector "{fields}": {err.message}')
    else:
        message = f'Unable to list "{gvr}": {err.message}'
    return ApiError(dict(err.status, message=message))


def pages(client: Client, target: Target, query: dict[str, str], chunk_size: int,
          accept: str = JSON) -> Iterator[dict[str, Any]]:
    """Each page of a collection (a List, or a Table with a Table Accept)."""
    params: dict[str, Any] = dict(query)
    if chunk_size > 0:
        params["limit"] = chunk_size
    for _ in range(MAX_PAGES):
        try:
            page: dict[str, Any] = client.get(target.path, params, accept=accept,
                                              what=what_of("get", target)) or {}
        except ApiError as err:
            raise _list_error(err, target, query) from None
        yield page
        token = (page.get("metadata") or {}).get("continue")
        if not token:
            return
        params["continue"] = token


def with_type_meta(items: list[dict[str, Any]], page: dict[str, Any]) -> list[dict[str, Any]]:
    """Items as standalone objects: `kind` from the list kind without `List`, its apiVersion."""
    kind = str(page.get("kind") or "")
    kind = kind[:-4] if kind.endswith("List") else kind
    version = page.get("apiVersion")
    out = []
    for item in items:
        if isinstance(item, dict):
            typed = {"apiVersion": version, "kind": kind} if kind and version else {}
            typed.update(item)
            out.append(typed)
    return out


def list_items(client: Client, target: Target, query: dict[str, str],
               chunk_size: int) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for page in pages(client, target, query, chunk_size):
        items.extend(with_type_meta(list(page.get("items") or []), page))
    return items


def is_table(doc: Any) -> bool:
    return isinstance(doc, dict) and doc.get("kind") == "Table"


def expand(session: Session, target: Target, query: dict[str, str],
           chunk_size: int = 0) -> list[tuple[Target, dict[str, Any]]]:
    """A collection target as one target per listed object (kubectl lists without a limit)."""
    out = []
    for item in list_items(session.client, target, query, chunk_size):
        meta = item.get("metadata") or {}
        namespace = meta.get("namespace") if target.resource.namespaced else None
        out.append((Target(target.resource, str(meta.get("name", "")), namespace), item))
    return out


def resolve_objects(session: Session, args: list[str], filenames: tuple[str, ...],
                    recursive: bool, selector: str, select_all: bool, strict_all: bool = True
                    ) -> tuple[list[tuple[Target, dict[str, Any]]], list[BaseException]]:
    """The live objects a mutating verb acts on, fetched like kubectl's builder with Latest():
    a GET per name, a LIST per collection; a failed GET is an error, the rest go on."""
    objects: list[tuple[Target, dict[str, Any]]] = []
    errors: list[BaseException] = []
    for target in select(session, args, filenames, recursive, selector, select_all, strict_all):
        try:
            if target.name is None:
                objects.extend(expand(session, target, selector_query(selector)))
            else:
                objects.append((target, get_object(session.client, target)))
        except ApiError as err:
            errors.append(err)
    return objects, errors


__all__ = ["JSON", "TABLE", "get_object", "pages", "list_items", "selector_query", "is_table"]
