"""The `minikctl` entry point: the root command, lazy verbs, and the one place errors become
output and an exit code.

Verbs live in `minikctl/commands/<verb>.py` and are imported only when invoked, so `minikctl
--help` and usage errors cost little more than importing click. Every failure, whether a usage
error, an API Status, a refused connection or an unexpected exception, is rendered by
`errors.render` and exits 1 (kubectl's code); no traceback reaches the user.
"""

from __future__ import annotations

import gc
import importlib
import sys
from typing import Any

from minikctl.loading import quiet_gc

with quiet_gc():  # click and the shared modules; the verb's own module loads the same way
    import click

    from minikctl.command import CONTEXT_SETTINGS, option_help
    from minikctl.errors import PlainError, render
    from minikctl.flags import FLAGS_KEY, global_options, normalise_args

# name -> (module:attribute, summary, help section); summaries are shown without importing.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "create": ("minikctl.commands.create:create", "Create a resource from a file or from stdin",
               "Basic Commands (Beginner)"),
    "expose": ("minikctl.commands.expose:expose", "Take a replication controller, service, "
               "deployment or pod and expose it as a new Kubernetes service",
               "Basic Commands (Beginner)"),
    "run": ("minikctl.commands.run:run", "Run a particular image on the cluster",
            "Basic Commands (Beginner)"),
    "explain": ("minikctl.commands.explain:explain", "Get documentation for a resource",
                "Basic Commands (Intermediate)"),
    "get": ("minikctl.commands.get:get", "Display one or many resources",
            "Basic Commands (Intermediate)"),
    "edit": ("minikctl.commands.edit:edit", "Edit a resource on the server",
             "Basic Commands (Intermediate)"),
    "delete": ("minikctl.commands.delete:delete", "Delete resources by file names, stdin, "
               "resources and names, or by resources and label selector",
               "Basic Commands (Intermediate)"),
    "scale": ("minikctl.commands.scale:scale", "Set a new size for a deployment, replica set, or "
              "replication controller", "Deploy Commands"),
    "cluster-info": ("minikctl.commands.cluster_info:cluster_info", "Display cluster information",
                     "Cluster Management Commands"),
    "describe": ("minikctl.commands.describe:describe", "Show details of a specific resource or "
                 "group of resources", "Troubleshooting and Debugging Commands"),
    "logs": ("minikctl.commands.logs:logs", "Print the logs for a container in a pod",
             "Troubleshooting and Debugging Commands"),
    "exec": ("minikctl.commands.exec:exec_", "Execute a command in a container",
             "Troubleshooting and Debugging Commands"),
    "apply": ("minikctl.commands.apply:apply", "Apply a configuration to a resource by file name "
              "or stdin", "Advanced Commands"),
    "patch": ("minikctl.commands.patch:patch", "Update fields of a resource", "Advanced Commands"),
    "wait": ("minikctl.commands.wait:wait", "Wait for a specific condition on one or many "
             "resources", "Advanced Commands"),
    "label": ("minikctl.commands.label:label", "Update the labels on a resource",
              "Settings Commands"),
    "annotate": ("minikctl.commands.label:annotate", "Update the annotations on a resource",
                 "Settings Commands"),
    "completion": ("minikctl.commands.completion:completion", "Output shell completion code for "
                   "the specified shell (bash, zsh, or fish)", "Settings Commands"),
    "api-resources": ("minikctl.commands.api_resources:api_resources", "Print the supported API "
                      "resources on the server", "Other Commands"),
    "api-versions": ("minikctl.commands.api_resources:api_versions", "Print the supported API "
                     'versions on the server, in the form of "group/version"', "Other Commands"),
    "config": ("minikctl.commands.config:config", "Modify kubeconfig files", "Other Commands"),
    "version": ("minikctl.commands.version:version", "Print the client and server version "
                "information", "Other Commands"),
    "options": ("minikctl.commands.options:options", "Print the list of flags inherited by all "
                "commands", "Other Commands"),
}


# one example per command for the root help; each is also in that command's own help
EXAMPLES: dict[str, str] = {
    "create": "minikctl create -f redis-master-controller.yaml",
    "expose": "minikctl expose rc nginx --port=80 --target-port=8000",
    "run": "minikctl run nginx --image=nginx",
    "explain": "minikctl explain pods.spec.containers",
    "get": "minikctl get pods -w",
    "edit": "minikctl edit svc/registry",
    "delete": "minikctl delete -f rc.yaml",
    "scale": "minikctl scale rc frontend --replicas=5 --wait --timeout=2m",
    "cluster-info": "minikctl cluster-info",
    "describe": "minikctl describe nodes node-1",
    "logs": "minikctl logs rc/frontend",
    "exec": "minikctl exec mypod -- date",
    "apply": "minikctl apply -f ./pod.json",
    "patch": "minikctl patch node node-1 -p '{\"spec\":{\"unschedulable\":true}}'",
    "wait": "minikctl wait --for=condition=Ready pod/busybox1",
    "label": "minikctl label pods foo unhealthy=true",
    "annotate": "minikctl annotate pods foo description='my frontend'",
    "completion": "source <(minikctl completion bash)",
    "api-resources": "minikctl api-resources --namespaced=true",
    "api-versions": "minikctl api-versions",
    "config": "minikctl config set-context --current --namespace=shop",
    "version": "minikctl version",
    "options": "minikctl options",
}

