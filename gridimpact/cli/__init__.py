"""The ``gridimpact`` command line (click): thin commands that parse options, call the API and map
errors to exit codes. ``main`` is the console entry point."""

from gridimpact.cli.main import cli, main

__all__ = ["cli", "main"]
