"""Where every input comes from: YAML and JSON loaded safely into plain data that remembers
the file, line and column of each value (question sets, answers files, mappings, results).
"""
