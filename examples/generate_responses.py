"""Write examples/responses.csv: synthetic but realistic answers to the bundled question set.

Run from anywhere; it is deterministic (fixed seed), so running it again reproduces the
committed CSV byte for byte::

    python examples/generate_responses.py [--output PATH] [--question-set PATH]

The question ids and answer keys are read from the question-set YAML, so the CSV follows the
set when questions are added or removed. What the synthetic data is built to show:

* eight fictional organisations across the sectors, each with its own view of each principle,
  so group breakdowns differ; two of them have fewer than five respondents (anonymity);
* statements answered from one underlying view per principle, reverse-keyed statements
  answered the opposite way, so reliability (Cronbach's alpha) comes out in a normal range;
* one contested principle ("complexity"): the room splits into two camps, whatever the
  organisation, so a middling average hides a divided room;
* the system hat trailing the organisation hat on questions with both perspectives;
* maturity questions where the 12-month target is mostly above the current level;
* some "Don't know" answers (more on understanding the basics, and on the integrated care
  board questions among partners further from the board), blank answers, one respondent who
  stopped part-way, and free-text stories and comments with commas, quotes, line breaks,
  a pound sign and HTML-like text.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
DEFAULT_QUESTION_SET = HERE.parent / "question_sets" / "ggi-systems-leadership.yaml"
DEFAULT_OUTPUT = HERE / "responses.csv"
SEED = 20230428  # the article's date

# Each organisation: sector, respondents, roles they hold (with weights), its underlying view
# of each principle on the 1-5 agreement scale, the chance its people join the "stability"
# camp on the contested principle, how far along it thinks the ICB questions are (0-4), and
# how often its people answer "Don't know" to the ICB questions (distance from the board).
ORGANISATIONS: list[dict[str, Any]] = [
    {
        "name": "Northbridge Hospitals NHS Foundation Trust",
        "sector": "NHS trust",
        "size": 12,
        "roles": {"Board member (executive)": 3, "Board member (non-executive)": 2,
                  "Clinical leader": 3, "Senior leader": 2, "Manager": 2},
        "views": {"basics": 2.7, "context": 3.3, "influencing": 2.6, "adaptive": 3.1,
                  "narrative": 2.8},
        "stability_camp": 0.65,
        "icb_level": 1.4,
        "icb_dont_know": 0.04,
    },
    {
        "name": "North Riverside ICB",
        "sector": "Integrated care board",
        "size": 11,
        "roles": {"Board member (executive)": 4, "Board member (non-executive)": 3,
                  "Senior leader": 3, "Manager": 1},
        "views": {"basics": 3.6, "context": 4.0, "influencing": 3.5, "adaptive": 3.4,
                  "narrative": 3.8},
        "stability_camp": 0.35,
        "icb_level": 2.1,
        "icb_dont_know": 0.0,
    },
    {
        "name": "Riverside Metropolitan Borough Council",
        "sector": "Local authority",
        "size": 9,
        "roles": {"Elected member": 3, "Senior leader": 3, "Manager": 2,
                  "Board member (executive)": 1},
        "views": {"basics": 3.1, "context": 3.9, "influencing": 3.8, "adaptive": 3.3,
                  "narrative": 3.9},
        "stability_camp": 0.4,
        "icb_level": 1.6,
        "icb_dont_know": 0.06,
    },
    {
        "name": "North Riverside Community Health NHS Trust",
        "sector": "NHS trust",
        "size": 7,
        "roles": {"Board member (executive)": 2, "Board member (non-executive)": 1,
                  "Clinical leader": 2, "Manager": 2},
        "views": {"basics": 3.4, "context": 3.4, "influencing": 3.2, "adaptive": 3.6,
                  "narrative": 3.3},
        "stability_camp": 0.5,
        "icb_level": 1.7,
        "icb_dont_know": 0.05,
    },
    {
        "name": "Northern Counties Ambulance Service NHS Foundation Trust",
        "sector": "Ambulance service",
        "size": 6,
        "roles": {"Board member (executive)": 2, "Clinical leader": 2, "Senior leader": 1,
                  "Manager": 1},
        "views": {"basics": 2.4, "context": 3.0, "influencing": 2.9, "adaptive": 4.0,
                  "narrative": 2.9},
        "stability_camp": 0.55,
        "icb_level": 1.2,
        "icb_dont_know": 0.08,
    },
    {
        "name": "Riverside Central GP Federation",
        "sector": "Primary care",
        "size": 8,
        "roles": {"Clinical leader": 4, "Manager": 3, "Senior leader": 1},
        "views": {"basics": 2.6, "context": 2.9, "influencing": 3.0, "adaptive": 3.7,
                  "narrative": 3.2},
        "stability_camp": 0.6,
        "icb_level": 1.0,
        "icb_dont_know": 0.12,
    },
    {
        "name": "Riverside Voluntary Action Alliance",
        "sector": "Voluntary and community sector",
        "size": 4,
        "roles": {"Senior leader": 2, "Board member (non-executive)": 1, "Manager": 1},
        "views": {"basics": 2.3, "context": 3.5, "influencing": 3.4, "adaptive": 3.8,
                  "narrative": 4.2},
        "stability_camp": 0.25,
        "icb_level": 0.9,
        "icb_dont_know": 0.2,
    },
    {
        "name": "Brookfield Care Partnership",
        "sector": "Adult social care",
        "size": 3,
        "roles": {"Senior leader": 1, "Manager": 2},
        "views": {"basics": 2.5, "context": 3.1, "influencing": 2.7, "adaptive": 3.5,
                  "narrative": 3.0},
        "stability_camp": 0.5,
        "icb_level": 0.8,
        "icb_dont_know": 0.2,
    },
]

DEFAULT_VIEW = 3.2  # for a principle added to the set later
CONTESTED = "complexity"  # the principle on which the room splits into two camps
CAMP_VIEWS = (2.3, 3.8)  # "we need stability first" camp, "work with complexity" camp
PERSPECTIVE_STEP = 0.7  # each later perspective (the system hat) trails the first by this
DONT_KNOW = {"basics": 0.07}  # share of "Don't know" per principle; others use the default
DONT_KNOW_DEFAULT = 0.015
MISREAD_REVERSED = 0.06  # share of people who answer reversed statements the wrong way round
BLANK = 0.012  # share of rated answers simply left blank
TEXT_SHARE = {"story-1": 0.25, "story-2": 0.2, "comment-1": 0.2}  # share who write something
TEXT_SHARE_DEFAULT = 0.15

# Free-text answers. Some deliberately hold commas, quotes, a line break, a pound sign and
# HTML-like text, so every report and export is exercised on awkward but harmless text.
TEXTS: dict[str, list[str]] = {
    "story-1": [
        "When the river flooded in 2021, the council, the ambulance service and local "
        "charities set up a joint rest centre within hours. Nobody asked whose budget it was.",
        'Our "discharge to assess" pilot only worked because social workers and ward staff '
        "sat in the same room, every morning, for six months.",
        "A GP, a housing officer and a food bank volunteer spotted the same family at risk.\n"
        "Between them they sorted it in a week; on our own it would have taken months.",
        "The frailty hub: community nurses, paramedics and care home managers sharing one "
        "phone line. Admissions from care homes fell, and staff say they trust each other now.",
        "Winter 2022: we pooled £2m across partners for extra home care, and it was agreed in "
        "one meeting rather than five.",
        "Honestly, I struggle to think of one. Most joint work I have seen stops when the "
        "funding does.",
    ],
    "story-2": [
        "That people here live longer, healthier lives, and that the gap between our richest "
        "and poorest neighbourhoods has narrowed.",
        "That you could walk into any service and be helped, without being passed around.",
        'That "the system" stopped being a phrase in board papers and became something '
        "residents could see.",
        "That we kept going when the next reorganisation came.",
        "That young people chose to train and stay here, in health and care jobs.",
    ],
    "comment-1": [
        "Some of the statements assume I sit on a board; I don't, so I answered from what I "
        "see in my team.",
        "Please make sure the <b>voluntary sector</b> is in the room when the results are "
        "discussed, not just told about them afterwards.",
        "The questions about regulators were hard to answer, which probably says something.",
        "We talk about 'place' a lot, but nobody has defined it. Is it the borough, the "
        "neighbourhood or the ICS?",
        "Good survey, but a bit long.\nCould we do it again in a year to see what has changed?",
        "I answered the ICB questions as best I could, but I rarely see what the board decides.",
    ],
}
GENERIC_TEXTS = [
    "Nothing to add.",
    "See my earlier answers, which say most of it.",
    "Happy to talk this through at the workshop.",
]

START = dt.datetime(2024, 3, 4, tzinfo=dt.UTC)  # a Monday: the survey opened
SURVEY_DAYS = 12
# Most people answer in working hours on weekdays; a few in the evening or at the weekend.
DAY_WEIGHTS = [0.15 if (START + dt.timedelta(days=d)).weekday() >= 5 else 1.0
               for d in range(SURVEY_DAYS)]
HOUR_WEIGHTS = [0, 0, 0, 0, 0, 0, 0.2, 0.6, 1.5, 2, 2, 1.5, 2, 2, 1.5, 1.5, 1.5, 1, 0.6, 0.6,
                0.8, 0.6, 0.3, 0.1]


def read_question_set(path: Path) -> dict[str, Any]:
    """Read the question-set YAML as plain data."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise SystemExit(f"{path}: not a question set")
    return data


