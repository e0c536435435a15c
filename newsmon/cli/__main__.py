"""`python -m newsmon.cli` runs the command."""

from newsmon.cli.main import main

main()
