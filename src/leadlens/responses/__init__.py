"""The responses stage: every file of answers (leadlens CSVs, survey-platform exports,
workbooks) read into one :class:`~leadlens.responses.table.Responses`.

``cells`` reads a CSV into a located cell table, ``exports`` reads platform exports into the
same table, ``reading`` matches a cell table to a question set, ``table`` is the in-memory
result the scoring core takes, and ``layout`` is the responses-file format the survey writes.
"""
