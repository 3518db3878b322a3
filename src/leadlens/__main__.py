"""``python -m leadlens``."""

from leadlens.cli import main

main()
