"""The command line: thin Typer commands over the workspace, one module per command group."""
