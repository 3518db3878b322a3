"""``leadlens show``: a question set laid out for reading in a terminal."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from leadlens.questionset.model import QuestionSet


def show_question_set(qs: QuestionSet, console: Console) -> None:
    """Print the set's title, scales, principles with their questions, and other sections."""
    console.print(f"[bold]{escape(qs.title)}[/bold]  ({escape(qs.id)} {escape(qs.version)})")
    if qs.source is not None:
        console.print(f"Source: {escape(qs.source.title)}"
                      + (f", {escape(qs.source.publisher)}" if qs.source.publisher else "")
                      + (f", {qs.source.date.isoformat()}" if qs.source.date else ""))
    for scale_id, scale in qs.scales.items():
        options = ", ".join(f"{o.value} {o.label}" for o in scale.options)
        extra = f"; unscored: {', '.join(scale.unscored)}" if scale.unscored else ""
        console.print(f"Scale {escape(scale_id)}: {escape(options + extra)}")
    bands = ", ".join(f"{b.label} from {b.from_:g}" for b in qs.bands)
    console.print(f"Bands: {escape(bands)}\n")
    for principle in qs.principles:
        table = Table(title=escape(principle.name), title_justify="left", show_lines=False,
                      expand=False)
        table.add_column("id", no_wrap=True)
        table.add_column("question")
        table.add_column("scale", no_wrap=True)
        for q in qs.scored_questions(principle.id):
            flags = " (reversed)" if q.reverse else ""
            if q.perspectives or q.timepoints:
                flags += f" [{', '.join(q.perspectives or q.timepoints)}]"
            table.add_row(escape(q.id), escape(q.text + flags), escape(q.scale or ""))
        console.print(table)
    others = [q for q in qs.questions if not q.scored]
    if others:
        table = Table(title="Other questions", title_justify="left")
        table.add_column("id", no_wrap=True)
        table.add_column("question")
        table.add_column("answer", no_wrap=True)
        for q in others:
            variants = f" [{', '.join(q.timepoints or q.perspectives)}]" if (
                q.timepoints or q.perspectives) else ""
            table.add_row(escape(q.id), escape(q.text + variants),
                          escape(q.scale or "free text"))
        console.print(table)
