"""What is wrong with a responses file, worded once for every reader.

A leadlens CSV and a platform export are read by different code (``cells`` and
``exports``), but the same mistake in either gets the same line: these functions make it.
"""

from __future__ import annotations

from leadlens.errors import Code, Problem

_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}


def delimiter_name(delimiter: str) -> str:
    """``comma``, ``semicolon``, ``tab``, ... for messages."""
    return _DELIMITER_NAMES.get(delimiter, repr(delimiter))


def ragged_row(file: str, line: int, found: int, expected: int, delimiter: str = ","
               ) -> Problem:
    """A record with more or fewer fields than the header."""
    name = delimiter_name(delimiter)
    return Problem(file=file, line=line,
                   message=f"row has {found} fields, expected {expected} (one per header column)",
                   hint=f"Check for a missing or extra {name}, or an unquoted {name} in text",
                   code=Code.CSV_RAGGED_ROW)


def blank_rows(file: str, count: int) -> Problem:
    """The warning for rows with no cell filled in (they are left out)."""
    rows = "row" if count == 1 else "rows"
    return Problem(file=file, severity="warning", message=f"{count} blank {rows} ignored",
                   code=Code.RESPONSES_BLANK_ROWS)


def no_header(file: str) -> Problem:
    return Problem(file=file, line=1, message="no header row: the file is empty",
                   hint="The first line names the columns: answer keys and respondent fields",
                   code=Code.FILE_EMPTY)


def duplicate_header(file: str, line: int | None, name: str, first: int, second: int
                     ) -> Problem:
    """Two columns with one name (columns counted from 1)."""
    return Problem(file=file, line=line, column=name,
                   message=f"duplicate column header (columns {first} and {second})",
                   hint="Each answer key or field may appear only once",
                   code=Code.CSV_DUPLICATE_HEADER)


def bad_quote(text: str, start_line: int, source: str, header: list[str], detail: str,
              delimiter: str = ",", first_line: int = 1) -> Problem:
    """Locate where the record starting at ``start_line`` went wrong: the opening quote.

    ``text`` is the CSV text whose first line is line ``first_line`` of the file.
    """
    offset = 0
    for _ in range(start_line - first_line):
        found = text.find("\n", offset)  # csv counts a bare CR as a line too: may run out
        if found < 0:
            break
        offset = found + 1
    position, field_index, line = offset, 0, start_line
    while position < len(text):
        char = text[position]
        if char == '"':
            opened_line = line
            cursor = position + 1
            while True:
                close = text.find('"', cursor)
                if close < 0:
                    return Problem(
                        file=source, line=opened_line, column=_name(header, field_index),
                        message="quoted field is never closed (it runs to the end of the file)",
                        hint='Close the quote, and double any quote inside quoted text ("")',
                        code=Code.CSV_UNCLOSED_QUOTE)
                if text.startswith('""', close):
                    cursor = close + 2
                    continue
                break
            line += text.count("\n", position, close)
            after = text[close + 1:close + 2]
            if after not in ("", delimiter, "\n", "\r"):
                return Problem(
                    file=source, line=opened_line, column=_name(header, field_index),
                    message=f"quoted field is closed at line {line} and followed by {after!r}",
                    hint='A quote inside quoted text must be doubled ("")',
                    code=Code.CSV_STRAY_QUOTE)
            position = close + 1
            continue
        if char == delimiter:
            field_index += 1
        elif char in "\r\n":
            break
        position += 1
    return Problem(file=source, line=start_line, message=f"not valid CSV: {detail}",
                   code=Code.CSV_INVALID)


def _name(header: list[str], index: int) -> str | None:
    return header[index].strip() if index < len(header) else None
