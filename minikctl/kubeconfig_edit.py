"""Reading the kubeconfig chain as files and writing changes back, with clientcmd's rules.

The chain is `--kubeconfig`, else every file of `$KUBECONFIG`, else `~/.minik/kubeconfig`. A
changed stanza goes back to the file that defines it; a new one and `current-context` go to the
file that already sets a current context, else to the first existing file (the last listed one
when none exists). Files are rewritten the way kubectl writes them: sorted keys, entries sorted
by name, `current-context` always present.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from minikctl.kubeconfig import default_kubeconfig

SECTIONS = (("clusters", "cluster"), ("users", "user"), ("contexts", "context"))


@dataclass
class ConfigFile:
    path: Path
    data: dict[str, Any] = field(default_factory=dict)
    exists: bool = False

    def entries(self, section: str) -> list[dict[str, Any]]:
        found = self.data.get(section)
        return [e for e in found if isinstance(e, dict)] if isinstance(found, list) else []


def chain(flags: Mapping[str, Any], env: Mapping[str, str]) -> tuple[list[ConfigFile], bool]:
    """(the files in precedence order, whether --kubeconfig named one explicitly)."""
    import yaml

    if flags.get("kubeconfig"):
        paths, explicit = [Path(os.path.expanduser(str(flags["kubeconfig"])))], True
    elif env.get("KUBECONFIG"):
        paths = [Path(os.path.expanduser(p)) for p in env["KUBECONFIG"].split(os.pathsep) if p]
        explicit = False
    else:
        paths, explicit = [default_kubeconfig()], False
    files = []
    for path in paths:
        try:
            loaded = yaml.safe_load(path.read_text()) or {}
            files.append(ConfigFile(path, loaded if isinstance(loaded, dict) else {}, True))
        except OSError:
            files.append(ConfigFile(path))
    return files, explicit


def merged(files: list[ConfigFile]) -> dict[str, Any]:
    """The merged view: the first definition of each name wins, entries sorted by name."""
    out: dict[str, Any] = {"current-context": ""}
    for section, _ in SECTIONS:
        seen: dict[str, dict[str, Any]] = {}
        for config in files:
            for entry in config.entries(section):
                seen.setdefault(str(entry.get("name")), entry)
        out[section] = [seen[name] for name in sorted(seen)]
    for config in files:
        if config.data.get("current-context"):
            out["current-context"] = str(config.data["current-context"])
            break
    return out


def default_file(files: list[ConfigFile], explicit: bool) -> ConfigFile:
    if explicit or len(files) == 1:
        return files[0]
    return next((f for f in files if f.exists), files[-1])


def owner(files: list[ConfigFile], section: str, name: str) -> ConfigFile | None:
    for config in files:
        if any(str(e.get("name")) == name for e in config.entries(section)):
            return config
    return None


def current_context_file(files: list[ConfigFile], explicit: bool) -> ConfigFile:
    if not explicit:
        for config in files:
            if config.data.get("current-context"):
                return config
    return default_file(files, explicit)


def write(config: ConfigFile) -> None:
    """Rewrite one file in kubectl's layout."""
    from minikctl.printing.yamlout import to_yaml

    data = dict(config.data)
    out: dict[str, Any] = {"apiVersion": data.get("apiVersion") or "v1",
                           "kind": data.get("kind") or "Config",
                           "current-context": str(data.get("current-context") or "")}
    for section, _ in SECTIONS:
        entries = config.entries(section)
        out[section] = sorted(entries, key=lambda e: str(e.get("name"))) if entries else None
    if data.get("preferences"):
        out["preferences"] = data["preferences"]
    for key in ("extensions",):
        if data.get(key):
            out[key] = data[key]
    config.path.parent.mkdir(parents=True, exist_ok=True)
    config.path.write_text(to_yaml({k: v for k, v in out.items()
                                    if v is not None or k in ("clusters", "contexts", "users")}))
    config.exists = True
