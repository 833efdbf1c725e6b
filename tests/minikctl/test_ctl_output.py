"""`-o yaml`, `-o json`, `-o name` and result lines, byte for byte as kubectl prints them.

data/configmap-tricky.{json,yaml} were recorded from the real kubectl 1.37 (`get cm -o json` and
`-o yaml` of one object full of awkward strings, keys and numbers).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from minikctl.client import decode_json
from minikctl.printing.gonum import format_g, format_json_float
from minikctl.printing.jsonout import to_json
from minikctl.printing.output import ObjectPrinter, as_list, check_format, kind_string_of
from minikctl.printing.yamlout import natural_key, needs_quotes, to_yaml
from minikctl.errors import MinikctlError

DATA = Path(__file__).parent / "data"


def tricky() -> dict:
    return decode_json((DATA / "configmap-tricky.json").read_text())


def test_yaml_matches_kubectl_byte_for_byte() -> None:
    assert to_yaml(tricky()) == (DATA / "configmap-tricky.yaml").read_text()


def test_json_matches_kubectl_byte_for_byte() -> None:
    assert to_json(tricky()) == (DATA / "configmap-tricky.json").read_text()


@pytest.mark.parametrize("text", ["123", "1.5", "1e3", "0x1F", "0777", "1_000", "true", "y",
                                  "N", "on", "Off", "", "~", "null", "Null", ".inf", "-.Inf",
                                  ".NaN", "2026-01-01", "2026-01-01T10:00:00Z", "12:30",
                                  "0b101", "+1", "-0", ".5"])
def test_strings_that_read_back_as_other_types_are_quoted(text: str) -> None:
    assert needs_quotes(text)
    assert to_yaml({"k": text}) == f'k: "{text}"\n'


@pytest.mark.parametrize("text", ["abc", "1.2.3", "0b102", "2026-13-01", "1e", "e1", "=", "<<",
                                  "tRUE", "nULL", "1e999", "12:70", "_1"])
def test_plain_strings_stay_plain(text: str) -> None:
    assert not needs_quotes(text)


def test_yaml_layout_lists_not_indented_and_literal_blocks() -> None:
    obj = {"b": [{"x": 1}, "two"], "a": "multi\nline\n", "c": {}, "d": [], "e": None,
           "f": True, "g": 2.5}
    assert to_yaml(obj) == ('a: |\n  multi\n  line\nb:\n- x: 1\n- two\nc: {}\nd: []\ne: null\n'
                            'f: true\ng: 2.5\n')


def test_yaml_keeps_no_document_end_after_kept_trailing_newlines() -> None:
    assert to_yaml({"a": "x\n\n"}) == "a: |+\n  x\n\n"


def test_natural_key_order_is_go_yamls() -> None:
    keys = ["a10", "a9", "a_b", "aB", "ab", "1", "10", "9", "-x", "Z"]
    assert sorted(keys, key=natural_key) == ["-x", "1", "9", "10", "Z", "a_b", "a9", "a10",
                                             "aB", "ab"]


def test_go_float_spellings() -> None:
    assert [format_g(v) for v in (1.0, 1.5, 1e6, 123456.0, 1e-5, 1e21)] == [
        "1", "1.5", "1e+06", "123456", "1e-05", "1e+21"]
    assert [format_json_float(v) for v in (1.0, 1e6, 1e-7, 1e21, 0.00001)] == [
        "1", "1000000", "1e-7", "1e+21", "0.00001"]


def test_integral_json_numbers_decode_as_ints() -> None:
    assert decode_json('{"a": 1.0, "b": 1.5, "c": 1e22}') == {"a": 1, "b": 1.5, "c": 1e22}


def test_json_escapes_like_go() -> None:
    assert to_json({"z": "<a&b>", "a": [], "m": {}, "u": "é\u2028"}) == (
        '{\n    "a": [],\n    "m": {},\n    "u": "é\\u2028",\n    "z": "\\u003ca\\u0026b\\u003e"\n}\n')


def test_list_wrapper_shape() -> None:
    assert to_yaml(as_list([])) == 'apiVersion: v1\nitems: []\nkind: List\nmetadata:\n  resourceVersion: ""\n'


def test_printer_separates_yaml_documents_and_names_items() -> None:
    out: list[str] = []
    printer = ObjectPrinter("yaml", out.append)
    printer.print({"kind": "Pod", "apiVersion": "v1"})
    printer.print({"kind": "Pod", "apiVersion": "v1"})
    assert "".join(out) == "apiVersion: v1\nkind: Pod\n---\napiVersion: v1\nkind: Pod\n"
    names: list[str] = []
    ObjectPrinter("name", names.append).print(as_list([
        {"kind": "Deployment", "apiVersion": "apps/v1", "metadata": {"name": "web"}},
        {"kind": "Service", "apiVersion": "v1", "metadata": {"name": "front"}}]))
    assert names == ["deployment.apps/web\n", "service/front\n"]


def test_result_lines() -> None:
    out: list[str] = []
    printer = ObjectPrinter("", out.append)
    printer.print_result("replicationcontroller", "redis-master", "created")
    printer.print_result("deployment.apps", "x", "created", "client")
    printer.print_result("service", "y", "created", "server")
    assert out == ["replicationcontroller/redis-master created\n",
                   "deployment.apps/x created (dry run)\n", "service/y created (server dry run)\n"]
    assert kind_string_of({"apiVersion": "apps/v1", "kind": "ReplicaSet"}) == "replicaset.apps"


def test_unknown_output_format_is_refused() -> None:
    """kubectl's list for the verbs that print objects they changed."""
    with pytest.raises(MinikctlError, match='output format "bogus", allowed formats are: '
                                            'go-template,go-template-file,json,jsonpath,'
                                            'jsonpath-as-json,jsonpath-file,kyaml,name,template,'
                                            'templatefile,yaml$'):
        check_format("bogus")
    with pytest.raises(MinikctlError, match="template format specified but no template given"):
        check_format("jsonpath")
    check_format("jsonpath={.metadata.name}")
