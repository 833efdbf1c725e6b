"""The kubeconfig reader that skips PyYAML: what it accepts must be exactly what
`yaml.safe_load` gives, and everything else must be left to PyYAML (None)."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from minikctl.plainyaml import load

SERVER_WRITTEN = """apiVersion: v1
kind: Config
clusters:
- name: minik
  cluster:
    server: http://127.0.0.1:6443
users:
- name: minik
  user: {}
contexts:
- name: minik
  context:
    cluster: minik
    user: minik
current-context: minik
preferences: {}
"""

KIND_LIKE = """# written by a tool
apiVersion: v1
clusters:
  - cluster:
      certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUM=
      server: https://kind-control-plane:6443
    name: kind-kind
contexts:
- context:
    cluster: kind-kind
    namespace: "shop"
    user: kind-kind
  name: kind-kind

current-context: kind-kind
kind: Config
users:
- name: kind-kind
  user:
    token: eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln-_x
    insecure-skip-tls-verify: true
    client-key: /home/me/.kube/key.pem
    password: ''
    username: ~
"""

NEEDS_PYYAML = [
    "context: {cluster: c, user: u}\n",  # flow mapping
    "a: &x 1\nb: *x\n",  # anchor and alias
    "token: |\n  abc\n",  # block scalar
    "server: a\n  b\n",  # multi-line plain scalar
    "port: 6443\n",  # an int
    "version: 1.20\n",  # a float
    "when: 2001-12-14\n",  # a date
    "name: !!str x\n",  # a tag
    "name: x # a comment\n",  # a comment after a value
    "name:\tx\n",  # a tab
    "---\nname: x\n",  # a document marker
    "- a\n- b\n",  # not a mapping
    'name: "a\\tb"\n',  # an escape
    "name: it's a b\n",  # spaces in a plain scalar
    "? complex\n: key\n",
    "name: x:\n",
    "name: caf\u00e9\n",  # not ASCII
    "name: a\n name2: b\n",  # bad indentation (PyYAML raises)
]


@pytest.mark.parametrize("text", [SERVER_WRITTEN, KIND_LIKE, "", "# nothing\n",
                                  SERVER_WRITTEN.replace("\n", "\r\n"),
                                  "enabled: yes\nlegacy: OFF\nempty:\nnull-ish: NULL\n"])
def test_accepted_files_read_as_pyyaml_reads_them(text: str) -> None:
    fast = load(text)
    assert fast is not None
    assert fast == (yaml.safe_load(text) or {})


@pytest.mark.parametrize("text", NEEDS_PYYAML)
def test_anything_else_is_left_to_pyyaml(text: str) -> None:
    assert load(text) is None


SCALARS = st.one_of(
    st.sampled_from(["minik", "http://127.0.0.1:6443", "LS0t+/x==", "yes", "On", "null", "~",
                     "", "1", "0x1f", "1:20", ".inf", "x y", "a:b", "#c", "it's", 'q"q', "-x",
                     "2020-01-01", "@a", "%a", "=", "<<", "caf\u00e9"]),
    st.booleans(), st.none(), st.integers(-5, 5))
KEYS = st.sampled_from(["name", "cluster", "server", "user", "token", "on", "a_b", "x.y/z", "1"])
DOCS = st.dictionaries(KEYS, st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=3),
    max_leaves=12), min_size=1, max_size=5)


def _agrees(text: str) -> None:
    fast = load(text)
    if fast is None:
        return
    slow: Any = yaml.safe_load(text)  # raises if the reader accepted something invalid
    assert repr(fast) == repr(slow if slow is not None else {})


@settings(max_examples=300, deadline=None)
@given(DOCS, st.sampled_from([2, 4]), st.integers(0, 10_000), st.sampled_from(
    ["", " ", "-", ":", "\n", "#", "'", '"', "{", "a", "  ", "- "]))
def test_dumped_and_mutated_documents_agree_with_pyyaml(doc: dict[str, Any], indent: int,
                                                        where: int, insert: str) -> None:
    text = yaml.safe_dump(doc, default_flow_style=False, indent=indent)
    _agrees(text)
    cut = where % (len(text) + 1)
    _agrees(text[:cut] + insert + text[cut + 1:])
