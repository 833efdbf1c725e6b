"""Error rendering: kubectl's CheckErr wording for Status errors, aggregates and plain errors."""

from __future__ import annotations

from typing import Any

from minikctl.client import generic_status
from minikctl.errors import (AggregateError, ApiError, ConnectError, ExitError, MinikctlError,
                             PlainError, render, with_source)


def status(code: int, reason: str, message: str, details: Any = None) -> ApiError:
    body = {"kind": "Status", "apiVersion": "v1", "status": "Failure", "message": message,
            "reason": reason, "code": code}
    if details is not None:
        body["details"] = details
    return ApiError(body)


NOT_FOUND = status(404, "NotFound", 'pods "x" not found', {"name": "x", "kind": "pods"})


def test_status_with_reason() -> None:
    assert render(NOT_FOUND) == ('Error from server (NotFound): pods "x" not found\n', 1)


def test_status_without_reason_and_unauthorized() -> None:
    assert render(status(500, "", "boom"))[0] == "Error from server: boom\n"
    assert render(status(401, "Unauthorized", "Unauthorized"))[0] == (
        "error: You must be logged in to the server (Unauthorized)\n")


def test_invalid_with_one_and_several_causes() -> None:
    one = status(422, "Invalid", "ignored", {"kind": "ReplicationController", "name": "x",
                                             "causes": [{"field": "spec.replicas",
                                                         "message": "Invalid value: -1: must be "
                                                                    "greater than or equal to 0"}]})
    assert render(one)[0] == ('The ReplicationController "x" is invalid: spec.replicas: Invalid '
                              'value: -1: must be greater than or equal to 0\n')
    many = status(422, "Invalid", "ignored", {"kind": "Pod", "name": "p", "causes": [
        {"field": "a", "message": "Required value"}, {"field": "b", "message": "Bad"},
        {"field": "a", "message": "Required value"}]})
    assert render(many)[0] == 'The Pod "p" is invalid: \n* a: Required value\n* b: Bad\n'
    assert render(status(422, "Invalid", "msg"))[0] == "The request is invalid: msg\n"
    assert render(status(422, "Invalid", "msg", {}))[0] == "The request is invalid: msg\n"
    assert render(status(422, "Invalid", ""))[0] == "The request is invalid\n"


def test_source_is_added_to_status_messages() -> None:
    exists = status(409, "AlreadyExists", 'services "s" already exists')
    assert render(with_source("creating", "f.yaml", exists))[0] == (
        'Error from server (AlreadyExists): error when creating "f.yaml": services "s" already '
        'exists\n')


def test_aggregate_prints_one_line_each_without_error_prefix() -> None:
    errors = AggregateError([NOT_FOUND, MinikctlError("error validating x"),
                             AggregateError([status(404, "NotFound", "y")])])
    assert render(errors) == ('Error from server (NotFound): pods "x" not found\n'
                              "error validating x\nError from server (NotFound): y\n", 1)
    assert render(AggregateError([MinikctlError("only")])) == ("error: only\n", 1)


def test_plain_and_other_errors() -> None:
    assert render(MinikctlError("error: already prefixed"))[0] == "error: already prefixed\n"
    assert render(PlainError("Error in configuration: x"))[0] == "Error in configuration: x\n"
    assert render(ConnectError("The connection to the server h:1 was refused - did you specify "
                               "the right host or port?"))[0].startswith("The connection")
    assert render(ValueError("odd"))[0] == "error: odd\n"
    assert render(ExitError(3)) == ("", 3)


def test_generic_status_for_bodies_that_are_not_status() -> None:
    made = ApiError(generic_status(404, b"404 page not found", "patch services frontend"))
    assert render(made)[0] == ("Error from server (NotFound): the server could not find the "
                               "requested resource (patch services frontend)\n")
    crash = ApiError(generic_status(500, b"", "get pods x"))
    assert render(crash)[0] == ('Error from server (InternalError): an error on the server '
                                '("unknown") has prevented the request from succeeding '
                                '(get pods x)\n')
