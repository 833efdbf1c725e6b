"""KubeCommand: a click command that parses flags the pflag way and prints kubectl-style help.

Every verb is a KubeCommand, so every verb accepts the global flags (`-n`, `--kubeconfig`, ...)
after the verb as well as before it, understands `--flag=false` and `-n=x`, and renders `--help`
in kubectl's layout (summary, Examples, Options with `=default:`, Usage).
"""

from __future__ import annotations

from typing import Any, Callable

import click

from minikctl.flags import GLOBAL_NAMES, NoOptOption, global_options, normalise_args

# Help is laid out by hand (formatter.write, never wrapped), so the width is unused; giving one
# spares click importing shutil (and its compression modules) to measure the terminal.
CONTEXT_SETTINGS: dict[str, Any] = {"help_option_names": ["-h", "--help"], "terminal_width": 80}


def shown_default(param: click.Option) -> str:
    """The `=value` kubectl shows after a flag in help."""
    value = param.default
    if param.multiple:
        return "[]"
    if value is None or type(value).__module__.startswith("click"):  # no default (click's UNSET)
        return "0" if getattr(param.type, "name", "") == "int" else "''"
    if param.is_bool_flag:
        return "true" if value else "false"
    if param.multiple:
        return "[]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)) and not isinstance(param.type, click.types.StringParamType):
        if getattr(param.type, "name", "") == "duration":
            return f"{int(value)}s" if float(value).is_integer() else f"{value}s"
        return str(value)
    return f"'{value if value is not None else ''}'"


def option_help(params: list[click.Parameter], globals_only: bool) -> str:
    lines: list[str] = []
    for param in params:
        if not isinstance(param, click.Option) or param.hidden or param.name == "help":
            continue
        if (param.name in GLOBAL_NAMES) != globals_only:
            continue
        shorts = [o for o in param.opts if not o.startswith("--")]
        longs = [o for o in param.opts if o.startswith("--")]
        names = ", ".join(shorts[:1] + longs[:1])
        lines.append(f"    {names}={shown_default(param)}:\n\t{param.help or ''}\n")
    return "\n".join(lines)


class KubeCommand(click.Command):
    def __init__(self, *args: Any, usage: str = "", **kwargs: Any) -> None:
        kwargs.setdefault("context_settings", dict(CONTEXT_SETTINGS))
        super().__init__(*args, **kwargs)
        self.usage_text = usage
        self.params.extend(global_options())

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        args = normalise_args(self, ctx, args)
        given = list(args)  # click's parser consumes the list it is given
        try:
            return super().parse_args(ctx, args)
        except click.NoSuchOption as err:
            short = err.option_name
            if not short.startswith("--"):  # pflag quotes the whole token: `'x' in -xf`
                setattr(err, "token", next(
                    (a for a in given if a.startswith("-") and not a.startswith("--")
                     and short[1:] in a[1:]), short))
            raise
        except click.UsageError as err:
            err.ctx = err.ctx or ctx
            raise

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        text = (self.help or "").strip("\n")
        formatter.write(text + "\n\n")
        options = option_help(self.get_params(ctx), globals_only=False)
        if options:
            formatter.write("Options:\n" + options + "\n")
        formatter.write(f"Usage:\n  {self.usage_text or ctx.command_path + ' [options]'}\n\n")
        formatter.write('Use "minikctl options" for a list of global command-line options '
                        "(applies to all commands).\n")


class KubeGroup(click.Group):
    """A verb with subcommands (`config view`), listed the way kubectl lists them."""

    def __init__(self, *args: Any, usage: str = "", aliases: dict[str, str] | None = None,
                 **kwargs: Any) -> None:
        kwargs.setdefault("context_settings", dict(CONTEXT_SETTINGS))
        kwargs.setdefault("invoke_without_command", True)
        super().__init__(*args, **kwargs)
        self.usage_text = usage
        self.aliases = aliases or {}
        self.params.extend(global_options())

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, normalise_args(self, ctx, args))

    def resolve_command(self, ctx: click.Context,
                        args: list[str]) -> tuple[str | None, click.Command | None, list[str]]:
        from minikctl.errors import UsageHintError

        name = self.aliases.get(args[0], args[0])
        command = self.get_command(ctx, name)
        if command is None:
            raise UsageHintError(f'unknown command "{args[0]}"', ctx=ctx)
        return name, command, args[1:]

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write((self.help or "").strip("\n") + "\n\nAvailable Commands:\n")
        for name in sorted(self.commands):
            summary = (self.commands[name].help or "").split("\n", 1)[0].rstrip(".")
            formatter.write(f"  {name:<17} {summary}\n")
        formatter.write(f"\nUsage:\n  {self.usage_text}\n\n")
        formatter.write(f'Use "{ctx.command_path} <command> --help" for more information about a '
                        f"given command.\n")
        formatter.write('Use "minikctl options" for a list of global command-line options '
                        "(applies to all commands).\n")


def kube_command(name: str, help: str, usage: str) -> Callable[[Callable[..., Any]], KubeCommand]:
    """Decorator for a verb; `help` is kubectl-style text with an Examples section."""
    decorator: Callable[[Callable[..., Any]], KubeCommand] = click.command(
        name, cls=KubeCommand, help=help, usage=usage)
    return decorator


__all__ = ["KubeCommand", "KubeGroup", "kube_command", "CONTEXT_SETTINGS", "NoOptOption",
           "option_help"]