def answer_keys(question: dict[str, Any]) -> list[str]:
    """``id``, or ``id@perspective`` / ``id@timepoint`` (as leadlens names answer columns)."""
    variants = question.get("perspectives") or question.get("timepoints") or []
    if not variants:
        return [question["id"]]
    return [f"{question['id']}@{v}" for v in variants]


def header(question_set: dict[str, Any]) -> list[str]:
    """The CSV header: ids, timestamps, respondent fields, then every answer key in order."""
    fields = [f["id"] for f in question_set.get("respondent", [])]
    keys = [k for q in question_set["questions"] for k in answer_keys(q)]
    return ["respondent_id", "submitted_at", *fields, *keys]


def _clip_round(x: float, low: int, high: int) -> int:
    return max(low, min(high, round(x)))


def _scale_bounds(scale: dict[str, Any]) -> tuple[int, int]:
    values = [o["value"] for o in scale["options"]]
    return min(values), max(values)


def _on_scale(view: float, low: int, high: int) -> float:
    """Map a view on the 1-5 agreement range onto a scale's own range."""
    return low + (view - 1) / 4 * (high - low)


def _respondent(rng: random.Random, qs: dict[str, Any], org: dict[str, Any],
                item_offsets: dict[str, float], texts: dict[str, list[str]]) -> dict[str, str]:
    """One respondent's row (without id and timestamp)."""
    row: dict[str, str] = {}
    for field in qs.get("respondent", []):
        fid = field["id"]
        if fid == "organisation":
            row[fid] = org["name"]
        elif fid == "sector":
            row[fid] = org["sector"]
        elif fid == "role":
            roles = list(org["roles"])
            row[fid] = rng.choices(roles, weights=[org["roles"][r] for r in roles])[0]
        else:
            row[fid] = ""

    # One underlying view per principle: the organisation's, plus a general leaning of this
    # person, plus their own difference. On the contested principle the camp decides.
    leaning = rng.gauss(0, 0.25)
    acquiescence = rng.gauss(0, 0.12)  # some people tick "agree" a little more readily
    # A few people miss that a statement is reversed and answer it like the others.
    misreads = rng.random() < MISREAD_REVERSED
    views: dict[str, float] = {}
    for principle in qs["principles"]:
        pid = principle["id"]
        if pid == CONTESTED:
            camp = 0 if rng.random() < org["stability_camp"] else 1
            views[pid] = CAMP_VIEWS[camp] + rng.gauss(0, 0.3)
        else:
            views[pid] = org["views"].get(pid, DEFAULT_VIEW) + leaning + rng.gauss(0, 0.4)
    icb_view = org["icb_level"] + rng.gauss(0, 0.5)

    for q in qs["questions"]:
        keys = answer_keys(q)
        if q.get("type", "rating") == "text":
            # Each text is written once: drawn from a shuffled pool until it runs out.
            pool = texts[q["id"]]
            share = TEXT_SHARE.get(q["id"], TEXT_SHARE_DEFAULT)
            row[q["id"]] = pool.pop() if pool and rng.random() < share else ""
            continue
        scale = qs["scales"][q["scale"]]
        low, high = _scale_bounds(scale)
        unscored = scale.get("unscored") or []
        principle = q.get("principle")
        if principle is not None:
            dont_know = DONT_KNOW.get(principle, DONT_KNOW_DEFAULT)
            reverse = bool(q.get("reverse", False)) and not misreads
            values = _rated_values(rng, reverse, keys, views[principle] + item_offsets[q["id"]],
                                   acquiescence, low, high)
        else:
            dont_know = org["icb_dont_know"]
            values = _maturity_values(rng, keys, icb_view + item_offsets[q["id"]], low, high)
        for key, value in zip(keys, values, strict=True):
            roll = rng.random()
            if unscored and roll < dont_know:
                row[key] = unscored[0]
            elif roll < dont_know + BLANK:
                row[key] = ""
            else:
                row[key] = str(value)
    return row


