"""What a survey screen says, as styled lines shared by the terminal and plain prompters.

Every piece of text from the question set or an earlier answer goes through
:func:`leadlens.text.wrap` or :func:`~leadlens.text.one_line`, so it is
shown literally. Styles are prompt_toolkit class names; the plain prompter ignores them.
"""

from __future__ import annotations

from leadlens.survey.flow import ReviewItem, Screen, Step
from leadlens.text import one_line, progress_bar, wrap

Line = list[tuple[str, str]]  # (style, text) fragments of one line


def progress(screen: Screen, *, unicode: bool) -> str:
    """``Question 3 of 20  [####------]`` (or ``About you: 1 of 3`` for respondent fields)."""
    step = screen.step
    fill, empty = ("█", "░") if unicode else ("#", "-")
    bar = progress_bar(screen.position, screen.steps, 20, fill=fill, empty=empty)
    percent = round(100 * screen.position / max(screen.steps, 1))
    if step.kind == "field":
        return f"About you: {step.number} of {step.total}  {bar} {percent}%"
    return f"Question {step.number} of {step.total}  {bar} {percent}%"


def review_line_label(item: ReviewItem, width: int) -> str:
    """A review line's label in ``width`` characters: the statement, shortened with "..."
    when it must be, then its hat or timepoint in brackets, always whole (``Our plans take
    account of... [System hat]``), so a two-hat or now-and-target pair never reads as two
    identical lines."""
    tag = f" [{item.variant}]" if item.variant else ""
    text = item.text or one_line(item.label)
    room = max(12, width - len(tag))
    if len(text) > room:
        text = text[:room - 3].rstrip() + "..."
    return text + tag


def variant_line(step: Step) -> str:
    """Which hat is on (or which timepoint is asked), e.g. ``Organisation hat (1 of 2): ...``."""
    variant = step.variant
    if variant is None:
        return ""
    text = f"{one_line(variant.label)} ({variant.index} of {variant.count})"
    if variant.kind == "perspective" and "hat" not in variant.label.lower():
        text = f"Wearing your {one_line(variant.label)} hat ({variant.index} of {variant.count})"
    if variant.description:
        text += f": {one_line(variant.description)}"
    return text


def head_lines(screen: Screen, width: int, *, unicode: bool, section: bool = True) -> list[Line]:
    """Banner, progress, section heading, the question and its help and hat."""
    step = screen.step
    lines: list[Line] = []
    if screen.banner:
        lines.append([("class:banner", one_line(screen.banner))])
    lines.append([("class:progress", progress(screen, unicode=unicode))])
    if section and step.section is not None:
        lines.append([("class:section", f"== {one_line(step.section.title)} ==")])
        if step.section.description:
            lines += [[("class:section-description", t)]
                      for t in wrap(step.section.description, width)]
    lines.append([])
    lines += [[("class:question", t)] for t in wrap(step.text, width)]
    if step.help:
        lines += [[("class:help", t)] for t in wrap(step.help, width, indent="  ")]
    hat = variant_line(step)
    if hat:
        lines.append([])
        lines += [[("class:hat", t)] for t in wrap(hat, width)]
        for variant, answer in screen.partners:
            lines += [[("class:help", t)] for t in
                      wrap(f"(you answered {one_line(variant.label)}: {answer})", width,
                           indent="  ")]
    lines.append([])
    return lines


def keys_hint(screen: Screen, *, plain: bool = False) -> str:
    """The one-line reminder of what can be typed on this screen."""
    step = screen.step
    parts: list[str] = []
    if step.free_text:
        parts.append("Type your answer, Enter to save" + ("" if step.required
                                                          else " (empty = skip)"))
    else:
        scored = [c.key for c in step.choices if c.scored]
        span = f"{scored[0]}-{scored[-1]}" if len(scored) > 2 else "/".join(scored)
        parts.append(f"type {span}" if plain else f"{span} or arrows + Enter")
        parts += [f"{c.key} {one_line(c.label)}" for c in step.choices if not c.scored]
    if screen.can_back:
        parts.append("b back" if not step.free_text else "back" if plain else "Esc back")
    if screen.can_skip and not step.free_text:
        parts.append("s skip")
    return " | ".join(parts)
