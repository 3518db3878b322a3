"""The ``score`` command: responses files in, results document / scores CSV / table out.

Heavy libraries (numpy, polars) are imported inside the command, so ``leadlens --help``
and other commands start fast.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from leadlens.cli._app import app, run, usage_error
from leadlens.cli._console import make_console, say, warn, write_document
from leadlens.cli._options import (
    DelimiterOption,
    EncodingOption,
    ForceOption,
    Formats,
    KeepUnfinishedOption,
    MappingOption,
    QuestionSetOption,
    QuietOption,
    SheetOption,
    choose_format,
    format_option,
    is_stdout,
    output_option,
    whole_number,
)
from leadlens.cli.cover import (
    ContactOption,
    LogoOption,
    OrganisationOption,
    TitleOption,
    make_cover,
)
from leadlens.report.writers import BINARY_FORMATS, FORMAT_BY_SUFFIX, OUTPUT_WRITERS

if TYPE_CHECKING:
    from leadlens.errors import Problem
    from leadlens.responses.table import Responses
    from leadlens.source.yamltree import SourceMap

SCORE_FORMATS = Formats.of(OUTPUT_WRITERS, FORMAT_BY_SUFFIX)


@app.command(short_help="Score responses: principles, reliability, groups with anonymity.")
def score(
    responses: Annotated[list[Path], typer.Argument(
        metavar="RESPONSES...",
        help="Responses CSVs, Parquet files or survey-platform exports (.csv, .xlsx); "
        "concatenated.")],
    question_set: QuestionSetOption = None,
    by: Annotated[list[str] | None, typer.Option(
        "--by", metavar="FIELD", show_default=False,
        help="Break results down by this respondent field (repeatable).")] = None,
    output_format: Annotated[str | None, format_option(
        SCORE_FORMATS, "json (results document), csv (one row per respondent), table, html or "
        "md (reports), parquet (tidy tables), xlsx (an accessible spreadsheet), pdf (the "
        "report, printed by Chromium); default: from -o's extension, else a table on the "
        "terminal.")] = None,
    output: Annotated[Path | None, output_option(
        "Write to this file ('-': standard output).")] = None,
    force: ForceOption = False,
    strict: Annotated[bool, typer.Option(
        "--strict", help="Treat warnings about the responses as errors.")] = False,
    on_invalid: Annotated[str, typer.Option(
        "--on-invalid", metavar="error|missing", show_default=False,
        help="What to do with answers not on their scale: stop with an error (default) or "
        "count them as missing, with a warning.")] = "error",
    allow_missing_questions: Annotated[bool, typer.Option(
        "--allow-missing-questions",
        help="Score even when a question has no column (its answers count as missing, with "
        "a warning); without it, that is an error.")] = False,
    min_group_size: Annotated[int | None, typer.Option(
        "--min-group-size", metavar="N", parser=whole_number, show_default=False,
        help="Raise the question set's anonymity threshold for groups (never lower "
        "it).")] = None,
    mapping: MappingOption = None,
    encoding: EncodingOption = None,
    delimiter: DelimiterOption = None,
    keep_unfinished: KeepUnfinishedOption = False,
    sheet: SheetOption = None,
    scores_fields: Annotated[str, typer.Option(
        "--scores-fields", metavar="all|none|large", show_default=False,
        help="scores.csv only: all respondent fields and ids (default), none, or only the "
        "fields whose every group has at least min_group_size respondents. Per-respondent "
        "scores are not anonymous either way.")] = "all",
    withhold_comments: Annotated[Path | None, typer.Option(
        "--withhold-comments", metavar="FILE", show_default=False,
        help="Leave out the comments whose ids (from --list-comments) this file lists, one "
        "per line.")] = None,
    list_comments: Annotated[bool, typer.Option(
        "--list-comments", help="Print every comment with its id for the facilitator to "
        "review (never part of a report), and nothing else.")] = False,
    group_aliases: Annotated[Path | None, typer.Option(
        "--group-aliases", metavar="FILE", show_default=False,
        help="A YAML file that lists, per respondent field, each group and its other "
        "spellings; those spellings are grouped as that group.")] = None,
    quiet: QuietOption = False,
    title: TitleOption = None,
    organisation: OrganisationOption = None,
    logo: LogoOption = None,
    contact: ContactOption = None,
    agreed: Annotated[Path | None, typer.Option(
        "--agreed", metavar="FILE", dir_okay=False, show_default=False,
        help="What the board agreed in a workshop (board.agreed.yaml): adds the agreed and "
        "target bands and the actions to the results and the report.")] = None,
    workshop_record: Annotated[Path | None, typer.Option(
        "--workshop-record", metavar="FILE", dir_okay=False, show_default=False,
        help="The workshop's record of what its screen showed (board.csv.workshop.json); "
        "default: the one beside each responses file, used whenever it is there, so no "
        "figure can be subtracted from what the screen showed.")] = None,
    no_workshop_record: Annotated[bool, typer.Option(
        "--no-workshop-record", help="There was no workshop screen to check against: "
        "no record is read, and --agreed does not warn that none was found.")] = False,
) -> None:
    """Score responses: principle scores, reliability, groups with anonymity.

    Exit 0 on success, 1 for bad data (located errors on stderr), 2 for usage errors.
    """
    chosen = choose_format(SCORE_FORMATS, output_format, output, to_stdout="table")
    target = None if is_stdout(output) else output
    if target is None and chosen in BINARY_FORMATS:
        raise usage_error(f"--format {chosen}: a binary file; name it with -o FILE")
    from leadlens.cli._paths import check_paths

    if workshop_record is not None and no_workshop_record:
        raise usage_error("--workshop-record FILE or --no-workshop-record: not both")
    run(lambda: check_paths([*responses, mapping, agreed, withhold_comments, group_aliases,
                             logo, workshop_record], target, force=force))

    from leadlens.analysis.scoring import read_input, score_output
    from leadlens.questionset.loading import load_question_set
    from leadlens.scoring.options import check_score_options

    qs = run(lambda: load_question_set(question_set))
    run(lambda: check_score_options(qs, by=by or [], min_group_size=min_group_size))

    board = guard = None
    if agreed is not None:  # checked before the responses: a quick file, a quick answer
        from leadlens.workshop.agreed import load_agreed

        board = run(lambda: load_agreed(agreed, qs))
        if not quiet:
            for problem in board.warnings:
                warn(f"{problem}\n")
    if not no_workshop_record:
        from leadlens.workshop.records import workshop_guard

        # What a workshop's screen showed, whenever its record is there (with or without
        # --agreed): a principle it showed with a slightly different set of answers is held
        # back, so the two cannot be subtracted.
        guard = run(lambda: workshop_guard(qs, list(responses), min_group_size,
                                           workshop_record, always=agreed is not None))
        if guard is not None and agreed is not None and not quiet:
            for problem in guard.missing_warnings():
                warn(f"{problem}\n")

    # A bad logo: before any work.
    cover = run(lambda: make_cover(title, organisation, logo, contact))
    aliases = (run(lambda: _load_aliases(group_aliases, qs.respondent_field_ids()))
               if group_aliases else None)
    withheld = run(lambda: _withheld_ids(withhold_comments)) if withhold_comments else {}
    reading = {"min_group_size": min_group_size, "on_invalid": on_invalid, "strict": strict,
               "allow_missing_questions": allow_missing_questions, "mapping": mapping,
               "encoding": encoding, "delimiter": delimiter,
               "keep_unfinished": keep_unfinished, "sheet": sheet}
    if list_comments:
        _, data = run(lambda: read_input(responses, qs, by or [], **reading))  # type: ignore[arg-type]
        _print_comments(data)
        return
    result = run(lambda: score_output(
        responses, qs, by or [], withhold_comments=set(withheld), group_aliases=aliases,
        respondent_fields=scores_fields, hold_back=guard.responses if guard else None,
        **reading))  # type: ignore[arg-type]
    result.cover = cover
    if withheld and withhold_comments is not None and not quiet:
        _warn_unknown_ids(withhold_comments, withheld, result.responses)
    if board is not None and agreed is not None:
        from leadlens.workshop.pack import with_agreed

        result.scored.results = with_agreed(result.scored.results, board, agreed.name)
    if guard is not None:
        from leadlens.analysis.scoring import hold_back_shown

        held = hold_back_shown(result, guard, aliases)
        if held and not quiet:
            warn(f"{responses[0]}: {'--agreed: ' if agreed is not None else ''}held back "
                 f"from the {'pack' if agreed is not None else 'results'} (shown on the "
                 "workshop's screen with a slightly different set of answers; the "
                 f"disclosure audit says why): {'; '.join(held)}\n")
    results = result.results
    if not quiet:
        for warning in result.scored.terminal_warnings():
            warn(f"{warning}\n")
    if target is None and chosen == "table":
        from leadlens.report.writers import render_table

        render_table(results, make_console())
        return
    document = run(lambda: OUTPUT_WRITERS[chosen](result))
    if target is None:
        assert isinstance(document, str)  # binary formats need -o FILE (above)
        write_document(document)
        return
    from leadlens.files import write_atomic
    from leadlens.report.writers import FORMAT_NAMES, wrote_message

    run(lambda: write_atomic(target, document, force=force))
    if not quiet:
        warn(wrote_message(target, results.respondents, FORMAT_NAMES[chosen]))

def _load_aliases(path: Path, fields: list[str]) -> dict[str, dict[str, str]]:
    """A --group-aliases file: ``{field: {group: [spelling, ...]}}`` -> spelling -> group.

    Read with the question sets' YAML guard, so every problem is located (line and column).
    """
    from dataclasses import replace

    from leadlens.errors import Code, LeadlensError, Problem, did_you_mean
    from leadlens.files import read_input
    from leadlens.source.yamltree import load_yaml

    name = str(path)
    raw = read_input(path, "group-aliases file")  # regular files only, size-capped
    data, smap, found = load_yaml(raw, name)
    shape = "a mapping of respondent fields to {group: [other spellings]}"
    found = [replace(p, hint=f"Expected {shape}") if p.code == Code.FILE_EMPTY else p
             for p in found]
    if found:
        raise LeadlensError(found)

    def problem(where: tuple[str, ...], message: str, code: Code, hint: str = "",
                key: bool = False, at: tuple[str | int, ...] | None = None) -> Problem:
        line, col = smap.locate(at or where, key=key)
        return Problem(file=name, line=line, col=col, path=".".join(where), message=message,
                       hint=hint, code=code)

    if not isinstance(data, dict):
        raise LeadlensError([problem((), f"expected {shape}", Code.SCHEMA_NOT_A_MAPPING)])
    problems: list[Problem] = []
    aliases: dict[str, dict[str, str]] = {}
    for field_id, groups in data.items():
        if field_id not in fields:
            hint = " ".join(filter(None, (did_you_mean(str(field_id), fields),
                                          f"Use one of: {', '.join(fields)}")))
            problems.append(problem((field_id,), f"{field_id!r} is not a respondent field",
                                    Code.SCHEMA_UNKNOWN_KEY, hint, key=True))
            continue
        if not isinstance(groups, dict):
            problems.append(problem((field_id,), "expected {group: [other spellings]}",
                                    Code.SCHEMA_WRONG_TYPE))
            continue
        problems += _alias_problems(str(field_id), groups, aliases.setdefault(str(field_id), {}),
                                    problem, smap)
    if problems:
        raise LeadlensError(problems)
    return aliases



def _alias_problems(field_id: str, groups: dict[Any, Any], own: dict[str, str],
                    problem: Callable[..., Problem], smap: SourceMap) -> list[Problem]:
    """One field's ``{group: [spelling, ...]}`` into ``own`` (spelling -> group); a spelling
    under two groups, or one that is also a group of its own, is refused: respondents are
    grouped by the spelling's key (any case, NFC), so either would put them under a name that
    is not theirs."""
    from leadlens.errors import Code
    from leadlens.scoring.groups import group_key

    declared = {group_key(str(g)): str(g) for g in groups}
    seen: dict[str, tuple[str, int]] = {}  # spelling key -> its group and line
    problems: list[Problem] = []
    for group, spellings in groups.items():
        group = str(group)
        listed = [spellings] if isinstance(spellings, str) else spellings
        if not isinstance(listed, list) or not all(isinstance(x, str) for x in listed):
            problems.append(problem((field_id, group), "expected a list of spellings (text)",
                                    Code.SCHEMA_WRONG_TYPE))
            continue
        for n, spelling in enumerate(listed):
            key = group_key(spelling)
            at: tuple[str | int, ...] = ((field_id, group) if isinstance(spellings, str)
                                         else (field_id, group, n))
            line = smap.locate(at)[0]
            earlier = seen.get(key)
            if earlier is not None and group_key(earlier[0]) != group_key(group):
                problems.append(problem(
                    (field_id, group), f"{spelling!r} is listed under {earlier[0]!r} (line "
                    f"{earlier[1]}) and under {group!r}", Code.SCHEMA_INVALID,
                    "List each spelling under one group", at=at))
                continue
            other = declared.get(key)
            if other is not None and group_key(other) != group_key(group):
                has = groups[other]
                what = ("a group with its own aliases" if has and has != [] else
                        "a group of its own")
                problems.append(problem(
                    (field_id, other), f"{other!r} is an alias of {group!r} (line {line}) and "
                    f"also {what}", Code.SCHEMA_INVALID,
                    f"List all of these spellings under {group!r} alone, or take {other!r} "
                    f"off the list under {group!r}", key=True))
                continue
            seen[key] = (group, line)
            own[spelling] = group
    return problems


def _withheld_ids(path: Path) -> dict[str, int]:
    """A --withhold-comments file: one comment id per line (# comments and blanks ignored);
    each id with the line it is on."""
    from leadlens.errors import Code, LeadlensError, Problem
    from leadlens.files import read_input

    data = read_input(path, "comment-id list")  # regular files only, size-capped
    try:
        lines = data.decode("utf-8-sig").splitlines()
    except UnicodeDecodeError as exc:
        raise LeadlensError([Problem(
            file=str(path), line=data.count(b"\n", 0, exc.start) + 1,
            message=f"not UTF-8 text (byte 0x{data[exc.start]:02x})",
            hint="Save the file as UTF-8", code=Code.FILE_NOT_UTF8)]) from None
    ids: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        word = line.split("#", 1)[0].strip()
        if word:
            ids.setdefault(word, number)
    return ids


def _warn_unknown_ids(path: Path, ids: dict[str, int], data: Responses) -> None:
    from leadlens.scoring.breakdowns import comment_id

    known = {comment_id(key, t) for key, answers in data.texts.items() for t in answers.texts}
    for word, number in ids.items():
        if word not in known:
            warn(f"{path}:{number}: warning: no comment has the id {word!r}; see "
                 "--list-comments\n")

def _print_comments(data: Responses) -> None:
    """Every comment with its id, for the facilitator's review (never part of a report)."""
    from leadlens.scoring.breakdowns import comment_id
    from leadlens.text import one_line

    for key, answers in data.texts.items():
        for text in sorted(set(answers.texts)):
            say(f"{comment_id(key, text)}  {one_line(text)}\n")
