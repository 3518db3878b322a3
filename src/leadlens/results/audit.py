"""The disclosure audit in plain words: one wording for the results document and reports."""

from __future__ import annotations


def step_text(breakdown: str, values: list[str], figure: str, reason: str,
              min_group_size: int) -> str:
    """One disclosure step in plain words, for one or more groups (never a hidden size)."""
    comments = figure.startswith("comments:")
    small = {"group": "respondents", "overall": "have an overall score"}.get(
        figure, "commented" if comments else "have a score")
    words = {
        "small": f"fewer than {min_group_size} {small}",
        "complement": "hidden as well, so that a smaller figure cannot be worked out by "
                      "adding and subtracting published ones",
        "withheld": "no pattern of shown and hidden groups keeps every hidden figure safe, "
                    "so it is withheld for every group of the breakdown",
    }[reason]
    what = {"group": "every figure", "overall": "overall score"}.get(
        figure, f"comments on {figure[9:]!r}" if comments else f"principle {figure!r}")
    return f"{breakdown} {', '.join(map(repr, values))}: {what} not shown: {words}"
