"""``python -m gridimpact`` runs the command line."""

from gridimpact.cli import main

main()
