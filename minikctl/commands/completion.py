"""`minikctl completion bash|zsh|fish`: a script that asks `minikctl __complete` (hidden) what
to offer, so the shell completes commands, flags, kinds and live object names."""

from __future__ import annotations

import click

from minikctl.command import kube_command
from minikctl.errors import UsageHintError

HELP = """Output shell completion code for the specified shell (bash, zsh, fish).

 The shell code must be evaluated to provide interactive completion of minikctl commands. It
completes commands, flags, resource kinds (from the cached discovery documents) and the names of
live objects (listed from the server as you type). This can be done by sourcing it from the
.bash_profile, .zshrc or fish configuration.

Examples:
  # Load the minikctl completion code for bash into the current shell
  source <(minikctl completion bash)

  # Write bash completion code to a file and source it from .bash_profile
  minikctl completion bash > ~/.minik/completion.bash.inc
  printf "source ~/.minik/completion.bash.inc\\n" >> ~/.bash_profile

  # Load the minikctl completion code for zsh into the current shell
  source <(minikctl completion zsh)

  # Load the minikctl completion code for fish into the current shell
  minikctl completion fish | source"""

BASH = r"""# bash completion for minikctl
_minikctl() {
    local cur="${COMP_WORDS[COMP_CWORD]}" line
    local -a words=("${COMP_WORDS[@]:1:COMP_CWORD-1}")
    COMPREPLY=()
    while IFS= read -r line; do
        COMPREPLY+=("${line%%$'\t'*}")
    done < <(minikctl __complete "${words[@]}" "$cur" 2>/dev/null)
    if [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == *[=/] ]]; then
        compopt -o nospace 2>/dev/null
    fi
}
complete -o default -F _minikctl minikctl
"""

ZSH = r"""#compdef minikctl
# zsh completion for minikctl
_minikctl() {
    local -a found offers
    local line
    found=("${(@f)$(minikctl __complete "${(@)words[2,CURRENT-1]}" "${words[CURRENT]}" 2>/dev/null)}")
    for line in $found; do
        [[ -z $line ]] && continue
        if [[ $line == *$'\t'* ]]; then
            offers+=("${${line%%$'\t'*}//:/\\:}:${line#*$'\t'}")
        else
            offers+=("${line//:/\\:}")
        fi
    done
    _describe -t minikctl 'minikctl' offers
}
if [ "$funcstack[1]" = "_minikctl" ]; then
    _minikctl "$@"
else
    compdef _minikctl minikctl
fi
"""

FISH = r"""# fish completion for minikctl
function __minikctl_complete
    set -l words (commandline -opc)
    set -e words[1]
    minikctl __complete $words (commandline -ct) 2>/dev/null
end
complete -c minikctl -f -a '(__minikctl_complete)'
"""

SCRIPTS = {"bash": BASH, "zsh": ZSH, "fish": FISH}


@kube_command("completion", help=HELP, usage="minikctl completion SHELL [options]")
@click.argument("shells", nargs=-1)
def completion(shells: tuple[str, ...]) -> None:
    if not shells:
        raise UsageHintError("Shell not specified.")
    if len(shells) > 1:
        raise UsageHintError("Too many arguments. Expected only the shell type.")
    if shells[0] not in SCRIPTS:
        raise UsageHintError(f'Unsupported shell type "{shells[0]}".')
    click.echo(SCRIPTS[shells[0]], nl=False)


@click.command("__complete", hidden=True, add_help_option=False,
               context_settings={"ignore_unknown_options": True,
                                 "allow_interspersed_args": False})
@click.argument("words", nargs=-1, type=click.UNPROCESSED)
def complete(words: tuple[str, ...]) -> None:
    """Print what may follow the given words: `candidate<TAB>description` per line."""
    from minikctl.completing import candidates

    typed = list(words) or [""]
    try:
        found = candidates(typed[:-1], typed[-1])
    except Exception:  # noqa: BLE001 - a shell asking must never see a traceback
        found = []
    for candidate, description in found:
        click.echo(f"{candidate}\t{description}" if description else candidate)
