"""`minikctl config`: view the merged kubeconfig and switch or adjust contexts, writing the
files back the way kubectl does (kubeconfig_edit.py)."""

from __future__ import annotations

import copy
from typing import Any

import click

from minikctl.command import KubeCommand, KubeGroup
from minikctl.errors import MinikctlError, UsageHintError
from minikctl.flags import bool_flag
from minikctl.kubeconfig_edit import (ConfigFile, chain, current_context_file, default_file,
                                      merged, owner, write)
from minikctl.printing.tabwriter import TabWriter
from minikctl.session import Session

HELP = """Modify kubeconfig files using subcommands like "minikctl config use-context my-context".

 Which files: --kubeconfig alone when given; else every file in $KUBECONFIG (a list separated
like $PATH), merged, the first file to define an entry winning; else ~/.minik/kubeconfig, which
minik-apiserver writes. A changed entry is written back to the file that defines it; a new one
goes to the first file of the list that exists (the last one when none does).

Examples:
  # Show the merged kubeconfig
  minikctl config view

  # Work in another namespace from now on
  minikctl config set-context --current --namespace=shop"""

SECRET_DATA = ("certificate-authority-data", "client-certificate-data", "client-key-data")
SECRET_TEXT = ("token", "password")


# clientcmd/api/v1's struct field order, which kubectl's JSON follows
ORDER = {
    "config": ("kind", "apiVersion", "preferences", "clusters", "users", "contexts",
               "current-context", "extensions"),
    "cluster": ("server", "tls-server-name", "insecure-skip-tls-verify", "certificate-authority",
                "certificate-authority-data", "proxy-url", "disable-compression", "extensions"),
    "user": ("client-certificate", "client-certificate-data", "client-key", "client-key-data",
             "token", "tokenFile", "as", "as-uid", "as-groups", "as-user-extra", "username",
             "password", "auth-provider", "exec", "extensions"),
    "context": ("cluster", "user", "namespace", "extensions"),
}


