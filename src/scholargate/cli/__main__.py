"""``python -m scholargate.cli``: the ``scholargate`` command."""

from . import main

main()
