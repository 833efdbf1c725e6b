"""Flag parsing with pflag's rules and wording, on top of click.

kubectl's flags come from pflag: booleans accept `--wait=false`, shorthands accept `-n=x`,
integers and durations fail with Go's strconv/time messages, and the global flags
(`--kubeconfig`, `-n`, ...) may appear before or after the verb. This module owns those rules:
the value types, the global options attached to every command, and `normalise_args`, which
rewrites pflag spellings into ones click understands.
"""

from __future__ import annotations

import re
from typing import Any, Callable, TypeVar

import click

from minikctl.errors import FlagValueError

F = TypeVar("F", bound=Callable[..., Any])

FLAGS_KEY = "minikctl.flags"

_TRUE = {"1", "t", "T", "TRUE", "true", "True"}
_FALSE = {"0", "f", "F", "FALSE", "false", "False"}


def flag_label(param: click.Parameter | None) -> str:
    """How pflag names a flag in messages: `--replicas`, or `-v, --v` with a shorthand."""
    if param is None:
        return "flag"
    opts = list(getattr(param, "opts", []))
    longs = [o for o in opts if o.startswith("--")]
    shorts = [o for o in opts if not o.startswith("--")]
    if shorts and longs:
        return f"{shorts[0]}, {longs[0]}"
    return str((longs or shorts or [param.name or "flag"])[0])


class GoInt(click.ParamType[int, Any]):
    """An integer flag that fails like pflag's IntVar."""

    name = "int"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        text = str(value)
        if re.fullmatch(r"[+-]?\d+", text):
            number = int(text)
            if -(2**63) <= number < 2**63:
                return number
            why = "value out of range"
        else:
            why = "invalid syntax"
        raise FlagValueError(f'invalid argument "{text}" for "{flag_label(param)}" flag: '
                             f'strconv.ParseInt: parsing "{text}": {why}', ctx)


_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0,
          "h": 3600.0}
_DURATION_PART = r"(\d*\.?\d*)([^\d.]*)"  # compiled on first use (re caches it)


def parse_duration(text: str) -> float:
    """Go's time.ParseDuration, in seconds; ValueError carries Go's message."""
    body = text.lstrip("+-")
    sign = -1.0 if text.startswith("-") else 1.0
    if body == "0":
        return 0.0
    if not body:
        raise ValueError(f'time: invalid duration "{text}"')
    total, pos = 0.0, 0
    while pos < len(body):
        match = re.compile(_DURATION_PART).match(body, pos)
        number, unit = (match.group(1), match.group(2)) if match else ("", "")
        if not number or number == ".":
            raise ValueError(f'time: invalid duration "{text}"')
        if not unit:
            raise ValueError(f'time: missing unit in duration "{text}"')
        if unit not in _UNITS:
            raise ValueError(f'time: unknown unit "{unit}" in duration "{text}"')
        total += float(number) * _UNITS[unit]
        pos = match.end() if match else len(body)
    return sign * total


class GoDuration(click.ParamType[float, Any]):
    """A duration flag (`30s`, `1m30s`), in seconds."""

    name = "duration"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        if isinstance(value, (int, float)):
            return float(value)
        try:
            return parse_duration(str(value))
        except ValueError as err:
            raise FlagValueError(f'invalid argument "{value}" for "{flag_label(param)}" flag: {err}',
                                 ctx) from None


def parse_bool(text: str, label: str) -> bool:
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise FlagValueError(f'invalid argument "{text}" for "{label}" flag: '
                         f'strconv.ParseBool: parsing "{text}": invalid syntax')


def _bool_options(command: click.Command, ctx: click.Context) -> dict[str, click.Option]:
    found: dict[str, click.Option] = {}
    for param in command.get_params(ctx):
        if isinstance(param, click.Option) and param.is_bool_flag and param.secondary_opts:
            for opt in param.opts:
                found[opt] = param
    return found


def _value_shorts(command: click.Command, ctx: click.Context) -> set[str]:
    shorts: set[str] = set()
    for param in command.get_params(ctx):
        if isinstance(param, click.Option) and not param.is_flag:
            shorts.update(o for o in param.opts if not o.startswith("--"))
    return shorts


def normalise_args(command: click.Command, ctx: click.Context, args: list[str]) -> list[str]:
    """Rewrite `--flag=false`, `-n=x` and bare `--cascade` (pflag spellings) into click's."""
    try:
        return _normalise(command, ctx, args)
    except FlagValueError as err:
        err.ctx = ctx
        raise