# commands for scripts, not people: not listed, not suggested
HIDDEN = {"__complete": "minikctl.commands.completion:complete"}


def _distance(a: str, b: str) -> int:
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


def unknown_command(name: str) -> PlainError:
    """cobra's wording, suggesting commands within edit distance 2 or sharing the prefix."""
    near = [c for c in COMMANDS
            if _distance(name.lower(), c) <= 2 or c.startswith(name.lower())]
    text = f'error: unknown command "{name}" for "minikctl"'
    if near:
        text += "\n\nDid you mean this?\n" + "".join(f"\t{c}\n" for c in near)
    return PlainError(text)


def _verb_in(args: list[str], group: click.Group, ctx: click.Context) -> str | None:
    """The verb cobra would find: like its stripFlags, a flag without `=` that is not a known
    boolean takes the next argument as its value."""
    bools = {o for p in group.get_params(ctx) if isinstance(p, click.Option) and p.is_flag
             for o in p.opts + p.secondary_opts}
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg.startswith("-"):
            skip = "=" not in arg and arg not in bools and (arg.startswith("--") or len(arg) == 2)
        else:
            return arg if arg in COMMANDS else None
    return None


class LazyGroup(click.Group):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.params.extend(global_options())

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS and cmd_name not in HIDDEN:
            return None
        spec = COMMANDS[cmd_name][0] if cmd_name in COMMANDS else HIDDEN[cmd_name]
        module_name, _, attribute = spec.partition(":")
        with quiet_gc():
            module = importlib.import_module(module_name)
        command: click.Command = getattr(module, attribute)
        return command

    def resolve_command(self, ctx: click.Context,
                        args: list[str]) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0]
        command = self.get_command(ctx, name)
        if command is None:
            raise unknown_command(name)
        return name, command, args[1:]

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        given = list(args)
        try:
            return super().parse_args(ctx, normalise_args(self, ctx, args))
        except click.UsageError as err:
            # cobra finds the verb before parsing flags, so its hint names the verb
            verb = _verb_in(given, self, ctx)
            err.ctx = err.ctx or ctx
            if verb is not None:
                setattr(err, "help_path", f"minikctl {verb}")
            raise

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write("minikctl controls a minik (local Kubernetes) control plane, speaking "
                        "the Kubernetes API like kubectl.\n\n")
        sections: dict[str, list[str]] = {}
        for name, (_, summary, section) in COMMANDS.items():
            sections.setdefault(section, []).append(f"  {name:<15} {summary}\n")
        for section, lines in sections.items():
            formatter.write(f"{section}:\n" + "".join(lines) + "\n")
        formatter.write("Examples:\n" + "".join(f"  {example}\n" for example in EXAMPLES.values())
                        + "\n")
        formatter.write("Usage:\n  minikctl [flags] [options]\n\n"
                        'Use "minikctl <command> --help" for more information about a given '
                        "command.\n"
                        'Use "minikctl options" for a list of global command-line options '
                        "(applies to all commands).\n")


@click.group("minikctl", cls=LazyGroup, invoke_without_command=True,
             context_settings=CONTEXT_SETTINGS)
@click.pass_context
def root(ctx: click.Context) -> None:
    """minikctl controls a minik control plane."""
    from minikctl.session import Session

    ctx.obj = Session(ctx.meta.setdefault(FLAGS_KEY, {}))
    ctx.call_on_close(ctx.obj.close)
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())


def global_help() -> str:
    return ("The following options can be passed to any command:\n\n"
            + option_help(list(root.params), globals_only=True))


def main(argv: list[str] | None = None) -> int:
    """Run minikctl; returns the exit code (0 on success, 1 for any failure). Without `argv`
    this process is the minikctl program (console script, `python -m minikctl`)."""
    code = _run(list(sys.argv[1:] if argv is None else argv))
    if argv is None:
        # The process ends now and frees everything anyway: spare the interpreter's exit-time
        # collections a walk over every object the imports made (5-7 ms of a short run).
        gc.freeze()
    return code


def _run(args: list[str]) -> int:
    try:
        result = root.main(args=args, prog_name="minikctl", standalone_mode=False)
        return result if isinstance(result, int) else 0
    except click.exceptions.Exit as done:
        return int(done.exit_code or 0)
    except click.exceptions.Abort:
        sys.stderr.write("Aborted!\n")
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        sys.stderr.close()
        return 1
    except Exception as err:  # the one place a failure becomes text and an exit code
        if "--v=10" in args or "-v=10" in args:
            import traceback

            traceback.print_exc()
        text, code = render(err)
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            pass
        sys.stderr.write(text)
        return code


if __name__ == "__main__":
    sys.exit(main())
