"""Label and field selectors: parsing, matching, error texts and printed forms, checked
against apimachinery's documented behaviour (pkg/labels, pkg/fields, metav1 helpers)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apiserver.errors import StatusError
from apiserver.machinery.selectors import (
    format_label_map,
    format_label_selector,
    parse_field_selector,
    parse_label_selector,
    selector_from_label_selector,
    selector_from_map,
    selector_string_from_map,
)

WEB = {"app": "web", "tier": "front", "replicas": "3"}


def parse_error(text: str) -> str:
    with pytest.raises(StatusError) as info:
        parse_label_selector(text)
    assert info.value.code == 400 and info.value.reason == "BadRequest"
    return info.value.message


# -- label selector: parse and print --------------------------------------------------------------

@pytest.mark.parametrize("text, canonical", [
    ("", ""),
    ("   ", ""),
    ("app=web", "app=web"),
    ("app==web", "app==web"),
    ("app = web", "app=web"),
    ("app!=web", "app!=web"),
    ("tier in (front,edge)", "tier in (edge,front)"),
    ("tier notin ( edge , front )", "tier notin (edge,front)"),
    ("x in (foo,,baz),y,z notin ()", "x in (,baz,foo),y,z notin ()"),
    ("x in (,)", "x in ()"),
    ("!app", "!app"),
    ("app", "app"),
    ("replicas>2,replicas<5", "replicas>2,replicas<5"),
    ("tier=front,app=web", "app=web,tier=front"),  # sorted by key
    ("example.com/role=db", "example.com/role=db"),
    ("k=", "k="),
    ("in in (in, notin)", "in in (in,notin)"),  # keywords are plain words in value positions
])
def test_parse_prints_canonical_form(text: str, canonical: str) -> None:
    assert str(parse_label_selector(text)) == canonical


@pytest.mark.parametrize("text, labels, expected", [
    ("", {}, True),
    ("app=web", WEB, True),
    ("app=api", WEB, False),
    ("app!=api", WEB, True),
    ("missing!=x", WEB, True),
    ("tier in (front,edge)", WEB, True),
    ("tier in (edge)", WEB, False),
    ("missing in (a)", WEB, False),
    ("tier notin (edge)", WEB, True),
    ("missing notin (a)", WEB, True),
    ("tier notin (front)", WEB, False),
    ("app", WEB, True),
    ("missing", WEB, False),
    ("!missing", WEB, True),
    ("!app", WEB, False),
    ("replicas>2", WEB, True),
    ("replicas>3", WEB, False),
    ("replicas<4", WEB, True),
    ("app>1", WEB, False),  # a non-integer label never compares
    ("missing<9", WEB, False),
    ("app=web,tier=front", WEB, True),
    ("app=web,tier=back", WEB, False),
    ("k=", {"k": ""}, True),
    ("k=", {}, False),
])
def test_matches(text: str, labels: dict[str, str], expected: bool) -> None:
    assert parse_label_selector(text).matches(labels) is expected


def test_matching_none_labels_is_matching_no_labels() -> None:
    assert parse_label_selector("!app").matches(None)
    assert not parse_label_selector("app").matches(None)


@pytest.mark.parametrize("text, message", [
    ("a b", "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"),
    ("a in", "unable to parse requirement: found '' expected: '('"),
    ("a in (b", "unable to parse requirement: found '', expected: ',' or ')'"),
    ("a in (b c)", "unable to parse requirement: found 'c', expected: ',' or ')'"),
    ("a in (=)", "unable to parse requirement: found '=', expected: ',', ')' or identifier"),
    ("a in (b,=)", "unable to parse requirement: found '=', expected: ',', or identifier"),
    ("a===b", "unable to parse requirement: found '=', expected: identifier"),
    ("! =a", "unable to parse requirement: found '=', expected: identifier"),
    ("!=a", "found '!=', expected: !, identifier, or 'end of string'"),
    ("x,", "found '', expected: identifier after ','"),
    (",x", "found ',', expected: !, identifier, or 'end of string'"),
    ("a=b=c", "found '=', expected: ',' or 'end of string'"),
    ("a=b c", "found 'c', expected: ',' or 'end of string'"),
    ("a>b", "unable to parse requirement: values[0]: Invalid value: \"b\": "
            "for 'Gt', 'Lt' operators, the value must be an integer"),
])
def test_syntax_errors_have_apimachinery_wording(text: str, message: str) -> None:
    assert parse_error(text) == message


def test_invalid_key_is_reported_with_a_nil_path() -> None:
    assert parse_error("-app=x") == (
        "unable to parse requirement: <nil>: Invalid value: \"-app\": name part must consist of alphanumeric "
        "characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  "
        "or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')")


def test_invalid_value_names_its_index_and_key() -> None:
    assert parse_error("app=-web") == (
        "unable to parse requirement: values[0][app]: Invalid value: \"-web\": a valid label must be an empty "
        "string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
        "alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is "
        "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')")


def test_several_invalid_values_aggregate_in_brackets() -> None:
    message = parse_error("a in (-x,-y)")
    assert message.startswith("unable to parse requirement: [values[0][a]: Invalid value: \"-x\": ")
    assert ", values[1][a]: Invalid value: \"-y\": " in message and message.endswith("]")


def test_too_long_value() -> None:
    assert "must be no more than 63 bytes" in parse_error("a=" + "v" * 64)


def test_requires_exact_match() -> None:
    assert parse_label_selector("app=web,tier in (a,b)").requires_exact_match("app") == "web"
    assert parse_label_selector("app in (web)").requires_exact_match("app") == "web"
    assert parse_label_selector("tier in (a,b)").requires_exact_match("tier") is None
    assert parse_label_selector("app!=web").requires_exact_match("app") is None


# -- selectors in specs -------------------------------------------------------------------------

def test_selector_from_map_requires_every_pair() -> None:
    selector = selector_from_map({"app": "web", "tier": "front"})
    assert selector.matches(WEB) and not selector.matches({"app": "web"})
    assert str(selector) == "app=web,tier=front"
    assert selector_from_map({}).matches({}) and selector_from_map(None).empty


def test_selector_from_label_selector() -> None:
    selector = selector_from_label_selector({
        "matchLabels": {"app": "web"},
        "matchExpressions": [{"key": "tier", "operator": "In", "values": ["front", "edge"]},
                             {"key": "canary", "operator": "DoesNotExist"},
                             {"key": "replicas", "operator": "Exists"},
                             {"key": "zone", "operator": "NotIn", "values": ["b"]}]})
    assert str(selector) == "app=web,!canary,replicas,tier in (edge,front),zone notin (b)"
    assert selector.matches(WEB)
    assert not selector.matches({**WEB, "canary": "1"})
    assert not selector.matches({**WEB, "zone": "b"})


def test_nil_label_selector_selects_nothing_and_empty_everything() -> None:
    assert not selector_from_label_selector(None).matches({})
    assert selector_from_label_selector({}).matches({"any": "thing"})
    assert selector_from_label_selector({"matchLabels": {}, "matchExpressions": []}).empty


@pytest.mark.parametrize("selector, message", [
    ({"matchExpressions": [{"key": "a", "operator": "In", "values": []}]},
     "values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty"),
    ({"matchExpressions": [{"key": "a", "operator": "Exists", "values": ["x"]}]},
     "values: Invalid value: [\"x\"]: values set must be empty for exists and does not exist"),
    ({"matchExpressions": [{"key": "a", "operator": "Equals", "values": ["x"]}]},
     "\"Equals\" is not a valid label selector operator"),
])
def test_invalid_label_selectors(selector: dict[str, object], message: str) -> None:
    with pytest.raises(StatusError) as info:
        selector_from_label_selector(selector)
    assert info.value.message == message


# -- printed forms (kubectl-printing.md §1.1) ---------------------------------------------------

def test_format_label_selector() -> None:
    assert format_label_selector({"matchLabels": {"app": "web"}, "matchExpressions": [
        {"key": "tier", "operator": "In", "values": ["front", "edge"]}]}) == "app=web,tier in (edge,front)"
    assert format_label_selector(None) == "<none>"
    assert format_label_selector({}) == "<none>"
    assert format_label_selector({"matchExpressions": [{"key": "a", "operator": "In"}]}) == "<error>"


def test_format_label_map_sorts_whole_strings() -> None:
    # "a-b=x" sorts before "a=y" because '-' < '='; sorting keys would put "a" first.
    assert format_label_map({"a": "y", "a-b": "x"}) == "a-b=x,a=y"
    assert format_label_map({}) == "<none>" and format_label_map(None) == "<none>"


def test_selector_string_from_map() -> None:
    assert selector_string_from_map({"tier": "front", "app": "web"}) == "app=web,tier=front"
    assert selector_string_from_map({}) == ""


# -- properties ----------------------------------------------------------------------------------

_names = st.from_regex(r"[a-z]([a-z0-9-]{0,6}[a-z0-9])?", fullmatch=True)
_values = st.one_of(st.just(""), _names)
_labels = st.dictionaries(st.sampled_from(["app", "tier", "zone", "n"]), st.one_of(_values, st.sampled_from(["1", "7"])))
_requirement = st.one_of(
    st.builds(lambda k, v: f"{k}={v}", st.sampled_from(["app", "tier", "zone"]), _values),
    st.builds(lambda k, v: f"{k}!={v}", st.sampled_from(["app", "tier", "zone"]), _values),
    st.builds(lambda k, vs: f"{k} in ({','.join(vs)})", st.sampled_from(["app", "tier"]), st.lists(_names, min_size=1)),
    st.builds(lambda k, vs: f"{k} notin ({','.join(vs)})", st.sampled_from(["app", "tier"]), st.lists(_names, min_size=1)),
    st.builds(lambda k: k, st.sampled_from(["app", "zone"])),
    st.builds(lambda k: "!" + k, st.sampled_from(["app", "zone"])),
    st.builds(lambda n: f"n>{n}", st.integers(0, 9)),  # "-1" is no label value
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_requirement, max_size=4), _labels)
def test_printed_selector_parses_back_to_the_same_selector(terms: list[str], labels: dict[str, str]) -> None:
    selector = parse_label_selector(",".join(terms))
    again = parse_label_selector(str(selector))
    assert str(again) == str(selector)
    assert again.matches(labels) == selector.matches(labels)


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.sampled_from(["app", "tier"]), _values), _labels)
def test_map_selector_matches_like_its_string(spec: dict[str, str], labels: dict[str, str]) -> None:
    expected = all(labels.get(k) == v for k, v in spec.items())
    assert selector_from_map(spec).matches(labels) == expected
    assert parse_label_selector(selector_string_from_map(spec)).matches(labels) == expected


# -- field selectors -----------------------------------------------------------------------------

POD_FIELDS = {"metadata.name": "web-1", "metadata.namespace": "default", "spec.nodeName": "",
              "status.phase": "Running", "spec.hostNetwork": "false"}


@pytest.mark.parametrize("text, expected", [
    ("", True),
    ("metadata.name=web-1", True),
    ("metadata.name==web-1", True),
    ("metadata.name!=web-1", False),
    ("spec.nodeName=", True),  # unscheduled pods
    ("status.phase!=Succeeded,status.phase!=Failed", True),  # the scheduler's pod informer
    ("status.phase=Pending", False),
    ("metadata.namespace=default,status.phase=Running", True),
    ("spec.hostNetwork=false", True),
    ("not.there=", True),  # a field the object lacks reads as ""
    ("metadata.name=web-1,", True),
])
def test_field_selector_matches(text: str, expected: bool) -> None:
    assert parse_field_selector(text).matches(POD_FIELDS) is expected


def test_field_selector_escapes() -> None:
    selector = parse_field_selector(r"metadata.name=a\,b\=c\\d")
    assert selector.matches({"metadata.name": "a,b=c\\d"})
    assert str(selector) == r"metadata.name=a\,b\=c\\d"
    assert parse_field_selector(r"a=x\,y,b=z").field_names == {"a", "b"}


@pytest.mark.parametrize("text, message", [
    ("metadata.name", "invalid selector: 'metadata.name'; can't understand 'metadata.name'"),
    ("a=b,c", "invalid selector: 'a=b,c'; can't understand 'c'"),
    ("a=b=c", "invalid field selector: unescaped character in value: 61"),
    (r"a=b\q", r"invalid field selector: invalid escape sequence: \q"),
    ("a=b\\", "invalid field selector: invalid escape sequence: \\"),
])
def test_field_selector_errors(text: str, message: str) -> None:
    with pytest.raises(StatusError) as info:
        parse_field_selector(text)
    assert (info.value.code, info.value.message) == (400, message)


def test_field_selector_introspection() -> None:
    selector = parse_field_selector("status.phase!=Failed,metadata.name=web-1")
    assert [(r.field, r.operator, r.value) for r in selector.requirements] == [
        ("metadata.name", "=", "web-1"), ("status.phase", "!=", "Failed")]
    assert selector.requires_exact_match("metadata.name") == "web-1"
    assert selector.exact_name() is None  # another term narrows it further
    assert parse_field_selector("metadata.name==web-1").exact_name() == "web-1"
    assert parse_field_selector("metadata.name!=web-1").exact_name() is None
    assert parse_field_selector("spec.foo=bar").field_names == {"spec.foo"}
    assert parse_field_selector("").empty
