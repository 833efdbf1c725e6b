"""`explain` text from the server's OpenAPI v3 schemas, laid out as kubectl's plaintext template
lays it out (kubectl/pkg/explain/v2): header, DESCRIPTION wrapped at 76 columns, then the
FIELDS with their type hints, `-required-` marks and descriptions (or, with --recursive, the
field tree). References are followed through `$ref` and `allOf`; cycles stop the walk.
"""

from __future__ import annotations

from typing import Any

from minikctl.errors import MinikctlError

Schema = dict[str, Any]


def wrap(limit: int, text: str) -> str:
    """mitchellh/go-wordwrap's WrapString: break at spaces so lines stay within `limit`."""
    out: list[str] = []
    word: list[str] = []
    space: list[str] = []
    current = 0
    for char in text:
        if char == "\n":
            if not word:
                if current + len(space) <= limit:
                    out.extend(space)
            else:
                out.extend(space + word)
            space, word = [], []
            out.append(char)
            current = 0
        elif char.isspace() and char != "\u00a0":
            if not space or word:
                current += len(space) + len(word)
                out.extend(space + word)
                space, word = [], []
            space.append(char)
        else:
            word.append(char)
            if current + len(space) + len(word) > limit and len(word) < limit:
                out.append("\n")
                current = 0
                space = []
    if not word:
        if current + len(space) <= limit:
            out.extend(space)
    else:
        out.extend(space + word)
    return "".join(out)


def indent(amount: int, text: str) -> str:
    pad = " " * amount
    return pad + text.replace("\n", "\n" + pad)


class Explainer:
    def __init__(self, document: dict[str, Any], recursive: bool) -> None:
        self.doc = document
        self.recursive = recursive

    def resolve(self, ref: Any) -> Schema | None:
        if not isinstance(ref, str) or not ref.startswith("#"):
            return None
        current: Any = self.doc
        for part in ref[1:].split("/"):
            if part:
                current = current.get(part) if isinstance(current, dict) else None
                if not isinstance(current, dict):
                    return None
        return current if isinstance(current, dict) else None

    def description(self, schema: Schema) -> str:
        resolved = self.resolve(schema.get("$ref")) or schema
        text = resolved["description"] + "\n" if resolved.get("description") else ""
        for sub in resolved.get("allOf") or []:
            text += self.description(sub)
        if isinstance(resolved.get("items"), dict):
            text += self.description(resolved["items"])
        if isinstance(resolved.get("additionalProperties"), dict):
            text += self.description(resolved["additionalProperties"])
        return text

    def type_guess(self, schema: Schema) -> str:
        if isinstance(schema.get("items"), dict):
            return "[]" + self.type_guess(schema["items"])
        if isinstance(schema.get("additionalProperties"), dict):
            return "map[string]" + self.type_guess(schema["additionalProperties"])
        if schema.get("allOf") and not schema.get("properties") and len(schema["allOf"]) == 1:
            return self.type_guess(schema["allOf"][0])
        if schema.get("$ref"):
            target = self.resolve(schema["$ref"])
            if not target or not target.get("type") or target.get("type") == "object":
                return str(schema["$ref"]).split("/")[-1].split(".")[-1] or "Object"
            return str(target.get("type"))
        kind = schema.get("type")
        return "Object" if kind == "object" or not kind else str(kind)

    def enum(self, schema: Schema, long_view: bool, limit: int, pad: int = 0) -> str:
        values = schema.get("enum") or []
        if not values:
            return ""
        text = "ENUM:" if long_view else " " * pad + "enum: "
        for index, value in enumerate(values):
            if -1 < limit <= index:
                return text + ", ...."
            if index > 0 and not long_view:
                text += ", "
            elif long_view:
                text += "\n    "
            text += '""' if value == "" else str(value)
        return text

    def field_detail(self, name: str, schema: Schema, level: int) -> str:
        pad = level * 2
        field = (schema.get("properties") or {})[name]
        text = indent(pad, name) + f"\t<{self.type_guess(field)}>"
        if name in (schema.get("required") or []):
            text += " -required-"
        text += "\n"
        if not self.recursive:
            if field.get("enum"):
                text += self.enum(field, False, 4, pad)
            body = field.get("description") or "<no description>"
            text += indent(pad + 2, wrap(78 - pad, body)) + "\n\n"
        return text

    def field_list(self, schema: Schema, level: int, history: set[str]) -> str:
        ref = str(schema.get("$ref") or "")
        if ref and ref in history:
            return ""
        seen = history | {ref}
        resolved = self.resolve(ref) or schema
        text = ""
        for name in sorted(resolved.get("properties") or {}):
            text += self.field_detail(name, resolved, level)
            if self.recursive:
                text += self.field_list(resolved["properties"][name], level + 1, seen)
        for sub in resolved.get("allOf") or []:
            text += self.field_list(sub, level, seen)
        if isinstance(resolved.get("items"), dict):
            text += self.field_list(resolved["items"], level, seen)
        if isinstance(resolved.get("additionalProperties"), dict):
            text += self.field_list(resolved["additionalProperties"], level, seen)
        return text

    def output(self, schema: Schema, path: list[str], history: set[str]) -> str:
        ref = str(schema.get("$ref") or "")
        resolved = self.resolve(ref) or schema
        if not path:
            text = "DESCRIPTION:\n" + indent(4, wrap(76, self.description(resolved)
                                                     or "<empty>")) + "\n"
            fields = self.field_list(resolved, 1, set())
            return text + ("FIELDS:\n" + fields if fields else "")
        if ref and ref in history:
            return ""
        seen = history | {ref}
        properties = resolved.get("properties") or {}
        if path[0] in properties:
            sub = properties[path[0]]
            head = ""
            if len(path) == 1:
                head = f"FIELD: {path[0]} <{self.type_guess(sub)}>\n"
                head += self.enum(sub, True, -1) + "\n\n"
            return head + self.output(sub, path[1:], set())
        if isinstance(resolved.get("items"), dict):
            return self.output(resolved["items"], path, seen)
        if isinstance(resolved.get("additionalProperties"), dict):
            return self.output(resolved["additionalProperties"], path, seen)
        for sub in resolved.get("allOf") or []:
            found = self.output(sub, path, seen)
            if found:
                return found
        return ""


def explain(document: dict[str, Any], group: str, version: str, kind: str, path: list[str],
            recursive: bool) -> tuple[str, MinikctlError | None]:
    """(the text, the error that stopped it): like kubectl's template, the header is written
    before a missing field is noticed."""
    explainer = Explainer(document, recursive)
    header = (f"GROUP:      {group}\n" if group else "") + f"KIND:       {kind}\n"
    header += f"VERSION:    {version}\n\n"
    for schema in ((document.get("components") or {}).get("schemas") or {}).values():
        gvks = schema.get("x-kubernetes-group-version-kind") or []
        if {"group": group, "version": version, "kind": kind} in gvks:
            body = explainer.output(schema, path, set())
            if not body:
                return header, MinikctlError(f'field "{path[-1]}" does not exist')
            return header + body + "\n", None
    return "", MinikctlError(f"GVK {group}/{version}, Kind={kind} not found in OpenAPI schema")
