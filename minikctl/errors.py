"""Every error minikctl can show, and the one function that turns them into text.

The rendering follows kubectl's `CheckErr` (k8s.io/kubectl/pkg/cmd/util/helpers.go): a v1 Status
becomes `Error from server (Reason): message`, Invalid with causes becomes `The Kind "x" is
invalid: ...`, an Unauthorized Status becomes `error: You must be logged in to the server (...)`,
several errors print one per line, and anything else is `error: ...`. Click usage errors are
rewritten to pflag's wording. `cli.py` is the only caller that turns the text into an exit code.
"""

from __future__ import annotations

from typing import Any, Iterable

import click

DEFAULT_EXIT_CODE = 1


class MinikctlError(Exception):
    """A client-side failure, printed as `error: <message>`."""

    def __init__(self, message: str, exit_code: int = DEFAULT_EXIT_CODE) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


class PlainError(MinikctlError):
    """A message printed exactly as given (kubectl prints some without the `error: ` prefix)."""


class ExitError(Exception):
    """Exit with a code and print nothing more (kubectl's ErrExit)."""

    def __init__(self, exit_code: int = DEFAULT_EXIT_CODE) -> None:
        super().__init__(exit_code)
        self.exit_code = exit_code


class ApiError(Exception):
    """A non-2xx answer from the API server, carrying its v1 Status."""

    def __init__(self, status: dict[str, Any]) -> None:
        self.status = status
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return str(self.status.get("message") or "")

    @property
    def reason(self) -> str:
        return str(self.status.get("reason") or "")

    @property
    def code(self) -> int:
        code = self.status.get("code")
        return code if isinstance(code, int) else 0

    @property
    def details(self) -> dict[str, Any] | None:
        details = self.status.get("details")
        return details if isinstance(details, dict) else None

    def is_not_found(self) -> bool:
        return self.reason == "NotFound" or (not self.reason and self.code == 404)


class ConnectError(Exception):
    """The server could not be reached; the message is kubectl's complete sentence."""


class AggregateError(Exception):
    """Several independent failures (one per document, name or resource)."""

    def __init__(self, errors: Iterable[BaseException]) -> None:
        self.errors = _flatten(errors)
        super().__init__("; ".join(str(e) for e in self.errors))


def _flatten(errors: Iterable[BaseException]) -> list[BaseException]:
    flat: list[BaseException] = []
    for err in errors:
        flat.extend(err.errors if isinstance(err, AggregateError) else [err])
    return flat


def with_source(verb: str, source: str, err: BaseException) -> BaseException:
    """kubectl's AddSourceToErr: `error when creating "f.yaml": ...`."""
    if not source:
        return err
    if isinstance(err, ApiError):
        status = dict(err.status)
        status["message"] = f'error when {verb} "{source}": {err.message}'
        return ApiError(status)
    if isinstance(err, MinikctlError):
        return MinikctlError(f'error when {verb} "{source}": {err.message}', err.exit_code)
    return MinikctlError(f'error when {verb} "{source}": {err}')


def standard_message(err: BaseException) -> str | None:
    """The messages kubectl recognises; None for everything else."""
    if isinstance(err, ApiError):
        if err.reason == "Unauthorized":
            return f"error: You must be logged in to the server ({err.message})"
        if err.reason:
            return f"Error from server ({err.reason}): {err.message}"
        return f"Error from server: {err.message}"
    if isinstance(err, ConnectError):
        return str(err)
    return None


def _message_for(err: BaseException) -> str:
    known = standard_message(err)
    if known is not None:
        return known
    if isinstance(err, MinikctlError):
        return err.message
    return str(err)


def _invalid_text(err: ApiError) -> str:
    details = err.details
    text = "The request is invalid"
    if details is None:
        # kubectl includes the server's message when there are no details to show
        return (f"{text}: {err.message}" if err.message else text) + "\n"
    kind, name = str(details.get("kind") or ""), str(details.get("name") or "")
    if kind or name:
        text = f'The {kind} "{name}" is invalid'
    elif err.message and not details.get("causes"):
        text += f": {err.message}"
    causes: list[str] = []
    for cause in details.get("causes") or []:
        line = f"{cause.get('field', '')}: {cause.get('message', '')}"
        if line not in causes:
            causes.append(line)
    if not causes:
        return text + "\n"
    if len(causes) == 1:
        return f"{text}: {causes[0]}\n"
    return f"{text}: \n" + "".join(f"* {c}\n" for c in causes)


