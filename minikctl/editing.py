"""The editing session behind `minikctl edit`: the buffer with kubectl's header, the editor
launched on a temporary file, and the comparisons that decide whether anything changed.

The editor is $KUBE_EDITOR, else $EDITOR, else `vi`; a value with spaces is split on them, or
run by the shell when it holds quotes or backslashes, as kubectl does. The file keeps the
user's text between attempts; its name goes into the messages that say where changes were kept.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from minikctl.errors import ApiError, MinikctlError

if TYPE_CHECKING:
    from minikctl.targets import Target

HEADER = ("# Please edit the object below. Lines beginning with a '#' will be ignored,\n"
          "# and an empty file will abort the edit. If an error occurs while saving this file "
          "will be\n# reopened with the relevant failures.\n#\n")


@dataclass
class Reason:
    """Why the file is being reopened: a head line and optional `* detail` lines."""

    head: str
    details: list[str] = field(default_factory=list)


def _hash_breaks(text: str) -> str:
    """Keep a multi-line message inside the comment block."""
    out = []
    for index, char in enumerate(text):
        following = text[index + 1:index + 2]
        out.append("\n# " if char == "\n" and following and following != "#" else char)
    return "".join(out)


def header(reasons: list[Reason]) -> str:
    text = HEADER
    for reason in reasons:
        text += f"# {_hash_breaks(reason.head)}" + (":\n" if reason.details else "\n")
        text += "".join(f"# * {_hash_breaks(d)}\n" for d in reason.details)
        text += "#\n"
    return text


def manual_strip(text: str) -> str:
    """The text without comment lines (`#!` lines stay), as kubectl's ManualStrip."""
    lines = text.split("\n")
    kept = [(i, line) for i, line in enumerate(lines)
            if not (line.strip().startswith("#") and not line.strip().startswith("#!"))]
    return "".join(line + ("\n" if i < len(lines) - 1 else "") for i, line in kept)


def content(text: str) -> Any:
    """What the text means, for `did anything change`: the parsed YAML, else the text without
    comments (kubectl's StripComments)."""
    from minikctl.yamlin import load_yaml_value

    try:
        return ("yaml", load_yaml_value(text))
    except Exception:  # noqa: BLE001 - unparsable text is compared as text, as kubectl does
        return ("text", manual_strip(text))


def has_lines(text: str) -> bool:
    return any(line.strip() and not line.strip().startswith("#") for line in text.splitlines())


def _editor_command() -> tuple[list[str], bool]:
    editor = os.environ.get("KUBE_EDITOR") or os.environ.get("EDITOR") or "vi"
    if " " not in editor:
        return [editor], False
    if not any(c in editor for c in "\"'\\"):
        return editor.split(" "), False
    return [os.environ.get("SHELL") or "/bin/bash", "-c", editor], True


def launch(text: str, extension: str, path: str | None = None) -> tuple[str, str]:
    """Write the text to a temporary file (or the given one), open the editor on it and return
    (what the user saved, the file's path)."""
    if path is None:
        handle, path = tempfile.mkstemp(prefix="minikctl-edit-", suffix=extension)
        os.close(handle)
    with open(path, "w", encoding="utf-8") as out:
        out.write(text)
    args, shell = _editor_command()
    command = args[:-1] + [f'{args[-1]} "{path}"'] if shell else args + [path]
    shown = " ".join(args)
    try:
        subprocess.run(command, check=True)
    except FileNotFoundError:
        if "/" in command[0]:  # Go finds no executable only on a PATH lookup
            raise MinikctlError(f'there was a problem with the editor "{shown}"') from None
        raise MinikctlError(f'unable to launch the editor "{shown}"') from None
    except (OSError, subprocess.CalledProcessError):
        raise MinikctlError(f'there was a problem with the editor "{shown}"') from None
    with open(path, encoding="utf-8") as saved:
        return saved.read(), path


def preserved(path: str) -> str:
    """kubectl's note on where the user's changes were kept, when the file still exists."""
    if path and os.path.exists(path):
        return f'A copy of your changes has been stored to "{path}"\n'
    return ""


class Results:
    """What one pass of patches left to do: reasons to reopen, or counts that end the edit."""

    def __init__(self) -> None:
        self.reasons: list[Reason] = []
        self.retryable = 0
        self.notfound = 0
        self.invalid = 0

    def add_error(self, err: ApiError, target: Target) -> str:
        res = target.resource
        what = f"{res.plural}.{res.group}" if res.group else res.plural
        if err.reason == "Invalid":
            self.invalid += 1
            causes = ((err.status.get("details") or {}).get("causes") or [])
            self.reasons.append(Reason(f'{what} "{target.name}" was not valid',
                                       [f"{c.get('field', '')}: {c.get('message', '')}"
                                        for c in causes]))
            return f'error: {what} "{target.name}" is invalid'
        if err.is_not_found():
            self.notfound += 1
            return f'error: {what} "{target.name}" could not be found on the server'
        self.retryable += 1
        return f'error: {what} "{target.name}" could not be patched: {err.message}'
