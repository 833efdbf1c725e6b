"""Reading `-f` inputs: files, directories, stdin, YAML streams, JSON streams, Lists, errors."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from minikctl.errors import MinikctlError
from minikctl.manifests import expand_paths, iter_manifests, parse_stream, split_documents

RC = """apiVersion: v1
kind: ReplicationController
metadata:
  name: {name}
spec:
  replicas: 1
"""


def names(manifests: object) -> list[str]:
    return [m.obj["metadata"]["name"] for m in manifests]  # type: ignore[attr-defined]


def test_multi_document_yaml_in_order_skipping_empty_documents() -> None:
    text = RC.format(name="a") + "---\n# only a comment\n---\n" + RC.format(name="b") + "--- \n"
    assert names(parse_stream(text, "f.yaml")) == ["a", "b"]


def test_separator_must_be_alone_on_its_line() -> None:
    with pytest.raises(MinikctlError, match="invalid Yaml document separator: --- x"):
        list(parse_stream(RC.format(name="a") + "--- x\n", "f.yaml"))
    assert [start for start, _ in split_documents("a: 1\n--- # c\nb: 2\n")] == [1, 3]


def test_list_is_expanded() -> None:
    text = ('{"apiVersion": "v1", "kind": "List", "items": ['
            '{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s1"}},'
            '{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s2"}}]}')
    assert names(parse_stream(text, "l.json")) == ["s1", "s2"]


def test_json_stream_of_several_objects() -> None:
    text = ('{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p1"}}\n'
            '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p2"}}')
    assert names(parse_stream(text, "p.json")) == ["p1", "p2"]
    with pytest.raises(MinikctlError, match=r"error parsing p.json: line 2: "):
        list(parse_stream('{"apiVersion": "v1",\n "kind": }', "p.json"))


def test_yaml_error_names_the_file_line_and_earlier_documents_survive() -> None:
    text = (RC.format(name="first") + "---\n"          # lines 1-7
            + "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c2\n  labels: [a\n"
            + "---\n" + RC.format(name="never"))
    seen = []
    with pytest.raises(MinikctlError) as caught:
        for manifest in parse_stream(text, "bad.yaml"):
            seen.append(manifest.obj["metadata"]["name"])
    assert seen == ["first"]
    assert str(caught.value) == ("error parsing bad.yaml: error converting YAML to JSON: yaml: "
                                 "line 12: did not find expected ',' or ']'")


def test_yaml_error_line_for_a_bad_mapping() -> None:
    text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n   bad: indent\n"
    with pytest.raises(MinikctlError, match=r"bad.yaml: .*yaml: line 5: "):
        list(parse_stream(text, "bad.yaml"))


def test_missing_kind_or_api_version_is_a_validation_error() -> None:
    with pytest.raises(MinikctlError, match='error validating "f.yaml": error validating data: '
                                            'kind not set'):
        list(parse_stream("apiVersion: v1\nmetadata:\n  name: x\n", "f.yaml"))
    with pytest.raises(MinikctlError, match="apiVersion not set"):
        list(parse_stream("kind: Pod\n", "f.yaml"))


def test_scalars_are_read_like_go_yaml() -> None:
    text = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"
            "a: y\nb: 0o17\nc: 1e3\nd: 1:20\ne: 2026-01-01\nf: 0777\ng: 1_000\nh: 2026-01-01T10:00:00Z\n"
            "i: off\nj: ~\nk: =\nl: 0x1f\nm: '123'\n")
    obj = next(parse_stream(text, "x.yaml")).obj
    assert (obj["a"], obj["b"], obj["c"], obj["d"], obj["e"], obj["f"], obj["g"]) == (
        True, 15, 1000.0, "1:20", "2026-01-01", 511, 1000)
    assert (obj["h"], obj["i"], obj["j"], obj["k"], obj["l"], obj["m"]) == (
        "2026-01-01T10:00:00Z", False, None, "=", 31, "123")


def test_directories_are_walked_in_order_and_recursively_only_with_r(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "b.yaml").write_text(RC.format(name="b"))
    (tmp_path / "a.json").write_text('{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a"}}')
    (tmp_path / "notes.txt").write_text("not a manifest")
    (tmp_path / "sub" / "c.yml").write_text(RC.format(name="c"))
    assert names(iter_manifests([str(tmp_path)])) == ["a", "b"]
    assert names(iter_manifests([str(tmp_path)], recursive=True)) == ["a", "b", "c"]
    assert expand_paths([f"{tmp_path}/b.yaml,{tmp_path}/a.json"], False) == [
        f"{tmp_path}/b.yaml", f"{tmp_path}/a.json"]


def test_missing_path_and_stdin(tmp_path: Path) -> None:
    with pytest.raises(MinikctlError, match='the path "nope.yaml" does not exist'):
        expand_paths(["nope.yaml"], False)
    found = list(iter_manifests(["-"], stdin=io.StringIO(RC.format(name="piped"))))
    assert [(m.source, m.obj["metadata"]["name"]) for m in found] == [("STDIN", "piped")]
