"""The `-o` formats that print objects (not server Tables): json, yaml, name, jsonpath,
jsonpath-file, jsonpath-as-json, custom-columns and custom-columns-file, with kubectl's errors
for a format it does not know or a template it cannot parse."""

from __future__ import annotations

from typing import Any, Callable, Protocol

from minikctl.errors import MinikctlError, PlainError
from minikctl.printing.output import ObjectPrinter

KUBECTL_FORMATS = ("custom-columns,custom-columns-file,go-template,go-template-file,json,"
                   "jsonpath,jsonpath-as-json,jsonpath-file,kyaml,name,template,templatefile,"
                   "wide,yaml")
TEMPLATE_FORMATS = ("jsonpath", "jsonpath-file", "jsonpath-as-json", "custom-columns",
                    "custom-columns-file")
UNSUPPORTED = ("go-template", "go-template-file", "template", "templatefile", "kyaml")


class Printer(Protocol):
    def print(self, obj: dict[str, Any]) -> None: ...

    def flush(self) -> None: ...


def split_format(output: str) -> tuple[str, str]:
    name, eq, template = output.partition("=")
    return name, template if eq else ""


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except OSError as err:
        raise MinikctlError(f"error reading --template {path}, {err.strerror}") from None


class JSONPathPrinter:
    def __init__(self, template: str, as_json: bool, write: Callable[[str], None]) -> None:
        from minikctl.printing.jsonpath import JSONPath, JSONPathError

        self.template = template
        self.as_json = as_json
        self._write = write
        try:
            self.path = JSONPath(template)
        except JSONPathError as err:
            raise PlainError(f"error: error parsing jsonpath {template}, {err}\n") from None

    def print(self, obj: dict[str, Any]) -> None:
        from minikctl.printing.gonum import format_go_syntax
        from minikctl.printing.jsonout import to_json
        from minikctl.printing.jsonpath import JSONPathError, print_results

        try:
            results = self.path.find_results(obj)
        except JSONPathError as err:
            raise PlainError(
                f'error: error executing jsonpath "{self.template}": Error executing template: '
                f"{err}. Printing more information for debugging the template:\n\ttemplate was:"
                f"\n\t\t{self.template}\n\tobject given to jsonpath engine was:\n\t\t"
                f"{format_go_syntax(obj)}\n\n\n") from None
        if self.as_json:
            self._write("".join(to_json(group) for group in results))
        else:
            self._write("".join(print_results(group) for group in results))

    def flush(self) -> None:
        pass


class _Objects:
    def __init__(self, output: str, write: Callable[[str], None]) -> None:
        self.inner = ObjectPrinter(output, write)

    def print(self, obj: dict[str, Any]) -> None:
        self.inner.print(obj)

    def flush(self) -> None:
        pass


def make_printer(output: str, no_headers: bool, write: Callable[[str], None]) -> Printer:
    """The printer for an object format; MinikctlError in kubectl's words for a bad one."""
    name, template = split_format(output)
    if name in ("json", "yaml", "name") and not template:
        return _Objects(name, write)
    if name in UNSUPPORTED:
        raise MinikctlError(f'minikctl does not support the output format "{name}"; use '
                            f"jsonpath or custom-columns")
    if name not in TEMPLATE_FORMATS:
        raise MinikctlError(f'unable to match a printer suitable for the output format "{output}"'
                            f", allowed formats are: {KUBECTL_FORMATS}")
    if not template:
        if name.startswith("custom"):
            raise MinikctlError("custom-columns format specified but no custom columns given")
        raise MinikctlError("template format specified but no template given")
    if name.startswith("jsonpath"):
        text = _read(template) if name == "jsonpath-file" else template
        return JSONPathPrinter(text, name == "jsonpath-as-json", write)
    from minikctl.printing.columns import CustomColumnsPrinter, parse_file, parse_spec

    columns = parse_file(_read(template)) if name == "custom-columns-file" else parse_spec(template)
    return CustomColumnsPrinter(columns, no_headers, write)


def template_printer(output: str, write: Callable[[str], None]) -> Printer:
    """A mutating verb's `-o jsonpath*` printer; kubectl's error for any other format."""
    from minikctl.printing.output import MUTATION_FORMATS

    name, template = split_format(output)
    if name in UNSUPPORTED:
        return make_printer(output, False, write)
    if not name.startswith("jsonpath") or name not in TEMPLATE_FORMATS:
        raise MinikctlError(f'unable to match a printer suitable for the output format "{output}"'
                            f", allowed formats are: {MUTATION_FORMATS}")
    return make_printer(output, False, write)


def is_object_format(output: str) -> bool:
    return output not in ("", "wide")
