"""The results document: what ``leadlens score`` produces (``document``) and how a saved one
is read back and checked (``loading``).
"""
