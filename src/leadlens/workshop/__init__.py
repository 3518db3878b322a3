"""`leadlens workshop`: the room answers on phones; the board agrees levels and actions."""

RECORD_SUFFIX = ".workshop.json"
"""The workshop's state file (its keys and the record of what its screen showed) sits beside
its responses file: ``board.csv.workshop.json`` for ``board.csv``. Here, in a package file that
imports nothing, so the light ``records`` (on every score's path) and ``published`` share it
without a cycle and without importing the server's ``security``."""
