"""`minikctl edit`: the objects in $EDITOR, then a patch per changed object (strategic merge,
or a JSON merge patch for kinds without it), with kubectl's retry behaviour: a syntax error or
an invalid object reopens the file with the reasons on top; saving it unchanged gives up, and
says where the changes were kept."""

from __future__ import annotations

import copy
import os
from typing import Any

import click

from minikctl.command import kube_command
from minikctl.commands.create import field_validation
from minikctl.editing import (Reason, Results, content, has_lines, header, launch,
                              manual_strip, preserved)
from minikctl.errors import AggregateError, ApiError, MinikctlError
from minikctl.fetch import resolve_objects, what_of
from minikctl.flags import NoOptOption, bool_flag, filename_options
from minikctl.printing.output import ObjectPrinter
from minikctl.session import Session
from minikctl.targets import Target

HELP = """Edit a resource from the default editor.

 Opens the objects in $KUBE_EDITOR, else $EDITOR, else vi (a value with quotes or backslashes
runs through $SHELL, else /bin/bash). Several objects are edited together as one List and
patched one by one. The text is YAML, or JSON with -o json.

 When the server refuses a change as invalid, or the file does not parse, the file is opened
again with the reasons at the top; saving it unchanged gives up and says where your changes
were kept. Other failures leave the changes in a temporary file as well.

Examples:
  # Edit the service named 'registry'
  minikctl edit svc/registry

  # Use an alternative editor
  KUBE_EDITOR="nano" minikctl edit svc/registry

  # Edit the replication controller 'frontend' in JSON using the v1 API format
  minikctl edit rc/frontend -o json

  # Edit the pod 'web' status subresource
  minikctl edit pod web --subresource='status'"""

MANAGED = "managedFields"
CHANGED_IDENTITY = "At least one of apiVersion, kind and name was changed"


def _shown(obj: dict[str, Any], managed: bool) -> dict[str, Any]:
    shown = copy.deepcopy(obj)
    if not managed:
        (shown.get("metadata") or {}).pop(MANAGED, None)
    return shown


def _render(objects: list[dict[str, Any]], as_json: bool) -> str:
    doc = objects[0] if len(objects) == 1 else {"apiVersion": "v1", "items": objects,
                                                "kind": "List", "metadata": {}}
    if as_json:
        from minikctl.printing.jsonout import to_json

        return to_json(doc)
    from minikctl.printing.yamlout import to_yaml

    return to_yaml(doc)