def render(err: BaseException) -> tuple[str, int]:
    """(text for stderr, exit code) for any error, like kubectl's checkErr."""
    if isinstance(err, AggregateError) and len(err.errors) == 1:
        err = err.errors[0]
    if isinstance(err, ExitError):
        return "", err.exit_code
    if isinstance(err, ApiError) and err.reason == "Invalid":
        return _invalid_text(err), DEFAULT_EXIT_CODE
    if isinstance(err, AggregateError):
        return "".join(_message_for(e) + "\n" for e in err.errors), DEFAULT_EXIT_CODE
    if isinstance(err, click.ClickException):
        return render_usage(err), DEFAULT_EXIT_CODE
    known = standard_message(err)
    code = err.exit_code if isinstance(err, MinikctlError) else DEFAULT_EXIT_CODE
    if known is None:
        known = err.message if isinstance(err, MinikctlError) else str(err) or type(err).__name__
        if not isinstance(err, PlainError) and not known.startswith("error: "):
            known = "error: " + known
    return known if known.endswith("\n") else known + "\n", code


# -- usage errors ---------------------------------------------------------------------------


class FlagValueError(click.BadParameter):
    """A flag value that does not parse, worded as pflag words it."""

    def __init__(self, text: str, ctx: click.Context | None = None) -> None:
        super().__init__(text, ctx=ctx)
        self.text = text


class UsageHintError(click.UsageError):
    """A usage error that kubectl follows with `See '<cmd> -h' for help and examples`."""


def _help_pointer(err: click.ClickException) -> str:
    ctx = getattr(err, "ctx", None)
    path = getattr(err, "help_path", None) or (ctx.command_path if ctx is not None else "minikctl")
    return f"See '{path} --help' for usage.\n"


def suggest_flag(flag: str, ctx: click.Context | None) -> str | None:
    """The closest long flag of the command, for `Did you mean --replicas?`."""
    if ctx is None:
        return None
    name = flag.split("=", 1)[0]
    known: list[str] = []
    for param in ctx.command.get_params(ctx):
        if isinstance(param, click.Option) and not param.hidden:
            known.extend(o for o in param.opts if o.startswith("--"))
    import difflib  # only for an unknown flag

    match = difflib.get_close_matches(name, known, n=1, cutoff=0.75)
    return match[0] if match else None


def _unknown_flag(err: click.NoSuchOption) -> str:
    flag = err.option_name
    if flag.startswith("--"):
        text = f"error: unknown flag: {flag}\n"
        hint = suggest_flag(flag, err.ctx)
        if hint:
            text += f"Did you mean {hint}?\n"
        return text
    token = getattr(err, "token", flag)
    return f"error: unknown shorthand flag: '{flag[1:2]}' in {token}\n"


def render_usage(err: click.ClickException) -> str:
    """Click's exceptions in pflag/cobra words."""
    ctx = getattr(err, "ctx", None)
    if isinstance(err, click.NoSuchOption):
        return _unknown_flag(err) + _help_pointer(err)
    if isinstance(err, FlagValueError):
        return f"error: {err.text}\n" + _help_pointer(err)
    if isinstance(err, click.BadOptionUsage) and "requires an argument" in err.message:
        flag = err.option_name
        where = flag if flag.startswith("--") else f"'{flag[1:]}' in {flag}"
        return f"error: flag needs an argument: {where}\n" + _help_pointer(err)
    if isinstance(err, click.MissingParameter) and isinstance(err.param, click.Option):
        return f'error: required flag(s) "{err.param.opts[-1].lstrip("-")}" not set\n'
    if isinstance(err, UsageHintError):
        path = ctx.command_path if ctx is not None else "minikctl"
        return f"error: {err.message}\nSee '{path} -h' for help and examples\n"
    message = err.format_message()
    return message if message.startswith("error: ") else f"error: {message}\n"
