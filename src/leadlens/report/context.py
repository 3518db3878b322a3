"""The template context: the results document as JSON data, plus ``report`` display values.

Templates see every top-level key of the results document (``principles``, ``groups``, ...),
the whole document again as ``results``, and ``report``: values derived for display (band
labels and colours, plain-English readings, strongest and weakest principles, charts). Nothing
here changes a number; rounding happens in the template filters.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import TYPE_CHECKING, Any, Literal

from leadlens.questionset.model import QuestionSet, shown_range
from leadlens.report import Format, measures
from leadlens.report.charts import (
    BandZone,
    Dumbbell,
    HeatCell,
    HeatRow,
    RadarAxis,
    ScoreBar,
    Segment,
    distribution_svg,
    dumbbell_narrow_svg,
    dumbbell_svg,
    heatmap_svg,
    radar_svg,
    score_bars_narrow_svg,
    score_bars_svg,
)
from leadlens.report.cover import Cover
from leadlens.report.filters import plural
from leadlens.report.pack import board_pack
from leadlens.report.palette import (
    UNSCORED_FILL,
    band_colours,
    option_colours,
    text_on,
)
from leadlens.results.display import shown_spread
from leadlens.results.document import (
    GroupBreakdown,
    ItemResult,
    PrincipleResult,
    Results,
    ResultWarning,
    TimepointResult,
    step_text,
)

if TYPE_CHECKING:  # the types only: building the view model's schema is not needed here
    from leadlens.report.view import (
        AgreedActionView,
        AgreedRowView,
        AgreedView,
        BandView,
        BreakdownView,
        CellView,
        ChartsView,
        CommentView,
        GroupView,
        ItemExtras,
        ItemView,
        LegendView,
        OptionView,
        OverallView,
        PerspectivesView,
        PrincipleExtras,
        PrincipleView,
        ReportView,
        SpreadView,
        TimepointRowView,
        TimepointsView,
    )

Data = dict[str, Any]

DONT_KNOW_FLAG = 0.10
"""A principle is flagged when at least this share of its answers were "Don't know"."""
ALPHA_FLAG = 0.6
"""Cronbach's alpha below this is flagged as low."""


def alpha_reading(alpha: float | None) -> str:
    """A plain-English reading of Cronbach's alpha."""
    if alpha is None:
        return "Not enough respondents answered every question to estimate it."
    if alpha < 0:
        return ("Negative: the questions pull in different directions. Check the flagged "
                "questions and any reverse-keyed wording.")
    if alpha < ALPHA_FLAG:
        return ("Low: the questions do not hang together well, so read this score with "
                "caution and look at the questions one by one.")
    if alpha < 0.7:
        return "Questionable: the questions only partly measure one thing."
    if alpha < 0.8:
        return "Acceptable: the questions measure one thing reasonably consistently."
    if alpha < 0.9:
        return "Good: the questions measure one thing consistently."
    return "Very high: consistent, though some questions may be asking the same thing twice."


def hidden_text(reason: str | None, min_group_size: int) -> str | None:
    """What a report shows for a hidden group figure."""
    return {None: None, "small": f"fewer than {min_group_size}",
            "complement": "withheld to protect a smaller figure",
            "withheld": "withheld"}.get(reason, "withheld")


def band_position_text(position: float | None) -> Literal["lower", "middle", "upper"] | None:
    """``lower``, ``middle`` or ``upper`` third of a band."""
    if position is None:
        return None
    if position < 1 / 3:
        return "lower"
    if position < 2 / 3:
        return "middle"
    return "upper"


def band_range_text(qs: QuestionSet, index: int) -> str:
    """The shown scores a band holds: ``40–59`` (scores are rounded down for display)."""
    return shown_range([b.from_ for b in qs.bands], index)


_GROUPED_KINDS = ("favourable", "agreement", "comments")
"""Audit steps listed one line per breakdown and reason, naming each principle or question."""