def _rated_values(rng: random.Random, reverse: bool, keys: list[str], view: float,
                  acquiescence: float, low: int, high: int) -> list[int]:
    """Answers to a principle statement, once per perspective; the later hats trail."""
    values = []
    spread = PERSPECTIVE_STEP * (len(keys) - 1) / 2
    for i, _key in enumerate(keys):
        agreement = view + spread - PERSPECTIVE_STEP * i + rng.gauss(0, 0.65)
        if reverse:
            agreement = 6 - agreement  # a plain opposite statement: agreeing means less of it
        values.append(_clip_round(_on_scale(agreement + acquiescence, low, high), low, high))
    return values


def _maturity_values(rng: random.Random, keys: list[str], level: float, low: int,
                     high: int) -> list[int]:
    """Current level, then a target that is mostly higher (first timepoint = now)."""
    current = _clip_round(level + rng.gauss(0, 0.5), low, high - 1)
    values = [current]
    for _key in keys[1:]:
        step = rng.choices([-1, 0, 1, 2, 3], weights=[2, 10, 48, 33, 7])[0]
        current = _clip_round(current + step, low, high)
        values.append(current)
    return values


def generate(qs: dict[str, Any], seed: int = SEED) -> list[dict[str, str]]:
    """All rows, in order of submission, with ids R001, R002, ... in that order."""
    rng = random.Random(seed)
    # Statements differ a little in how easy they are to agree with.
    item_offsets = {q["id"]: rng.gauss(0, 0.2) for q in qs["questions"]}
    texts = {q["id"]: rng.sample(TEXTS.get(q["id"], GENERIC_TEXTS),
                                 len(TEXTS.get(q["id"], GENERIC_TEXTS)))
             for q in qs["questions"] if q.get("type") == "text"}
    dated: list[tuple[dt.datetime, dict[str, str]]] = []
    for org in ORGANISATIONS:
        for _ in range(org["size"]):
            row = _respondent(rng, qs, org, item_offsets, texts)
            day = rng.choices(range(SURVEY_DAYS), weights=DAY_WEIGHTS)[0]
            hour = rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
            when = START + dt.timedelta(days=day, hours=hour, seconds=rng.randrange(3600))
            dated.append((when, row))
    _stop_part_way(rng, qs, dated[rng.randrange(len(dated))][1])
    dated.sort(key=lambda pair: pair[0])
    rows = []
    for number, (when, row) in enumerate(dated, start=1):
        rows.append({"respondent_id": f"R{number:03d}", "submitted_at": when.isoformat(),
                     **row})
    return rows


def _stop_part_way(rng: random.Random, qs: dict[str, Any], row: dict[str, str]) -> None:
    """Blank everything after a point in the middle of the survey (a dropped-out respondent)."""
    keys = [k for q in qs["questions"] for k in answer_keys(q)]
    for key in keys[rng.randrange(len(keys) // 3, len(keys) // 2):]:
        row[key] = ""


def write_csv(rows: list[dict[str, str]], columns: list[str], path: Path) -> None:
    """UTF-8, header first, ``\\n`` line endings; fields with commas, quotes or newlines quoted."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT,
                        help="where to write the CSV (default: examples/responses.csv)")
    parser.add_argument("--question-set", type=Path, default=DEFAULT_QUESTION_SET,
                        help="the question-set YAML (default: the bundled set)")
    args = parser.parse_args(argv)
    qs = read_question_set(args.question_set)
    write_csv(generate(qs), header(qs), args.output)


if __name__ == "__main__":
    main()
