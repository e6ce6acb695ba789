"""``python -m omnikpi`` runs the command line (the same as the ``omnikpi`` script)."""

from omnikpi.cli.main import main

main()