class _Builder:
    def __init__(self, results: Results, fmt: Format, title: str | None,
                 cover: Cover | None = None) -> None:
        self.results = results
        self.cover = cover
        self.qs: QuestionSet = results.question_set
        self.fmt = fmt
        self.title = title
        bands = self.qs.bands
        colours = band_colours(len(bands))
        self.bands: list[BandView] = []
        for i, band in enumerate(bands):
            end = bands[i + 1].from_ if i + 1 < len(bands) else 100.0
            self.bands.append({
                "id": band.id, "label": band.label, "from": band.from_, "to": end,
                "range_text": band_range_text(self.qs, i),
                "description": band.description, "colour": colours[i],
                "text_colour": text_on(colours[i])})
        self.band_by_id = {b["id"]: b for b in self.bands}
        self.zones = [BandZone(b["label"], b["from"], b["to"], b["colour"]) for b in self.bands]

    # -- bands -----------------------------------------------------------------------------
    def band_of(self, band_id: str | None, score: float | None) -> BandView | None:
        if band_id is not None and band_id in self.band_by_id:
            return self.band_by_id[band_id]
        if score is None:
            return None
        return self.band_by_id[self.qs.band_for(score).id]

    def position(self, band: BandView | None, score: float | None,
                 given: float | None) -> float | None:
        if given is not None:
            return given
        if band is None or score is None or band["to"] <= band["from"]:
            return None
        share = (score - float(band["from"])) / (float(band["to"]) - float(band["from"]))
        return min(max(share, 0.0), 1.0)

    # -- items -----------------------------------------------------------------------------
    def item(self, item: ItemResult) -> ItemView:
        data = item.model_dump(mode="json", by_alias=True)
        scale = self.qs.scales.get(item.scale)
        variant = None
        if item.perspective is not None:
            variant = next((p.label for p in self.qs.perspectives if p.id == item.perspective),
                           item.perspective)
        elif item.timepoint is not None:
            variant = next((t.label for t in self.qs.timepoints if t.id == item.timepoint),
                           item.timepoint)
        options: list[OptionView] = []
        legend: list[LegendView] = []
        segments: list[Segment] = []
        if scale is not None:
            forward = option_colours(len(scale.options))
            # Colour by keyed direction: on a reverse-keyed statement agreeing is unfavourable.
            colours = forward[::-1] if item.reverse else forward
            legend = [{"label": o.label, "colour": c, "dashed": False}
                      for o, c in zip(scale.options, forward, strict=True)]
            legend += [{"label": u, "colour": UNSCORED_FILL, "dashed": True}
                       for u in scale.unscored]
            for option, colour in zip(scale.options, colours, strict=True):
                count = item.counts.get(str(option.value), 0)
                options.append({"value": option.value, "label": option.label, "count": count,
                                "colour": colour, "share": None})
                segments.append(Segment(option.label, count, colour))
            for label in scale.unscored:
                count = item.counts.get(label, 0)
                options.append({"value": None, "label": label, "count": count,
                                "colour": UNSCORED_FILL, "share": None})
                segments.append(Segment(label, count, UNSCORED_FILL, dashed=True))
        total = sum(o["count"] for o in options)
        for entry in options:
            entry["share"] = entry["count"] / total if total else None
        described = ", ".join(f"{o['label']} {o['count']}" for o in options)
        question = self.qs.question_by_id.get(item.question)
        section = ""  # none: sorts with the titles (reports group questions by section)
        if question is not None and question.section in self.qs.section_by_id:
            section = self.qs.section_by_id[question.section].title
        extras: ItemExtras = {
            "section_title": section,
            "variant": variant,
            "label": item.text + (f" ({variant})" if variant else ""),
            "options": options,
            "legend": legend,
            "answered": total,
            "scale_range": scale.describe() if scale is not None else "",
            "chart": distribution_svg(segments, label=f"Answers to {item.key}: {described}"),
            "favourable_short": measures.favourable_cell(item.favourability),
            "neutral_unfavourable": measures.neutral_unfavourable(item.favourability),
        }
        data.update(extras)
        return data

    # -- principles ------------------------------------------------------------------------
    def principle(self, p: PrincipleResult) -> PrincipleView:
        data = p.model_dump(mode="json", by_alias=True)
        band = self.band_of(p.band, p.score)
        recommendation = p.recommendation
        spec = self.qs.principle_by_id.get(p.id)
        if recommendation is None and band is not None and spec is not None:
            recommendation = spec.recommendations.get(band["id"])
        items = [self.item(i) for i in p.items]
        persp_step = None
        for it in p.items:
            scale = self.qs.scales.get(it.scale)
            if it.perspective is not None and scale is not None and scale.max > scale.min:
                persp_step = 100 / (scale.max - scale.min)
                break
        position = self.position(band, p.score, p.band_position)
        extras: PrincipleExtras = {
            "band_label": band["label"] if band else None,
            "band_colour": band["colour"] if band else None,
            "band_description": band["description"] if band else "",
            "band_position": position,
            "recommendation": recommendation,
            "dont_know_flag": (p.unscored_share or 0.0) >= DONT_KNOW_FLAG,
            "alpha_reading": alpha_reading(p.alpha),
            "alpha_flag": p.alpha is not None and p.alpha < ALPHA_FLAG,
            "items": items,
            "flagged_items": [i for i in items if i["flagged"]],
            "perspective_flag": (p.perspective_gap is not None and persp_step is not None
                                 and abs(p.perspective_gap) >= persp_step),
            "perspective_step": persp_step,
            "band_position_text": band_position_text(position),
            "reliability": measures.reliability(p, alpha_reading(p.alpha)),
            "favourable_text": measures.favourable_text(p.favourability),
            "favourable_short": measures.favourable_short(p.favourability),
        }
        data.update(extras)
        return data

    # -- groups ----------------------------------------------------------------------------
    def breakdown(self, breakdown: GroupBreakdown, names: dict[str, str]) -> BreakdownView:
        n = self.results.min_group_size
        small = f"fewer than {n}"
        withheld = "withheld to protect a smaller group"
        groups: list[GroupView] = []
        rows: list[HeatRow] = []
        columns = ["Overall", *names.values()]
        for group in breakdown.groups:
            g = group.model_dump(mode="json", by_alias=True)
            by_id = {gp.id: gp for gp in group.principles}
            cells: list[CellView] = []
            heat: list[HeatCell | None] = []
            g["overall_hidden"] = hidden_text(group.overall_suppressed_reason, n)
            if group.suppressed:
                g["suppressed_text"] = small if group.suppressed_reason != "complement" \
                    else withheld
            else:
                g["suppressed_text"] = None
                band = self.band_of(group.overall_band, group.overall)
                text = self.qs.score_text(group.overall)
                heat.append(None if group.overall is None or band is None else HeatCell(
                    text, band["colour"], f"{group.value}, overall: {text} ({band['label']})"))
            for pid, pname in names.items():
                gp = by_id.get(pid)
                if group.suppressed or gp is None:
                    cells.append({"id": pid, "name": pname, "score": None, "n": None,
                                  "mean": None, "band_label": None, "colour": None,
                                  "contested": False, "hidden": None})
                    if not group.suppressed:
                        heat.append(None)
                    continue
                if gp.suppressed_reason is not None:
                    cells.append({"id": pid, "name": pname, "score": None, "n": None,
                                  "mean": None, "band_label": None, "colour": None,
                                  "contested": False,
                                  "hidden": hidden_text(gp.suppressed_reason, n)})
                    heat.append(None)
                    continue
                band = self.band_of(gp.band, gp.score)
                cells.append({"id": pid, "name": pname, "score": gp.score, "n": gp.n,
                              "mean": gp.mean, "band_label": band["label"] if band else None,
                              "colour": band["colour"] if band else None,
                              "contested": gp.contested, "hidden": None})
                if gp.score is None or band is None:
                    heat.append(None)
                else:
                    mark = "*" if gp.contested else ""
                    text = self.qs.score_text(gp.score)
                    tip = (f"{group.value}, {pname}: {text} ({band['label']}"
                           f"{', contested' if gp.contested else ''}), "
                           f"{plural(gp.n, 'respondent')}")
                    heat.append(HeatCell(text + mark, band["colour"], tip))
            g["cells"] = cells
            groups.append(g)
            rows.append(HeatRow(group.value if group.suppressed else
                                f"{group.value} (n {group.n})", heat,
                                note=g["suppressed_text"]))
        spread: list[SpreadView] = []
        cuts = [b.from_ for b in self.qs.bands]
        for s in breakdown.spread:
            spread.append({**s.model_dump(mode="json", by_alias=True),
                           "name": names.get(s.principle, s.principle),
                           "shown_spread": shown_spread(breakdown, s, cuts)})
        shown = [g for g in groups if not g["suppressed"]]
        chart = heatmap_svg(columns, rows, label=(
            f"Scores by {breakdown.prompt or breakdown.field}: {len(shown)} groups shown, "
            f"{len(groups) - len(shown)} hidden for anonymity. The table below gives the same "
            f"numbers."))
        return {"field": breakdown.field, "prompt": breakdown.prompt, "groups": groups,
                "withheld": breakdown.withheld,
                "shown": len(shown), "suppressed": len(groups) - len(shown),
                "spread": spread, "ranked": sorted(
                    (s for s in spread if s["shown_spread"]),
                    key=lambda s: -(s["shown_spread"] or 0.0)),
                "chart": chart, "agreement": measures.agreement(breakdown, names)}

    def disclosure_steps(self) -> list[str]:
        """The disclosure audit: one line per breakdown, figure and reason; a breakdown's
        hidden comments, % favourable or agreement on every question or principle in one line
        per reason (the printed report keeps to its pages)."""
        r = self.results
        if r.disclosure is None:
            return []
        lines: dict[tuple[str, str, str], list[str]] = {}
        per_kind: dict[tuple[str, str, str], dict[str, list[str]]] = {}
        texts: list[str] = []
        for step in r.disclosure.steps:
            kind, _, key = step.figure.partition(":")
            if step.breakdown is None or step.group is None:
                texts.append(step.text)
            elif key and kind in _GROUPED_KINDS:
                per_kind.setdefault((step.breakdown, kind, step.reason), {}).setdefault(
                    key, []).append(step.group)
            else:
                lines.setdefault((step.breakdown, step.figure, step.reason), []).append(
                    step.group)
        texts += [step_text(b, values, figure, reason, r.min_group_size)
                  for (b, figure, reason), values in lines.items()]
        for (b, kind, reason), by_key in sorted(per_kind.items(),
                                                key=lambda e: _GROUPED_KINDS.index(e[0][1])):
            first = step_text(b, ["X"], f"{kind}:KEY", reason, r.min_group_size)
            what, why = first.split(": ", 1)[1].split(" not shown: ", 1)
            what = what.removesuffix(" 'KEY'").removesuffix(" of principle").removesuffix(" on")
            named = "question" if kind == "comments" else "principle"
            listed = "; ".join(f"{key!r} for {', '.join(map(repr, groups))}"
                               for key, groups in by_key.items())
            texts.append(f"{b}: {what} not shown ({why}), by {named}: {listed}")
        return texts

    # -- whole report ----------------------------------------------------------------------
    def build(self) -> ReportView:
        r = self.results
        principles = [self.principle(p) for p in r.principles]
        names = {p.id: p.name for p in r.principles}
        scored = [p for p in principles if p["score"] is not None]
        strongest: list[PrincipleView] = []
        weakest: list[PrincipleView] = []
        overlap = False
        if len(scored) >= 2:
            top = max(p["score"] for p in scored)
            bottom = min(p["score"] for p in scored)
            if top > bottom:
                strongest = [p for p in scored if p["score"] == top]
                weakest = [p for p in scored if p["score"] == bottom]
                s_ci, w_ci = strongest[0]["ci95"], weakest[0]["ci95"]
                overlap = s_ci is not None and w_ci is not None and s_ci[0] <= w_ci[1]
        overall_band = self.band_of(r.overall.band, r.overall.score)
        overall: OverallView = {**r.overall.model_dump(mode="json", by_alias=True),
                   "band_label": overall_band["label"] if overall_band else None,
                   "band_colour": overall_band["colour"] if overall_band else None}
        bars = [ScoreBar("Overall", r.overall.score,
                         overall_band["colour"] if overall_band else "#ffffff",
                         r.overall.ci95, self.qs.score_text(r.overall.score), strong=True)]
        bars += [ScoreBar(p["name"], p["score"], p["band_colour"] or "#ffffff",
                          (p["ci95"][0], p["ci95"][1]) if p["ci95"] else None,
                          self.qs.score_text(p["score"])) for p in principles]
        summary = "; ".join(f"{p['name']} {self.qs.score_text(p['score'])}" for p in principles)
        charts: ChartsView = {
            "scores": score_bars_svg(bars, self.zones, label=(
                f"Scores out of 100 with 95% confidence intervals. Overall "
                f"{self.qs.score_text(r.overall.score)}; {summary}.")),
            "scores_narrow": score_bars_narrow_svg(bars, self.zones, label=(
                f"Scores out of 100 with 95% confidence intervals. Overall "
                f"{self.qs.score_text(r.overall.score)}; {summary}.")),
            "radar": radar_svg([RadarAxis(p["name"], p["score"], self.qs.score_text(p["score"]))
                                for p in principles], self.zones,
                               label=f"Radar of principle scores out of 100: {summary}.")
            if len(principles) >= 3 else None,
        }
        pack = board_pack(r, principles, self.cover)
        return {
            "title": self.title or self.qs.title,
            "format": self.fmt,
            "generated": f"{r.generated_at.day} {r.generated_at:%B %Y}",
            "source_citation": self.citation(),
            "source_files": [PurePath(s).name for s in r.sources],
            "bands": self.bands,
            "overall": overall,
            "principles": principles,
            "strongest": strongest,
            "weakest": weakest,
            "strongest_weakest_overlap": overlap,
            "breakdowns": [self.breakdown(b, names) for b in r.groups.values()],
            "disclosure_steps": self.disclosure_steps(),
            "perspectives": self.perspectives(principles),
            "timepoints": self.timepoints(),
            "other_items": [self.item(i) for i in r.items],
            "comments": self.comments(),
            "min_answered_text": self.min_answered_text(),
            "dont_know_threshold": DONT_KNOW_FLAG,
            "alpha_threshold": ALPHA_FLAG,
            "charts": charts,
            "warnings": [self.warning_text(w) for w in r.warnings],
            "organisation": pack["organisation"], "logo": pack["logo"],
            "collected": pack["collected"], "produced": pack["produced"],
            "discuss_first": pack["discuss_first"], "next_steps": pack["next_steps"],
            "icb_steps": pack["icb_steps"],
            "agreed": self.agreed(principles),
        }

    @staticmethod
    def warning_text(warning: ResultWarning) -> str:
        # A report is handed on: it names responses files without their folders.
        if warning.file is None:
            return str(warning)
        return str(warning.model_copy(update={"file": PurePath(warning.file).name}))

    def agreed(self, principles: list[PrincipleView]) -> AgreedView | None:
        """What the board agreed beside the individual answers (``score --agreed``)."""
        agreed = self.results.agreed
        if agreed is None:
            return None
        order = [b["id"] for b in self.bands]
        by_id = {p["id"]: p for p in principles}
        rows: list[AgreedRowView] = []
        actions: list[AgreedActionView] = []
        for entry in agreed.principles:
            p = by_id.get(entry.principle)
            name = p["name"] if p else entry.principle
            individual = p["band"] if p else None
            now = self.band_by_id.get(entry.current or "")
            target = self.band_by_id.get(entry.target or "")
            comparison = None
            if now is not None and individual in order:
                steps = order.index(now["id"]) - order.index(individual)
                comparison = ("the same band as the individual answers" if steps == 0 else
                              f"{plural(abs(steps), 'band')} "
                              f"{'above' if steps > 0 else 'below'} the individual answers")
            rows.append({"id": entry.principle, "name": name,
                         "score": p["score"] if p else None,
                         "band_label": p["band_label"] if p else None,
                         "contested": p["contested"] if p else False,
                         "withheld": p["withheld"] if p else None,
                         "agreed_label": now["label"] if now else None,
                         "target_label": target["label"] if target else None,
                         "comparison": comparison, "notes": entry.notes,
                         "actions": len(entry.actions)})
            for action in entry.actions:
                actions.append({"principle": name, "text": action.text, "owner": action.owner,
                                "due": action.due.isoformat() if action.due else None})
        when = agreed.agreed_at
        return {"rows": rows, "actions": actions, "source": agreed.source,
                "agreed_at": f"{when.day} {when:%B %Y}" if when else None}

    def citation(self) -> str | None:
        source = self.qs.source
        if source is None:
            return None
        parts = [source.publisher, f"\u201c{source.title}\u201d", source.author]
        if source.date is not None:
            parts.append(f"{source.date.day} {source.date:%B %Y}")
        return ", ".join(p for p in parts if p)

    def min_answered_text(self) -> str:
        value = self.qs.scoring.min_answered
        if value >= 1:
            return f"at least {plural(int(value), 'question')}"
        if value == 0.5:
            return "at least half of its questions"
        return f"at least {value:.0%} of its questions"

    def perspectives(self, principles: list[PrincipleView]) -> PerspectivesView | None:
        rows = [p for p in principles if len(p["perspectives"]) >= 2]
        if not rows:
            return None
        first = rows[0]["perspectives"][0]["label"]
        last = rows[0]["perspectives"][-1]["label"]
        bells = [Dumbbell(p["name"], p["perspectives"][0]["score"],
                          p["perspectives"][-1]["score"]) for p in rows]
        label = f"Scores out of 100 as answered with the {first} and the {last}: " + "; ".join(
            f"{p['name']} {self.qs.score_text(p['perspectives'][0]['score'])} and "
            f"{self.qs.score_text(p['perspectives'][-1]['score'])}" for p in rows) + "."
        chart, narrow = (draw(bells, domain=(0, 100), ticks=[(v, str(v)) for v in
                                                              range(0, 101, 20)],
                              start_name=first, end_name=last, label=label)
                         for draw in (dumbbell_svg, dumbbell_narrow_svg))
        return {"first": first, "last": last, "rows": rows, "chart": chart,
                "chart_narrow": narrow}

    def timepoints(self) -> TimepointsView | None:
        results = self.results.timepoints
        if not results:
            return None
        rows: list[TimepointRowView] = [t.model_dump(mode="json", by_alias=True)
                                        for t in results]
        scale = self.qs.scales.get(results[0].scale)
        first = results[0].timepoints[0].label if results[0].timepoints else "Start"
        last = results[0].timepoints[-1].label if results[0].timepoints else "End"
        ticks: list[tuple[float, str]] = []
        domain: tuple[float, float] = (0.0, 100.0)
        if scale is not None and all(t.scale == results[0].scale for t in results):
            ticks = [(float(o.value), o.label) for o in scale.options]
            domain = (float(scale.min), float(scale.max))
        for row, t in zip(rows, results, strict=True):
            q = self.qs.question_by_id.get(t.question)
            row["section"] = self.qs.section_by_id[q.section].title \
                if q is not None and q.section in self.qs.section_by_id else None
        chart = narrow = None
        if ticks:
            bells = [Dumbbell(t.text, *_ends(t)) for t in results]
            label = (f"Mean level {first} and {last} for each question; the table under What "
                     f"to do next gives the numbers.")
            chart, narrow = (draw(bells, domain=domain, ticks=ticks, start_name=first,
                                  end_name=last, label=label)
                             for draw in (dumbbell_svg, dumbbell_narrow_svg))
        return {"first": first, "last": last, "rows": rows, "chart": chart,
                "chart_narrow": narrow, "scale": scale.label if scale is not None else ""}

    def comments(self) -> list[CommentView]:
        out: list[CommentView] = []
        known = [q.id for q in self.qs.questions]
        order = sorted(self.results.comments,
                       key=lambda k: known.index(k) if k in known else len(known))
        for qid in order:
            texts = [c for c in self.results.comments[qid] if c.strip()]
            q = self.qs.question_by_id.get(qid)
            out.append({"question": qid, "text": q.text if q is not None else qid,
                        "comments": texts})
        return out


def _ends(t: TimepointResult) -> tuple[float | None, float | None]:
    """First and last mean of the same people (those who answered both), else of all."""
    if len(t.paired_means) >= 2:
        return t.paired_means[0], t.paired_means[-1]
    return (t.timepoints[0].mean, t.timepoints[-1].mean) if t.timepoints else (None, None)


def build_context(results: Results, fmt: Format, title: str | None = None,
                  cover: Cover | None = None) -> Data:
    """The template context for ``results``: the document's keys, ``results`` and ``report``.

    Its shape is :class:`leadlens.report.view.ReportContext` (published as
    ``schema/report-context.schema.json``).
    """
    data = results.model_dump(mode="json", by_alias=True)
    report = _Builder(results, fmt, (cover.title if cover else None) or title, cover).build()
    return {**data, "results": data, "report": report}
