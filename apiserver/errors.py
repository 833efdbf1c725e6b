"""Every API error is a v1 Status, built here and nowhere else.

Wording follows k8s.io/apimachinery/pkg/api/errors and pkg/util/validation/field: kubectl and
the official client parse these bodies, so the message, reason, code and details matter.
`details.kind` is the plural resource for most reasons but the Kind for Invalid.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


class StatusError(Exception):
    def __init__(self, code: int, reason: str, message: str, details: dict[str, Any] | None = None):
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details

    def status(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
        }
        if self.reason:
            body["reason"] = self.reason
        if self.details is not None:
            body["details"] = self.details
        body["code"] = self.code
        return body


def _details(resource: str, group: str, name: str | None = None) -> dict[str, Any]:
    d: dict[str, Any] = {}
    if name is not None:
        d["name"] = name
    if group:
        d["group"] = group
    d["kind"] = resource
    return d


def qualified(resource: str, group: str) -> str:
    """GroupResource as apimachinery prints it: `pods`, `deployments.apps`."""
    return f"{resource}.{group}" if group else resource


def not_found(resource: str, group: str, name: str) -> StatusError:
    return StatusError(404, "NotFound", f'{qualified(resource, group)} "{name}" not found',
                       _details(resource, group, name))


def already_exists(resource: str, group: str, name: str, extra: str = "") -> StatusError:
    return StatusError(409, "AlreadyExists", f'{qualified(resource, group)} "{name}" already exists{extra}',
                       _details(resource, group, name))


OPTIMISTIC_LOCK = "the object has been modified; please apply your changes to the latest version and try again"


def conflict(resource: str, group: str, name: str, cause: str = OPTIMISTIC_LOCK) -> StatusError:
    return StatusError(409, "Conflict",
                       f'Operation cannot be fulfilled on {qualified(resource, group)} "{name}": {cause}',
                       _details(resource, group, name))


def forbidden(resource: str, group: str, name: str | None, why: str,
              causes: list[dict[str, str]] | None = None) -> StatusError:
    target = f'{qualified(resource, group)} "{name}"' if name else qualified(resource, group)
    details = _details(resource, group, name)
    if causes:
        details["causes"] = causes
    return StatusError(403, "Forbidden", f"{target} is forbidden: {why}", details)


def bad_request(message: str) -> StatusError:
    return StatusError(400, "BadRequest", message)


def method_not_allowed(action: str, resource: str, group: str) -> StatusError:
    return StatusError(405, "MethodNotAllowed",
                       f'{action} is not supported on resources of kind "{qualified(resource, group)}"',
                       _details(resource, group))


def expired(message: str) -> StatusError:
    return StatusError(410, "Expired", message)


def too_old_resource_version(requested: int, oldest: int) -> StatusError:
    return expired(f"too old resource version: {requested} ({oldest})")


def unsupported_media_type(content_type: str, accepted: list[str]) -> StatusError:
    return StatusError(415, "UnsupportedMediaType",
                       f'the body of the request was in an unknown format - accepted media types include: '
                       f'{", ".join(accepted)}')


def unsupported_body(message: str) -> StatusError:
    """415 with minik's own explanation, for bodies kube would decode and minik cannot."""
    return StatusError(415, "UnsupportedMediaType", message)


def http_status(code: int, message: str) -> StatusError:
    """A routing-level HTTP error (405 and the like) as a reason-less Status."""
    return StatusError(code, "", message)


def not_acceptable(accepted: list[str]) -> StatusError:
    return StatusError(406, "NotAcceptable",
                       f'only the following media types are accepted: {", ".join(accepted)}')


def request_entity_too_large(message: str) -> StatusError:
    return StatusError(413, "RequestEntityTooLarge", f"Request entity too large: {message}")


def unauthorized() -> StatusError:
    return StatusError(401, "Unauthorized", "Unauthorized")


def internal_error(err: str) -> StatusError:
    return StatusError(500, "InternalError", f"Internal error occurred: {err}",
                       {"causes": [{"message": err}]})


