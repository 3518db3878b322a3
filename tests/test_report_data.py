"""A hand-built results document for report tests (no test functions here).

Small but complete: three principles (one with perspectives, one with a low alpha and a
flagged item, one contested with many "Don't know"), a timepoint question, two group
breakdowns with a small and a complement-suppressed group, and comments full of markup that
must stay text. Volatile fields are fixed so golden files are stable.
"""

from __future__ import annotations

import datetime as dt
import json
from html.parser import HTMLParser
from typing import Any

from leadlens.questionset.model import QuestionSet
from leadlens.results.document import Results
from leadlens.scoring.favourable import wilson

NASTY_COMMENTS = [
    '<script>alert("owned")</script>',
    "<img src=x onerror=alert(1)> broken image",
    "[click me](javascript:alert(1)) and <a href=\"javascript:alert(2)\">this</a>",
    "| a | pipe | table |",
    "first line\nsecond line\n# not a heading\n- not a list\n1. not ordered\n===\n",
    "`code` *bold* _em_ ~~strike~~ $x^2$ &amp; back\\slash <!-- hidden -->",
    "{{ 7*7 }} {% raw %} stays literal",
    "Partners really do work together now; the stroke pathway is the proof.",
]
NASTY_GROUP = "Acme | Partners <b>Ltd</b>"
NASTY_QUESTION = "Do we <em>really</em> share data | across *all* partners?"
NASTY_PRINCIPLE = "Influence & <persuasion>"

QUESTION_SET: dict[str, Any] = {
    "schema_version": 1,
    "id": "mini-report",
    "title": "Mini systems leadership check",
    "version": "2.1.0",
    "description": "A small set for report tests.",
    "source": {"title": "Rethinking leadership styles for integrated care systems",
               "publisher": "Good Governance Institute", "author": "Aidan Rave",
               "date": dt.date(2023, 4, 28)},
    "scales": {
        "agreement": {"label": "How far do you agree?", "options": [
            {"value": 1, "label": "Strongly disagree"}, {"value": 2, "label": "Disagree"},
            {"value": 3, "label": "Neither agree nor disagree"}, {"value": 4, "label": "Agree"},
            {"value": 5, "label": "Strongly agree"}], "unscored": ["Don't know"]},
        "maturity": {"label": "Where does your system stand?", "options": [
            {"value": 0, "label": "Not started"}, {"value": 1, "label": "Early steps"},
            {"value": 2, "label": "Developing"}, {"value": 3, "label": "Established"},
            {"value": 4, "label": "Embedded"}], "unscored": ["Don't know"]},
    },
    "bands": [
        {"id": "emerging", "label": "Emerging", "from": 0.0,
         "description": "On balance respondents disagree."},
        {"id": "developing", "label": "Developing", "from": 40.0,
         "description": "Mixed or hesitant views."},
        {"id": "established", "label": "Established", "from": 60.0,
         "description": "Respondents mostly agree."},
        {"id": "embedded", "label": "Embedded", "from": 80.0,
         "description": "Strong and consistent agreement."},
    ],
    "perspectives": [{"id": "organisation", "label": "Organisation hat"},
                     {"id": "system", "label": "System hat"}],
    "timepoints": [{"id": "current", "label": "Now"}, {"id": "target", "label": "In 12 months"}],
    "principles": [
        {"id": "basics", "name": "Understanding the basics",
         "recommendations": {"emerging": "Hold a session on how partners are funded.",
                             "developing": "Pair board members across organisations.",
                             "established": "Refresh partner briefings each year.",
                             "embedded": "Share how you did it."}},
        {"id": "influencing", "name": NASTY_PRINCIPLE,
         "recommendations": {"developing": "Practise making the case | to *partners*."}},
        {"id": "narrative", "name": "The power of narrative",
         "recommendations": {"established": "Report progress through people's stories."}},
    ],
    "sections": [{"id": "icb", "title": "Questions for integrated care boards"}],
    "respondent": [{"id": "organisation", "prompt": "Which organisation do you work for?"},
                   {"id": "sector", "prompt": "Which sector?"}],
    "questions": [
        {"id": "basics-1", "principle": "basics", "scale": "agreement",
         "text": "I understand how partners are funded."},
        {"id": "basics-2", "principle": "basics", "scale": "agreement", "reverse": True,
         "text": "I know little about how our partners work."},
        {"id": "influencing-1", "principle": "influencing", "scale": "agreement",
         "text": NASTY_QUESTION},
        {"id": "influencing-2", "principle": "influencing", "scale": "agreement",
         "text": "Leaders form coalitions.", "perspectives": ["organisation", "system"]},
        {"id": "narrative-1", "principle": "narrative", "scale": "agreement",
         "text": "Our story draws on local experience."},
        {"id": "narrative-2", "principle": "narrative", "scale": "agreement",
         "text": "We use stories to build trust."},
        {"id": "icb-1", "section": "icb", "scale": "maturity",
         "timepoints": ["current", "target"],
         "text": "How far have we developed a shared vision?"},
        {"id": "story-1", "type": "text", "text": "Tell us a story about your place."},
    ],
}


