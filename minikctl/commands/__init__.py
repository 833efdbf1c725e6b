"""One module per verb; each exposes one click command, imported lazily by cli.COMMANDS."""