def _normalise(command: click.Command, ctx: click.Context, args: list[str]) -> list[str]:
    bools = _bool_options(command, ctx)
    shorts = _value_shorts(command, ctx)
    bare = {o: p.no_opt_default for p in command.get_params(ctx) if isinstance(p, NoOptOption)
            for o in p.opts}
    out: list[str] = []
    for index, arg in enumerate(args):
        if arg == "--":
            return out + args[index:]
        name, eq, value = arg.partition("=")
        if eq and name in bools:
            option = bools[name]
            wanted = parse_bool(value, flag_label(option))
            out.append(option.opts[0] if wanted else option.secondary_opts[0])
        elif eq and name in shorts and len(name) == 2:
            out.extend([name, value])
        elif not eq and name in bare:
            out.append(f"{name}={bare[name]}")
        else:
            out.append(arg)
    return out


# -- global flags --------------------------------------------------------------------------


def _store_global(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """Global flags may appear on the root or on the verb; the verb's explicit value wins."""
    source = ctx.get_parameter_source(param.name or "")
    flags = ctx.find_root().meta.setdefault(FLAGS_KEY, {})
    if source is not None and source.name != "DEFAULT":
        flags[param.name] = value
    else:
        flags.setdefault(param.name, value)
    return value


def global_options() -> list[click.Option]:
    """Fresh option objects for one command (click options are per-command)."""
    common: dict[str, Any] = {"expose_value": False, "callback": _store_global}
    return [
        click.Option(["--kubeconfig"], default=None,
                     help="Path to the kubeconfig file to use for CLI requests.", **common),
        click.Option(["--context"], default=None,
                     help="The name of the kubeconfig context to use", **common),
        click.Option(["--cluster"], default=None,
                     help="The name of the kubeconfig cluster to use", **common),
        click.Option(["--user"], default=None,
                     help="The name of the kubeconfig user to use", **common),
        click.Option(["-s", "--server"], default=None,
                     help="The address and port of the Kubernetes API server", **common),
        click.Option(["--token"], default=None,
                     help="Bearer token for authentication to the API server", **common),
        click.Option(["--insecure-skip-tls-verify/--no-insecure-skip-tls-verify"], default=False,
                     help="If true, the server's certificate will not be checked for validity.",
                     **common),
        click.Option(["-n", "--namespace"], default=None,
                     help="If present, the namespace scope for this CLI request", **common),
        click.Option(["--request-timeout"], default="0",
                     help="The length of time to wait before giving up on a single server "
                          "request. Non-zero values should contain a corresponding time unit "
                          "(e.g. 1s, 2m, 3h). A value of zero means don't timeout requests.",
                     **common),
        click.Option(["--cache-dir"], default=None,
                     help="Default cache directory (default ~/.minik/cache, or $KUBECACHEDIR)",
                     **common),
        click.Option(["-v", "--v"], "v", type=GoInt(), default=0,
                     help="number for the log level verbosity", **common),
    ]


GLOBAL_NAMES = frozenset(o.name for o in global_options())


def parse_request_timeout(text: str) -> float | None:
    """kubectl's --request-timeout: bare integer seconds or a Go duration; 0 means none."""
    from minikctl.errors import MinikctlError

    text = text.strip()
    try:
        seconds = float(int(text)) if text.isdecimal() else parse_duration(text)  # isdecimal: \d+
    except ValueError:
        raise MinikctlError("Invalid timeout value. Timeout must be a single integer in seconds, "
                            "or an integer followed by a corresponding time unit "
                            "(e.g. 1s | 2m | 3h)") from None
    return seconds if seconds > 0 else None


def bool_flag(name: str, default: bool, help: str, short: str | None = None) -> Callable[[F], F]:
    """A pflag-style boolean: `--name`, `--name=false` (and a hidden `--no-name`)."""
    decls = ([short] if short else []) + [f"--{name}/--no-{name}"]
    return click.option(*decls, default=default, help=help)


class NoOptOption(click.Option):
    """A string flag that may be given bare (pflag's NoOptDefVal): `--cascade` = background.

    pflag never takes the next argument as the value of such a flag, so `normalise_args`
    rewrites a bare `--cascade` into `--cascade=background` before click parses."""

    def __init__(self, *args: Any, no_opt_default: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.no_opt_default = no_opt_default


def dry_run_option(func: F) -> F:
    return click.option("--dry-run", "dry_run", default="none", cls=NoOptOption,
                        no_opt_default="unchanged",
                        help='Must be "none", "server", or "client". If client strategy, only '
                             'print the object that would be sent, without sending it. If server '
                             'strategy, submit server-side request without persisting the '
                             'resource.')(func)


def filename_options(what: str) -> Callable[[F], F]:
    def decorate(func: F) -> F:
        func = click.option("-R", "--recursive/--no-recursive", default=False,
                            help="Process the directory used in -f, --filename recursively.")(func)
        return click.option("-f", "--filename", "filenames", multiple=True,
                            help=f"Filename, directory, or URL to files {what}")(func)
    return decorate
