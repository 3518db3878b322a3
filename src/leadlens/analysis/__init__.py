"""The Python API for analysts: score files or DataFrames, read and render results.

:func:`leadlens.score` (here :func:`leadlens.analysis.scoring.score`) applies the command
line's rules, errors and results; the CLI's ``score`` command calls the same function.
"""
