"""What a phone shows (issue 10 for the web workshop): the question set's introduction before
the first question with an explicit Continue, whole section descriptions where they are
instructions, labels (not internal keys) on the review page, and nothing the facilitator
sees. Participants cannot leave the survey for anything else: the facilitator's pages and
controls need the facilitator's secret, and no page links to them."""

from __future__ import annotations

import re
from pathlib import Path

from leadlens.questionset.loading import load_question_set
from leadlens.questionset.model import QuestionSet
from leadlens.workshop.app import Workshop
from workshop_support import SMALL_SET, Phone, client, csrf_of, facilitator, make_workshop

INTRODUCTION = """\
introduction: |
  This survey asks how well the partners in our system work together.

  Only the room's answers together are ever shown, never yours on their own, and only once
  at least five people have answered. Taking part is your choice.
"""

INSTRUCTION = ("Tell us anything else. Please leave out names and details that could "
               "identify a person.")


def intro_set(folder: Path) -> QuestionSet:
    text = SMALL_SET.replace('version: "1.0"\n', 'version: "1.0"\n' + INTRODUCTION, 1)
    text = text.replace("  - {id: reflections, title: Reflections}",
                        f"  - {{id: reflections, title: Reflections, description: \"First "
                        f"sentence. {INSTRUCTION}\"}}")
    path = folder / "intro.yaml"
    path.write_text(text, encoding="utf-8")
    return load_question_set(path)


def joined(w: Workshop) -> tuple[Phone, str]:
    phone = Phone(client(w), w.secrets.room)
    return phone, phone.join(past_introduction=False).text


def test_the_introduction_comes_before_the_first_question_with_a_continue(
        tmp_path: Path) -> None:
    w = make_workshop(tmp_path / "w", qs=intro_set(tmp_path))
    phone, page = joined(w)
    assert "<h1>Before you start</h1>" in page
    assert ("<p>This survey asks how well the partners in our system work together.</p>"
            in page)
    assert "<p>Only the room&#39;s answers together are ever shown, never yours on their " \
           "own, and only once at least five people have answered. Taking part is your " \
           "choice.</p>" in page
    assert 'name="step"' not in page  # no question yet
    assert phone.page().text == page  # reloading keeps it: Continue is the only way on
    shown = phone.post("intro").text
    assert 'name="step" value="organisation"' in shown
    phone.answer("Trust")
    assert "Before you start" not in phone.page().text


def test_a_set_without_an_introduction_starts_at_the_first_question(tmp_path: Path) -> None:
    from workshop_support import small_set

    w = make_workshop(tmp_path / "w", qs=small_set(tmp_path))
    _, page = joined(w)
    assert "Before you start" not in page and 'name="step" value="organisation"' in page


def test_a_resumed_participant_is_not_shown_the_introduction_again(tmp_path: Path) -> None:
    qs = intro_set(tmp_path)
    w = make_workshop(tmp_path / "w", qs=qs)
    phone, _ = joined(w)
    phone.post("intro")
    phone.answer("Trust")
    w.room.close()
    again = make_workshop(tmp_path / "w", qs=qs, resume=True)
    back = Phone(client(again), again.secrets.room)
    back.c.cookies = phone.c.cookies
    assert "Before you start" not in back.page().text
    assert back.step() is not None


def test_the_whole_section_description_is_shown_where_it_instructs(tmp_path: Path) -> None:
    w = make_workshop(tmp_path / "w", qs=intro_set(tmp_path))
    phone, _ = joined(w)
    phone.post("intro")
    seen = []
    text = phone.page().text
    for _ in range(40):
        step = phone.step(text)
        if step is None:
            break
        seen.append((step[0], text))
        value = step[1][len(step[1]) // 2] if step[1] else "Fine"
        text = phone.post("q", step=step[0], value=value, action="answer").text
    comment = next(t for k, t in seen if k == "comment-1")
    assert ('<p class="section-description">First sentence. Tell us anything else. Please '
            'leave out names and details that could identify a person.</p>') in comment
    # Not repeated on every question of a section: only its first (and free-text ones).
    second = next(t for k, t in seen if k == "c1@system")
    assert 'class="section-description"' not in second


def test_the_review_page_shows_labels_and_whole_statements(tmp_path: Path) -> None:
    qs = intro_set(tmp_path)
    long = ("We agree what the system is for and who it serves, and we use that shared "
            "purpose when we decide where the money goes.")
    qs = qs.model_copy(update={"questions": [
        q.model_copy(update={"text": long}) if q.id == "b1" else q for q in qs.questions]})
    w = make_workshop(tmp_path / "w", qs=qs)
    phone, _ = joined(w)
    phone.post("intro")
    phone.answer_all()
    page = phone.page().text
    assert "<h1>Check your answers</h1>" in page
    labels = re.findall(r'<p class="label">(.*?)</p>', page)
    assert long in labels  # whole, not cut
    assert "Hats (Organisation hat)" in labels and "Hats (System hat)" in labels
    assert "Level (Now)" in labels and "Level (In 12 months)" in labels
    shown = re.sub(r"<[^>]+>", " ", page)
    assert "@" not in shown  # no internal key (c1@system, icb-1@current) is shown
    assert 'aria-label="Change: Level (Now)"' in page


def test_nothing_the_facilitator_sees_reaches_a_phone(tmp_path: Path) -> None:
    qs = intro_set(tmp_path)
    w = make_workshop(tmp_path / "w", qs=qs)
    for _ in range(5):
        phone, _ = joined(w)
        phone.post("intro")
        phone.answer_all()
        phone.submit()
    waiting, _ = joined(w)
    waiting.post("intro")
    waiting.answer("Trust")  # unfinished: the facilitator's screen counts it
    f = facilitator(w)
    f.post("/f/reveal", data={"csrf": csrf_of(f.get("/f/").text), "unit": "principle:basics"})
    pages = [waiting.page().text]
    late, first = joined(w)
    pages += [first, late.post("intro").text]
    done = Phone(client(w), w.secrets.room)
    done.c.cookies = phone.c.cookies
    pages.append(done.page().text)
    for page in pages:
        for word in ("unfinished", "Answering", "Joined", "journal", "partial", "Reveal",
                     "out of 100", "board.csv", w.secrets.facilitator, "/f/", "/start/"):
            assert word not in page, (word, page[:400])


def test_a_phone_cannot_reach_the_facilitator_or_anything_else(tmp_path: Path) -> None:
    w = make_workshop(tmp_path / "w", qs=intro_set(tmp_path))
    phone, page = joined(w)
    c = phone.c
    for path in ("/f/", "/f/live", "/f/pack"):
        assert c.get(path).status_code == 403
    token = csrf_of(page)
    for path in ("/f/reveal", "/f/agree", "/f/finish", "/f/close", "/f/hide"):
        assert c.post(path, data={"csrf": token}).status_code == 403
    for path in ("/", "/r/", "/etc/passwd", "/r/../f/", "/assets/", "/assets/../room.py"):
        assert c.get(path).status_code in (403, 404)
    assert c.get("/start/wrong-secret").status_code == 404
