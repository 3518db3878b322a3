"""The question-set stage: the format as pydantic models (``model``), its semantic checks
(``checks``), loading from a path or a bundled id with every problem located (``loading``) and
the published JSON Schemas (``schemas``).
"""
