"""Waves: two or more results compared (``leadlens compare``, ``leadlens trend``).

``Results + Results -> Comparison``: pure functions on results documents, and on
per-respondent scores when a wave is given as responses files. No file access here except in
:mod:`leadlens.waves.loading`, which the CLI calls.
"""