def apply_conflict(message: str, causes: list[dict[str, str]]) -> StatusError:
    """NewApplyConflict: a server-side apply touching fields another manager owns."""
    return StatusError(409, "Conflict", message, {"causes": causes})


def rejected_request() -> StatusError:
    """NewGenericServerResponse(422, ...): kube's fixed sentence for a failed JSON patch."""
    return StatusError(422, "Invalid", "the server rejected our request due to an error in our request", {})


def plain_error(message: str) -> StatusError:
    """A plain (non-Status) error reaching kube's handler: 500 with no reason and its text."""
    return StatusError(500, "", message)


def timeout(message: str) -> StatusError:
    return StatusError(504, "Timeout", f"Timeout: {message}")


# -- field errors (k8s.io/apimachinery/pkg/util/validation/field) --------------------------

_TYPE_TEXT = {
    "FieldValueNotFound": "Not found",
    "FieldValueRequired": "Required value",
    "FieldValueDuplicate": "Duplicate value",
    "FieldValueInvalid": "Invalid value",
    "FieldValueNotSupported": "Unsupported value",
    "FieldValueForbidden": "Forbidden",
    "FieldValueTooLong": "Too long",
    "FieldValueTooMany": "Too many",
    "InternalError": "Internal error",
}

# Types whose message never shows the offending value.
_NO_VALUE = {"FieldValueRequired", "FieldValueForbidden", "FieldValueTooLong", "FieldValueTooMany",
             "InternalError"}

_OMIT = object()


def format_value(value: Any) -> str:
    """Value as field.Error prints it: strings Go-quoted, numbers and bools bare, the rest JSON."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if value is None:
        return "null"
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True)
class FieldError:
    type: str
    field: str
    value: Any = _OMIT
    detail: str = ""

    def body(self) -> str:
        """The message without the field path, as in details.causes[].message."""
        text = _TYPE_TEXT.get(self.type, self.type)
        if self.type not in _NO_VALUE and self.value is not _OMIT:
            text += ": " + format_value(self.value)
        if self.detail:
            text += ": " + self.detail
        return text

    def message(self) -> str:
        return f"{self.field}: {self.body()}" if self.field else self.body()


def required(path: str, detail: str = "") -> FieldError:
    return FieldError("FieldValueRequired", path, _OMIT, detail)


def invalid_value(path: str, value: Any, detail: str) -> FieldError:
    return FieldError("FieldValueInvalid", path, value, detail)


def not_supported(path: str, value: Any, supported: list[str]) -> FieldError:
    detail = "supported values: " + ", ".join(f'"{v}"' for v in supported) if supported else ""
    return FieldError("FieldValueNotSupported", path, value, detail)


def forbidden_field(path: str, detail: str) -> FieldError:
    return FieldError("FieldValueForbidden", path, _OMIT, detail)


def duplicate(path: str, value: Any) -> FieldError:
    return FieldError("FieldValueDuplicate", path, value)


def too_long(path: str, limit: int) -> FieldError:
    return FieldError("FieldValueTooLong", path, _OMIT, f"may not be more than {limit} bytes")


def invalid(kind: str, group: str, name: str, errors: list[FieldError]) -> StatusError:
    """422 Invalid: `{Kind} "{name}" is invalid: {errs}` with one cause per distinct error."""
    seen: list[str] = []
    causes = []
    for e in errors:
        msg = e.message()
        if msg in seen:
            continue
        seen.append(msg)
        causes.append({"reason": e.type, "message": e.body(), "field": e.field})
    joined = seen[0] if len(seen) == 1 else "[" + ", ".join(seen) + "]"
    gk = f"{kind}.{group}" if group else kind
    details: dict[str, Any] = {"name": name}
    if group:
        details["group"] = group
    details["kind"] = kind
    details["causes"] = causes
    return StatusError(422, "Invalid", f'{gk} "{name}" is invalid: {joined}', details)