def _patch_for(session: Session, target: Target, before: dict[str, Any],
               after: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """(the patch, its content type): strategic where the server's schema allows it."""
    res = target.resource
    openapi = session.openapi
    schema = openapi.kind_schema(res.group, res.version, res.kind)
    if schema is not None and openapi.supports_strategic_merge(res.group, res.version, res.kind):
        from minikctl.strategic import SchemaLookup, two_way_patch

        lookup = SchemaLookup(schema, openapi.schemas(res.group, res.version))
        patch = two_way_patch(before, after, lookup)
        kind = "application/strategic-merge-patch+json"
    else:
        from minikctl.jsonpatch import merge_diff

        patch, kind = merge_diff(before, after), "application/merge-patch+json"
    if any(k in patch for k in ("apiVersion", "kind", MANAGED)) or "name" in (
            patch.get("metadata") or {}):
        raise MinikctlError(CHANGED_IDENTITY)
    return patch, kind


class Editor:
    """One `edit` invocation: the objects, the options, and the passes until done."""

    def __init__(self, session: Session, objects: list[tuple[Target, dict[str, Any]]],
                 opts: dict[str, Any]) -> None:
        self.session = session
        self.objects = objects
        self.opts = opts
        self.shown = [_shown(obj, opts["show_managed_fields"]) for _, obj in objects]
        self.printer = ObjectPrinter(opts["output"], lambda text: click.echo(text, nl=False))
        self.say = click.get_text_stream("stderr").write

    def run(self) -> None:
        as_json = self.opts["output"] == "json"
        extension = ".json" if as_json else ".yaml"
        original = ("" if as_json else header([])) + _render(self.shown, as_json)
        edited, previous, reasons, retry = "", "", [], False
        while True:
            text = original if not retry else (
                ("" if as_json else header(reasons)) + manual_strip(edited))
            if self.opts["windows_line_endings"]:
                text = text.replace("\n", "\r\n")
            before = edited
            try:
                edited, path = launch(text, extension)
            except MinikctlError:
                self.say(preserved(previous))
                raise
            if retry and content(before) == content(edited):
                self.say(preserved(path))
                raise MinikctlError("Edit cancelled, no valid changes were saved.")
            if previous:
                os.remove(previous)
            failure = self._validation_failure(edited)
            if failure is not None:
                previous, reasons, retry = path, [failure], True
                continue
            if content(original) == content(edited):
                os.remove(path)
                self.say("Edit cancelled, no changes made.\n")
                return
            if not has_lines(edited):
                os.remove(path)
                self.say("Edit cancelled, saved file was empty.\n")
                return
            previous = path
            try:
                updated = self._parse(edited)
            except MinikctlError as err:
                reasons = [Reason(f"The edited file had a syntax error: {err.message}")]
                retry = True
                continue
            results = self._patch_all(updated, path)
            if results.retryable:
                self.say(f"You can run `kubectl replace -f {path}` to try this update again.\n")
                raise click.exceptions.Exit(1)
            if results.notfound:
                self.say(f'The edits you made on deleted resources have been saved to "{path}"\n')
                raise click.exceptions.Exit(1)
            if not results.invalid:
                os.remove(path)
                return
            reasons, retry = results.reasons, True

    def _validation_failure(self, text: str) -> Reason | None:
        """kubectl validates the saved text before anything else, so an emptied file is an
        invalid object (and reopens) rather than a cancelled edit."""
        if field_validation(self.opts["validate"]) == "Ignore":
            return None
        kind, value = content(text)
        problem = None
        if kind == "text":
            from minikctl.yamlin import yaml_problem

            problem = yaml_problem(value)
        elif not isinstance(value, dict):
            problem = "invalid object to validate"
        else:
            problem = next((f"{key} not set" for key in ("apiVersion", "kind")
                            if not value.get(key)), None)
        if problem is None:
            return None
        target = self.objects[0][0]
        res = target.resource
        what = f"{res.plural}.{res.group}" if res.group else res.plural
        self.say(f'error: {what} "{target.name}" is invalid\n')
        return Reason(f'{what} "{target.name}" was not valid', [
            f'<nil>: Invalid value: "The edited file failed validation": {problem}'])

    def _parse(self, text: str) -> list[dict[str, Any]]:
        from minikctl.manifests import parse_stream

        return [m.obj for m in parse_stream(text, "edited-file")]

    def _patch_all(self, updated: list[dict[str, Any]], path: str) -> Results:
        results = Results()
        for obj in updated:
            try:
                self._check_namespace(obj)
                self._patch_one(obj, results)
            except MinikctlError:
                self.say(preserved(path))
                raise
        return results

    def _check_namespace(self, obj: dict[str, Any]) -> None:
        found = str((obj.get("metadata") or {}).get("namespace") or "")
        wanted = self.session.namespace
        if found and found != wanted and any(t.resource.namespaced for t, _ in self.objects):
            raise MinikctlError(f'the namespace from the provided object "{found}" does not '
                                f'match the namespace "{wanted}". You must pass '
                                f"'--namespace={found}' to perform this operation.")

    def _patch_one(self, obj: dict[str, Any], results: Results) -> None:
        uid = (obj.get("metadata") or {}).get("uid")
        index = next((i for i, (_, o) in enumerate(self.objects)
                      if (o.get("metadata") or {}).get("uid") == uid), None)
        if index is None:
            raise MinikctlError(f"no original object found for {obj.get('kind')} "
                                f"{(obj.get('metadata') or {}).get('name')}")
        target, _ = self.objects[index]
        after = _shown(obj, self.opts["show_managed_fields"])
        if self.opts["save_config"]:
            from minikctl.applying import modified_configuration

            after = modified_configuration(after)[0]
        kind = target.resource.kind_string
        if after == self.shown[index]:
            self.printer.print_result(kind, str(target.name), "skipped", obj=obj)
            return
        patch, content_type = _patch_for(self.session, target, self.shown[index], after)
        from minikctl.printing.jsonout import to_compact_json

        if self.opts["output_patch"]:
            click.echo(f"Patch: {to_compact_json(patch)}")
        subresource = self.opts["subresource"] or None
        query = {"fieldManager": self.opts["field_manager"],
                 "fieldValidation": field_validation(self.opts["validate"])}
        try:
            answer = self.session.client.request(
                "PATCH", target.resource.path(target.namespace, target.name, subresource),
                query=query, body=to_compact_json(patch).encode(), content_type=content_type)
        except ApiError as err:
            self.say(results.add_error(err, target) + "\n")
            return
        self.printer.print_result(kind, str(target.name), "edited", obj=answer.json() or obj)


@kube_command("edit", help=HELP, usage="minikctl edit (RESOURCE/NAME | -f FILENAME) [options]")
@click.argument("args", nargs=-1)
@click.option("-o", "--output", default="", help="Output format. One of: (json, yaml).")
@bool_flag("output-patch", False, "Output the patch if the resource is edited.")
@bool_flag("windows-line-endings", False, "Defaults to the line ending native to your platform.")
@bool_flag("save-config", False, "If true, the configuration of current object will be saved in "
           "its annotation. Otherwise, the annotation will be unchanged. This flag is useful when "
           "you want to perform kubectl apply on this object in the future.")
@click.option("--validate", default="strict", cls=NoOptOption, no_opt_default="strict",
              help="Must be one of: strict (or true), warn, ignore (or false).")
@click.option("--field-manager", default="kubectl-edit", help="Name of the manager used to track "
              "field ownership.")
@click.option("--subresource", default="", help="If specified, edit will operate on the "
              "subresource of the requested object. Must be one of [status].")
@bool_flag("show-managed-fields", False, "If true, keep the managedFields when printing objects "
           "in JSON or YAML format.")
@filename_options("to use to edit the resource")
@click.pass_obj
def edit(session: Session, /, args: tuple[str, ...], filenames: tuple[str, ...],
         recursive: bool, **opts: Any) -> None:
    field_validation(opts["validate"])
    bare_type = len(args) == 1 and "/" not in args[0]
    objects, errors = resolve_objects(session, list(args), filenames, recursive, "", bare_type)
    if errors:
        raise AggregateError(errors)
    if opts["subresource"]:  # kubectl reads the subresource before it checks the name
        objects = [(t, session.client.get(t.resource.path(t.namespace, t.name,
                                                          opts["subresource"]),
                                          what=what_of("get", t))) for t, _ in objects]
    if opts["subresource"] not in ("", "status"):
        raise MinikctlError(f'invalid subresource value: "{opts["subresource"]}". Must be one of '
                            f"[status]")
    if not objects:
        raise MinikctlError("edit cancelled, no objects found")
    if opts["output"] not in ("", "yaml", "json"):
        raise MinikctlError(f'unable to match a printer suitable for the output format '
                            f'"{opts["output"]}", allowed formats are: json,kyaml,yaml')
    Editor(session, objects, opts).run()
