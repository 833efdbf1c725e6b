"""What the shell offers at the cursor: commands, flags, kinds and the names of live objects.

The completion scripts (commands/completion.py) run the hidden `minikctl __complete WORDS...
CURRENT` and offer what it prints, one `candidate<TAB>description` per line. Kinds come from
the discovery cache; object, namespace and pod names from a LIST with a short timeout. Any
failure (no server, no kubeconfig) just means nothing to offer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable

import click

if TYPE_CHECKING:
    from minikctl.session import Session

GLOBAL_VALUES = {"--kubeconfig": "kubeconfig", "--context": "context", "--cluster": "cluster",
                 "--user": "user", "-s": "server", "--server": "server", "--token": "token",
                 "-n": "namespace", "--namespace": "namespace",
                 "--request-timeout": "request_timeout", "--cache-dir": "cache_dir"}
RESOURCE_VERBS = ("get", "describe", "delete", "edit", "label", "annotate", "patch", "scale",
                  "wait", "expose", "explain")
POD_VERBS = ("logs", "exec")
SHELLS = ("bash", "zsh", "fish")
TIMEOUT = "3s"


class Words:
    """The typed words split into flags (with their values) and positional arguments."""

    def __init__(self, words: list[str]) -> None:
        self.flags: dict[str, Any] = {"request_timeout": TIMEOUT}
        self.positional: list[str] = []
        self.pending: str | None = None  # a flag still waiting for its value
        self.command: click.Command | None = None
        for word in words:
            self._take(word)

    def _takes_value(self, name: str) -> bool:
        if name in GLOBAL_VALUES:
            return True
        for param in getattr(self.command, "params", []):
            if isinstance(param, click.Option) and name in param.opts:
                return not param.is_flag
        return False

    def _take(self, word: str) -> None:
        if self.pending is not None:
            if self.pending in GLOBAL_VALUES:
                self.flags[GLOBAL_VALUES[self.pending]] = word
            self.pending = None
        elif word.startswith("-") and word != "-":
            name, eq, value = word.partition("=")
            if eq and name in GLOBAL_VALUES:
                self.flags[GLOBAL_VALUES[name]] = value
            elif not eq and self._takes_value(name):
                self.pending = name
        else:
            self.positional.append(word)
            if len(self.positional) == 1:
                self.command = _command(word)


def _command(name: str) -> click.Command | None:
    from minikctl.cli import COMMANDS, root

    if name not in COMMANDS:
        return None
    return root.get_command(click.Context(root), name)


def _first_line(text: str | None) -> str:
    return (text or "").strip().split("\n", 1)[0].rstrip(".")


def _flags(command: click.Command | None) -> list[tuple[str, str]]:
    from minikctl.cli import root

    params = (command or root).params
    return [(opt, _first_line(p.help)) for p in params
            if isinstance(p, click.Option) and not p.hidden
            for opt in p.opts if opt.startswith("--")]


def _kinds(session: Session) -> list[str]:
    names = []
    for res in session.discovery.resources():
        name = f"{res.plural}.{res.group}" if res.group else res.plural
        if name not in names:
            names.append(name)
    return sorted(names)


def _names(session: Session, kind: str) -> list[str]:
    resource = session.discovery.resolve(kind)
    path = resource.path(session.namespace if resource.namespaced else None)
    items = (session.client.get(path) or {}).get("items") or []
    return [str((i.get("metadata") or {}).get("name") or "") for i in items]


def _contexts(session: Session) -> list[str]:
    from minikctl.kubeconfig_edit import chain, merged

    return sorted(str(c.get("name")) for c in merged(chain(session.flags, session.env)[0])
                  ["contexts"])


def _value_of(flag: str, session: Session) -> list[str]:
    if flag in ("-n", "--namespace"):
        return _names(session, "namespaces")
    if flag in ("--context",):
        return _contexts(session)
    if flag in ("-o", "--output"):
        return ["json", "yaml", "name", "wide", "jsonpath=", "custom-columns="]
    return []


def _arguments(session: Session, verb: str, args: list[str], current: str) -> Iterable[str]:
    if verb == "completion":
        return SHELLS if not args else []
    if verb == "config":
        from minikctl.commands.config import config

        if not args:
            return sorted(getattr(config, "commands", {}))
        return _contexts(session) if args[0] in ("use-context", "set-context",
                                                 "get-contexts") else []
    if verb in POD_VERBS and not args:
        return _typed_names(session, current) if "/" in current else _names(session, "pods")
    if verb not in RESOURCE_VERBS:
        return []
    if not args:
        if "/" in current:
            return _typed_names(session, current)
        head, comma, _ = current.rpartition(",")
        return [f"{head}{comma}{kind}" for kind in _kinds(session)]
    if verb == "explain" or "/" in args[0] or "," in args[0]:
        return []
    return [name for name in _names(session, args[0]) if name not in args[1:]]


def _typed_names(session: Session, current: str) -> list[str]:
    kind = current.partition("/")[0]
    return [f"{kind}/{name}" for name in _names(session, kind)]


def candidates(words: list[str], current: str) -> list[tuple[str, str]]:
    """(candidate, description) for the word being typed after `words`."""
    from minikctl.cli import COMMANDS
    from minikctl.session import Session

    typed = Words(words)
    session = Session(typed.flags)
    try:
        if typed.pending is not None:
            found = [(v, "") for v in _value_of(typed.pending, session)]
        elif current.startswith("-"):
            found = _flags(typed.command)
        elif not typed.positional:
            found = [(name, summary) for name, (_, summary, _) in COMMANDS.items()]
        else:
            found = [(v, "") for v in _arguments(session, typed.positional[0],
                                                  typed.positional[1:], current)]
    finally:
        session.close()
    return [(c, d) for c, d in found if c.startswith(current)]