def _favourability(favourable: int, neutral: int, unfavourable: int) -> dict[str, Any] | None:
    n = favourable + neutral + unfavourable
    if not n:
        return None
    return {"answers": n, "favourable": favourable / n, "neutral": neutral / n,
            "unfavourable": unfavourable / n, "favourable_ci95": wilson(favourable, n),
            "neutral_ci95": wilson(neutral, n), "unfavourable_ci95": wilson(unfavourable, n)}


def _item(key: str, question: str, text: str, principle: str | None, counts: dict[str, int],
          *, perspective: str | None = None, timepoint: str | None = None,
          scale: str = "agreement", reverse: bool = False, flagged: bool = False,
          r: float | None = 0.4) -> dict[str, Any]:
    values = {k: v for k, v in counts.items() if k.isdigit()}
    n = sum(values.values())
    unscored = sum(v for k, v in counts.items() if not k.isdigit())
    mean = sum(int(k) * v for k, v in values.items()) / n if n else None
    return {"key": key, "question": question, "text": text, "principle": principle,
            "perspective": perspective, "timepoint": timepoint, "scale": scale,
            "reverse": reverse, "n": n, "missing": 40 - n, "unscored": unscored,
            "mean": mean, "sd": 1.02 if n else None, "counts": counts,
            "item_total_r": r, "flagged": flagged,
            "alpha_if_dropped": None if r is None else round(0.8 - r / 2, 3),
            "pc1_loading": None if r is None else (-0.3 if flagged else 0.7),
            "favourability": _sides(counts, reverse) if scale == "agreement" else None}


def _sides(counts: dict[str, int], reverse: bool) -> dict[str, Any] | None:
    """Favourable: 4 and 5 (1 and 2 when reverse-keyed); unfavourable the other end."""
    top, bottom = sum(counts.get(k, 0) for k in "45"), sum(counts.get(k, 0) for k in "12")
    if reverse:
        top, bottom = bottom, top
    return _favourability(top, counts.get("3", 0), bottom)


def _principle(pid: str, name: str, score: float | None, band: str | None, *,
               items: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": pid, "name": name, "n": 38, "mean": None if score is None else 1 + score / 25,
        "sd": 0.61, "scale": "agreement", "score": score,
        "ci95": None if score is None else (score - 4.9, score + 4.9), "band": band,
        "band_position": None, "bands": {"emerging": 4, "developing": 12, "established": 15,
                                         "embedded": 7},
        "contested": False, "below_50": 0.21, "above_50": 0.66, "unscored_share": 0.03,
        "alpha": 0.78, "alpha_n": 31, "perspectives": [], "perspective_gap": None,
        "recommendation": None, "items": items}
    data.update(extra)
    alpha = data["alpha"]
    if alpha is not None:
        data.update(alpha_ci95=(alpha - 0.08, alpha + 0.05), alpha_std=alpha + 0.01,
                    average_r=0.35, g6=alpha - 0.02, omega_total=alpha + 0.02)
    sides = [i["favourability"] for i in items if i["favourability"]]
    if sides:
        total = sum(f["answers"] for f in sides)
        fav = round(sum(f["favourable"] * f["answers"] for f in sides))
        unfav = round(sum(f["unfavourable"] * f["answers"] for f in sides))
        data["favourability"] = _favourability(fav, total - fav - unfav, unfav)
    return data


def _band(score: float | None) -> str | None:
    if score is None:
        return None
    cuts = [(80, "embedded"), (60, "established"), (40, "developing"), (0, "emerging")]
    return next(band for cut, band in cuts if score >= cut)