def _in_order(obj: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {**{k: obj[k] for k in keys if k in obj}, **{k: v for k, v in obj.items()
                                                        if k not in keys}}


def _struct_order(view: dict[str, Any]) -> dict[str, Any]:
    out = _in_order(view, ORDER["config"])
    for section, inner in (("clusters", "cluster"), ("users", "user"), ("contexts", "context")):
        out[section] = [_in_order(dict(e, **{inner: _in_order(e.get(inner) or {}, ORDER[inner])}),
                                  ("name", inner)) for e in out.get(section) or []]
    return out


def _files(session: Session) -> tuple[list[ConfigFile], bool]:
    return chain(session.flags, session.env)


def _redact(view: dict[str, Any]) -> dict[str, Any]:
    """kubectl's view without --raw: data fields DATA+OMITTED, secrets REDACTED."""
    out = copy.deepcopy(view)
    for section, inner in (("clusters", "cluster"), ("users", "user")):
        for entry in out.get(section) or []:
            body = entry.get(inner) or {}
            for key in SECRET_DATA:
                if body.get(key):
                    body[key] = "DATA+OMITTED"
            for key in SECRET_TEXT:
                if body.get(key):
                    body[key] = "REDACTED"
    return out


def _minify(view: dict[str, Any], context: str) -> dict[str, Any]:
    if not context:
        raise MinikctlError("current-context must exist in order to minify")
    ctx = next((c for c in view["contexts"] if c.get("name") == context), None)
    if ctx is None:
        raise MinikctlError(f'cannot locate context {context}')
    body = ctx.get("context") or {}
    return dict(view, contexts=[ctx],
                clusters=[c for c in view["clusters"] if c.get("name") == body.get("cluster")],
                users=[u for u in view["users"] if u.get("name") == body.get("user")])


@click.group("config", cls=KubeGroup, help=HELP, usage="minikctl config SUBCOMMAND [options]",
             aliases={"use": "use-context"})
@click.pass_context
def config(ctx: click.Context) -> None:
    if ctx.invoked_subcommand is None:  # kubectl: the help on stderr, and a failure
        click.echo(ctx.get_help(), err=True)
        ctx.exit(1)


@config.command("view", cls=KubeCommand, usage="minikctl config view [flags] [options]", help="""Display merged kubeconfig settings or a specified kubeconfig file.

 You can use --output jsonpath={...} to extract specific values using a jsonpath expression.

Examples:
  # Show merged kubeconfig settings
  minikctl config view

  # Show merged kubeconfig settings, raw certificate data, and exposed secrets
  minikctl config view --raw

  # Get the password for the e2e user
  minikctl config view -o jsonpath='{.users[?(@.name == "e2e")].user.password}'""")
@click.option("-o", "--output", default="yaml", help="Output format. One of: (json, yaml, "
              "jsonpath=...).")
@bool_flag("raw", False, "Display raw byte data and sensitive data")
@bool_flag("minify", False, "Remove all information not used by current-context from the output")
@bool_flag("flatten", False, "Flatten the resulting kubeconfig file into self-contained output "
           "(useful for creating portable kubeconfig files)")
@click.pass_obj
def view(session: Session, /, output: str, raw: bool, minify: bool, flatten: bool) -> None:
    files, _ = _files(session)
    found = merged(files)
    shown: dict[str, Any] = {"apiVersion": "v1", "clusters": found["clusters"],
                             "contexts": found["contexts"],
                             "current-context": found["current-context"], "kind": "Config",
                             "users": found["users"]}
    if minify:
        shown["current-context"] = session.flags.get("context") or shown["current-context"]
        shown = _minify(shown, str(shown["current-context"]))
    if not raw:
        shown = _redact(shown)
    write = lambda text: click.echo(text, nl=False)  # noqa: E731
    if output == "json":
        from minikctl.printing.jsonout import to_json

        write(to_json(_struct_order(shown), ordered=True))
        return
    from minikctl.printing.formats import make_printer

    make_printer(output, False, write).print(shown)


@config.command("current-context", cls=KubeCommand, usage="minikctl config current-context "
                "[options]", help="""Display the current-context.

Examples:
  # Display the current-context
  minikctl config current-context""")
@click.pass_obj
def current_context(session: Session, /) -> None:
    name = merged(_files(session)[0])["current-context"]
    if not name:
        raise MinikctlError("current-context is not set")
    click.echo(name)


@config.command("get-contexts", cls=KubeCommand, usage="minikctl config get-contexts [(-o|"
                "--output=)name)] [options]", help="""Describe one or many contexts.

Examples:
  # List all the contexts in your kubeconfig file
  minikctl config get-contexts

  # Describe one context in your kubeconfig file
  minikctl config get-contexts my-context""")
@click.argument("names", nargs=-1)
@click.option("-o", "--output", default="", help="Output format. One of: (name).")
@bool_flag("no-headers", False, "When using the default or custom-column output format, don't "
           "print headers (default print headers).")
@click.pass_obj
def get_contexts(session: Session, /, names: tuple[str, ...], output: str,
                 no_headers: bool) -> None:
    found = merged(_files(session)[0])
    contexts = {str(c.get("name")): c.get("context") or {} for c in found["contexts"]}
    if output == "name":
        for name in sorted(contexts) if not names else [n for n in names if n in contexts]:
            click.echo(name)
        return
    writer = TabWriter(lambda text: click.echo(text, nl=False))
    if not no_headers:
        writer.write("CURRENT\tNAME\tCLUSTER\tAUTHINFO\tNAMESPACE\n")
    missing = [n for n in names if n not in contexts]
    for name in sorted(contexts) if not names else [n for n in names if n in contexts]:
        body = contexts[name]
        mark = "*" if name == found["current-context"] else ""
        writer.write(f"{mark}\t{name}\t{body.get('cluster') or ''}\t{body.get('user') or ''}\t"
                     f"{body.get('namespace') or ''}\n")
    writer.flush()
    if missing:
        raise MinikctlError(f"context {missing[0]} not found")


def _names_of(session: Session, section: str, title: str) -> None:
    """Sorted names (kubectl sorts users; its cluster order is Go's random map order)."""
    click.echo(title)
    for name in sorted(str(e.get("name")) for e in merged(_files(session)[0])[section]):
        click.echo(name)


@config.command("get-clusters", cls=KubeCommand, usage="minikctl config get-clusters [options]",
                help="""Display clusters defined in the kubeconfig.

Examples:
  # List the clusters that minikctl knows about
  minikctl config get-clusters""")
@click.pass_obj
def get_clusters(session: Session, /) -> None:
    _names_of(session, "clusters", "NAME")


@config.command("get-users", cls=KubeCommand, usage="minikctl config get-users [options]",
                help="""Display users defined in the kubeconfig.

Examples:
  # List the users that minikctl knows about
  minikctl config get-users""")
@click.pass_obj
def get_users(session: Session, /) -> None:
    _names_of(session, "users", "NAME")


@config.command("use-context", cls=KubeCommand, usage="minikctl config use-context CONTEXT_NAME "
                "[options]", help="""Set the current-context in a kubeconfig file.

Examples:
  # Use the context for the minik cluster
  minikctl config use-context minik""")
@click.argument("name", required=False)
@click.pass_obj
def use_context(session: Session, /, name: str | None) -> None:
    if not name:  # kubectl prints the help, then the error
        click.echo(click.get_current_context().get_help(), nl=False)
        raise MinikctlError("Unexpected args: []")
    files, explicit = _files(session)
    if owner(files, "contexts", name) is None:
        raise MinikctlError(f'no context exists with the name: "{name}"')
    target = current_context_file(files, explicit)
    target.data["current-context"] = name
    write(target)
    click.echo(f'Switched to context "{name}".')


@config.command("set-context", cls=KubeCommand, usage="minikctl config set-context [NAME | "
                "--current] [--cluster=cluster_nickname] [--user=user_nickname] "
                "[--namespace=namespace] [options]", help="""Set a context entry in kubeconfig.

 Specifying a name that already exists will merge new fields on top of existing values for
those fields.

Examples:
  # Set the user field on the gce context entry without touching other values
  minikctl config set-context gce --user=cluster-admin

  # Change the namespace of the current context
  minikctl config set-context --current --namespace=shop""")
@click.argument("name", required=False)
@bool_flag("current", False, "Modify the current context")
@click.pass_obj
def set_context(session: Session, /, name: str | None, current: bool) -> None:
    files, explicit = _files(session)
    if current and name:
        raise MinikctlError("you cannot specify both a context name and --current")
    if current:
        name = merged(files)["current-context"]
        if not name:
            raise MinikctlError("no current context is set")
    if not name:
        raise UsageHintError("Unexpected args: []")
    holder = owner(files, "contexts", name)
    target = holder or default_file(files, explicit)
    entries = target.data.setdefault("contexts", [])
    entry = next((e for e in entries if str(e.get("name")) == name), None)
    if entry is None:
        entry = {"name": name, "context": {}}
        entries.append(entry)
    body = entry.setdefault("context", {})
    for key, flag in (("cluster", "cluster"), ("user", "user"), ("namespace", "namespace")):
        if session.flags.get(flag) is not None:
            body[key] = session.flags[flag]
    write(target)
    click.echo(f'Context "{name}" {"modified" if holder else "created"}.')
