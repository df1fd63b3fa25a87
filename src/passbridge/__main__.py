"""`python -m passbridge` runs the command-line interface."""

from passbridge.cli.app import main

main()