def _group(value: str, n: int, scores: list[float | None] | None, *,
           reason: str | None = None, contested: tuple[bool, ...] = (False, False, False)
           ) -> dict[str, Any]:
    if scores is None:
        # Hidden groups carry no count, so they cannot be worked out by subtraction.
        return {"value": value, "n": None, "n_text": "fewer than 5" if reason == "small"
                else "hidden", "suppressed": True, "suppressed_reason": reason,
                "overall": None, "principles": [], "comments": {}}
    ids = ["basics", "influencing", "narrative"]
    principles = [{"id": pid, "n": n, "mean": None if s is None else 1 + s / 25, "score": s,
                   "band": _band(s), "contested": c, "sd": 0.8,
                   "ci95": None if s is None else (s - 9.5, s + 9.5),
                   "rwg_j": None if s is None else (0.42 if c else 0.81),
                   "ad_m": None if s is None else (1.1 if c else 0.6),
                   "agreement": None if s is None else ("split" if c else "agreed"),
                   "favourability": None if s is None else _favourability(
                       round(1.6 * n * s / 100), (2 * n - round(1.6 * n * s / 100)) // 3,
                       2 * n - round(1.6 * n * s / 100) - (2 * n - round(1.6 * n * s / 100)) // 3)}
                  for pid, s, c in zip(ids, scores, contested, strict=True)]
    shown = [s for s in scores if s is not None]
    return {"value": value, "n": n, "n_text": str(n), "suppressed": False,
            "suppressed_reason": None,
            "overall": sum(shown) / len(shown), "principles": principles, "comments": {}}


def sample_document() -> dict[str, Any]:
    """The results document as Python data (edit a copy to make variants)."""
    agree = {"1": 2, "2": 5, "3": 9, "4": 15, "5": 6, "Don't know": 1}
    split = {"1": 9, "2": 6, "3": 3, "4": 8, "5": 9, "Don't know": 5}
    basics_items = [
        _item("basics-1", "basics-1", "I understand how partners are funded.", "basics", agree),
        _item("basics-2", "basics-2", "I know little about how our partners work.", "basics",
              {"1": 6, "2": 14, "3": 8, "4": 7, "5": 3, "Don't know": 0}, reverse=True),
    ]
    influencing_items = [
        _item("influencing-1", "influencing-1", NASTY_QUESTION, "influencing", split),
        _item("influencing-2@organisation", "influencing-2", "Leaders form coalitions.",
              "influencing", {"1": 1, "2": 3, "3": 8, "4": 18, "5": 7}, perspective="organisation"),
        _item("influencing-2@system", "influencing-2", "Leaders form coalitions.",
              "influencing", {"1": 7, "2": 12, "3": 9, "4": 6, "5": 2, "Don't know": 2},
              perspective="system", flagged=True, r=-0.12),
    ]
    narrative_items = [
        _item("narrative-1", "narrative-1", "Our story draws on local experience.",
              "narrative", {"1": 0, "2": 2, "3": 6, "4": 19, "5": 12}),
        _item("narrative-2", "narrative-2", "We use stories to build trust.", "narrative",
              {"1": 1, "2": 3, "3": 7, "4": 17, "5": 10}),
    ]
    principles = [
        _principle("basics", "Understanding the basics", 58.4, "developing",
                   items=basics_items, band_position=0.92),
        _principle("influencing", NASTY_PRINCIPLE, 47.2, "developing", items=influencing_items,
                   contested=True, below_50=0.42, above_50=0.45, unscored_share=0.14,
                   alpha=0.41, alpha_n=22, perspective_gap=-27.5,
                   reverse_suggested=["influencing-2@system"], alpha_rekeyed=0.63,
                   perspectives=[{"id": "organisation", "label": "Organisation hat", "n": 37,
                                  "mean": 3.74, "score": 68.5, "alpha": 0.52, "alpha_n": 33,
                                  "alpha_ci95": (0.41, 0.63)},
                                 {"id": "system", "label": "System hat", "n": 36,
                                  "mean": 2.64, "score": 41.0, "alpha": None, "alpha_n": 21}]),
        _principle("narrative", "The power of narrative", 75.9, "established",
                   items=narrative_items, recommendation="Report progress through people's "
                   "stories.", alpha=0.91, alpha_n=35),
    ]
    icb_items = [
        _item("icb-1@current", "icb-1", "How far have we developed a shared vision?", None,
              {"0": 4, "1": 13, "2": 14, "3": 6, "4": 1, "Don't know": 2}, timepoint="current",
              scale="maturity", r=None),
        _item("icb-1@target", "icb-1", "How far have we developed a shared vision?", None,
              {"0": 0, "1": 1, "2": 8, "3": 20, "4": 9, "Don't know": 2}, timepoint="target",
              scale="maturity", r=None),
    ]
    organisation = [
        _group("Northbridge Hospitals NHS Foundation Trust", 14, [61.0, 44.5, 79.0],
               contested=(False, True, False)),
        _group(NASTY_GROUP, 12, [52.5, 55.0, 71.3]),
        _group("Eastvale County Council", 9, [63.2, None, 81.0]),
        _group("Riverside Voluntary Alliance", 3, None, reason="small"),
        _group("Southgate Primary Care Network", 6, None, reason="complement"),
    ]
    sector = [
        _group("NHS trust", 20, [57.0, 45.1, 76.8]),
        _group("Local authority", 20, [59.8, 49.3, 75.0], contested=(False, True, False)),
    ]
    return {
        "results_version": 2,
        "leadlens_version": "0.0.0-test",
        "generated_at": "2025-01-15T09:30:00Z",
        "sources": ["/private/path/workshop-responses.csv"],
        "question_set": QuestionSet.model_validate(QUESTION_SET).model_dump(
            mode="json", by_alias=True),
        "respondents": 40,
        "min_group_size": 5,
        "by": ["organisation", "sector"],
        "overall": {"n": 39, "score": 60.5, "sd": 11.2, "ci95": (56.9, 64.1),
                    "band": "established"},
        "principles": principles,
        "timepoints": [{"question": "icb-1", "text": "How far have we developed a shared vision?",
                        "scale": "maturity",
                        "timepoints": [{"id": "current", "label": "Now", "n": 38, "mean": 1.5,
                                        "score": 37.5},
                                       {"id": "target", "label": "In 12 months", "n": 38,
                                        "mean": 2.97, "score": 74.3}],
                        "gap": 1.47, "gap_n": 37}],
        "items": icb_items,
        "groups": {
            "organisation": {"field": "organisation",
                             "prompt": "Which organisation do you work for?",
                             "groups": organisation,
                             "spread": [{"principle": "influencing", "spread": 10.5,
                                         "lowest": "Northbridge Hospitals NHS Foundation Trust",
                                         "highest": NASTY_GROUP},
                                        {"principle": "basics", "spread": 10.7,
                                         "lowest": NASTY_GROUP,
                                         "highest": "Eastvale County Council"},
                                        {"principle": "narrative", "spread": 9.7,
                                         "lowest": NASTY_GROUP,
                                         "highest": "Eastvale County Council"}],
                             "icc": [{"principle": "basics", "groups": 3, "n": 35, "icc1": 0.08,
                                      "icc2": 0.52, "p": 0.03},
                                     {"principle": "influencing", "groups": 2, "n": 26,
                                      "icc1": 0.02, "icc2": 0.11, "p": 0.31},
                                     {"principle": "narrative", "groups": 3, "n": 35,
                                      "icc1": 0.15, "icc2": 0.7, "p": 0.0004}]},
            "sector": {"field": "sector", "prompt": "Which sector?", "groups": sector,
                       "spread": [{"principle": "influencing", "spread": 4.2,
                                   "lowest": "NHS trust", "highest": "Local authority"},
                                  {"principle": "basics", "spread": 2.8, "lowest": "NHS trust",
                                   "highest": "Local authority"},
                                  {"principle": "narrative", "spread": 1.8,
                                   "lowest": "Local authority", "highest": "NHS trust"}],
                       "icc": [{"principle": pid, "groups": 2, "n": 40, "icc1": 0.0,
                                "icc2": 0.0, "p": 0.6}
                               for pid in ("basics", "influencing", "narrative")]},
        },
        "comments": {"story-1": list(NASTY_COMMENTS)},
        "comments_withheld": None,
        "warnings": [{"code": "responses.blank-rows", "message": "2 blank rows skipped"},
                     {"code": "responses.unknown-column",
                      "message": "column 'extra' is neither a question nor a field"}],
    }


def sample_results(**changes: Any) -> Results:
    """The sample document as a validated :class:`Results`, with top-level ``changes``,
    sealed as ``leadlens score`` seals what it writes (so ``report`` keeps its breakdowns)."""
    from leadlens.results.document import sealed

    document = sample_document()
    document.update(changes)
    return sealed(Results.model_validate_json(json.dumps(document)))


class Page(HTMLParser):
    """Every element and its attributes, and the text, of an HTML document."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.texts: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        self.texts.append(data)

    @property
    def text(self) -> str:
        """All text, whitespace-normalised, with a space between elements."""
        return " ".join(" ".join(self.texts).split())

    def tags(self, name: str) -> list[dict[str, str]]:
        return [attrs for tag, attrs in self.elements if tag == name]


def assert_inert(html: str, banned: frozenset[str] = frozenset(
        {"img", "iframe", "object", "embed", "form", "em", "b"})) -> Page:
    """No script, no event handler, no javascript: URL, no element a respondent could add."""
    page = Page(html)
    assert page.tags("script") == []
    for tag, attrs in page.elements:
        for name, value in attrs.items():
            assert not name.lower().startswith("on"), (tag, name)
            squashed = "".join(value.split()).lower()
            assert not squashed.startswith(("javascript:", "vbscript:", "data:text/html")), \
                (tag, name, value)
        assert tag not in banned, tag
    # The only links are the report's own contents links.
    assert all(a.get("href", "").startswith("#") for a in page.tags("a"))
    return page
