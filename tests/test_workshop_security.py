"""The workshop server's security rules, each tried as an attacker on the room's network would."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from leadlens.workshop.app import Workshop, build_app
from leadlens.workshop.security import ROOM_CODE_LENGTH, Guard, Limits, new_room_code
from leadlens.workshop.server import addresses, bind
from workshop_support import Phone, client, csrf_of, facilitator, make_workshop, small_set


@pytest.fixture
def workshop(tmp_path: Path) -> Workshop:
    return make_workshop(tmp_path)


def test_room_codes_and_secrets_are_random_and_long(tmp_path: Path) -> None:
    codes = {new_room_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(c) == ROOM_CODE_LENGTH for c in codes)
    first = make_workshop(tmp_path / "a").secrets
    second = make_workshop(tmp_path / "b").secrets
    assert first.room != second.room and first.facilitator != second.facilitator
    assert len(first.facilitator) >= 32 and first.key != second.key
    state = tmp_path / "a" / "board.csv.workshop.json"
    assert state.stat().st_mode & 0o777 == 0o600  # the secrets file is the owner's only


def test_wrong_room_code_is_not_found_and_repeated_guesses_lock_the_client_out(
        tmp_path: Path) -> None:
    w = make_workshop(tmp_path, limits=Limits(rate=1000, burst=1000, max_failures=5))
    c = client(w)
    assert c.get(f"/r/{w.secrets.room}").status_code == 200
    for _ in range(4):
        assert c.get("/r/aaaaaaaaaaaa").status_code == 404
    wrong = w.secrets.room[:-1] + ("y" if w.secrets.room.endswith("x") else "x")
    assert c.get(f"/r/{wrong}").status_code == 404  # fifth failure
    locked = c.get(f"/r/{w.secrets.room}")
    assert locked.status_code == 429 and int(locked.headers["retry-after"]) >= 1


def test_facilitator_pages_refuse_participants_and_strangers(workshop: Workshop) -> None:
    phone = Phone(client(workshop), workshop.secrets.room)
    phone.join()
    for path in ("/f/", "/f/live", "/f/pack"):
        page = phone.c.get(path)
        assert page.status_code == 403, path
        assert "for the facilitator" in page.text
    token = csrf_of(phone.page().text)
    for path in ("/f/reveal", "/f/hide", "/f/agree", "/f/action", "/f/action/remove",
                 "/f/finish"):
        answer = phone.c.post(path, data={"csrf": token, "unit": "principle:basics",
                                          "principle": "basics", "current": "embedded"})
        assert answer.status_code == 403, path
    assert not workshop.agreed_path.exists()
    assert phone.c.get("/start/not-the-secret").status_code == 404
    # A forged cookie is no better than none.
    forged = client(workshop)
    forged.cookies.set("ll_facilitator", "guess", path="/f")
    assert forged.get("/f/").status_code == 403


def test_the_facilitator_secret_leaves_the_address_bar(workshop: Workshop) -> None:
    c = client(workshop)
    page = c.get(f"/start/{workshop.secrets.facilitator}")
    assert page.status_code == 200
    assert str(page.url).endswith("/f/")
    assert workshop.secrets.facilitator not in page.text  # nothing on the projector shows it


def test_forms_without_the_csrf_token_or_from_another_site_are_refused(
        workshop: Workshop) -> None:
    phone = Phone(client(workshop), workshop.secrets.room)
    room = workshop.secrets.room
    assert phone.c.post(f"/r/{room}/join", data={}).status_code == 403
    assert phone.c.post(f"/r/{room}/join", data={"csrf": "made-up"}).status_code == 403
    token = csrf_of(phone.c.get(f"/r/{room}").text)
    cross = phone.c.post(f"/r/{room}/join", data={"csrf": token},
                         headers={"origin": "http://evil.example"})
    assert cross.status_code == 403 and "another site" in cross.text
    sandboxed = phone.c.post(f"/r/{room}/join", data={"csrf": token}, headers={"origin": "null"})
    assert sandboxed.status_code == 403
    assert workshop.room.progress().joined == 0
    assert phone.join().status_code == 200
    assert workshop.room.progress().joined == 1
    f = facilitator(workshop)
    refused = f.post("/f/agree", data={"principle": "basics", "current": "embedded"})
    assert refused.status_code == 403
    assert not workshop.agreed_path.exists()


def test_request_bodies_are_capped(workshop: Workshop) -> None:
    c = client(workshop)
    room = workshop.secrets.room
    big = {"csrf": "x", "value": "a" * (workshop.limits.max_body + 10)}
    assert c.post(f"/r/{room}/q", data=big).status_code == 413

    def chunks() -> object:
        for _ in range(40):
            yield b"a" * 1024

    streamed = c.post(f"/r/{room}/q", content=chunks(),  # type: ignore[arg-type]
                      headers={"content-type": "application/x-www-form-urlencoded"})
    assert streamed.status_code == 413


def test_each_client_is_rate_limited(tmp_path: Path) -> None:
    w = make_workshop(tmp_path, limits=Limits(rate=1.0, burst=5))
    c = client(w)
    statuses = [c.get("/assets/workshop.css").status_code for _ in range(8)]
    assert statuses[:5] == [200] * 5
    assert 429 in statuses[5:]


def test_guard_refills_over_time() -> None:
    now = [0.0]
    guard = Guard(Limits(rate=2.0, burst=2), clock=lambda: now[0])
    assert guard.allow("a") == 0 and guard.allow("a") == 0
    assert guard.allow("a") > 0
    assert guard.allow("b") == 0  # another phone is not held up
    now[0] += 0.5
    assert guard.allow("a") == 0


def test_participant_and_question_set_text_is_escaped_on_the_projector(
        tmp_path: Path) -> None:
    workshop = make_workshop(tmp_path / "w", qs=small_set(tmp_path))
    phones = [Phone(client(workshop), workshop.secrets.room) for _ in range(5)]
    attack = '<script>alert("x")</script><img src=x onerror=alert(1)>'

    def choose(key: str, choices: list[str]) -> str:
        if not choices:
            return attack
        scored = [c for c in choices if c.isdigit()]
        return scored[0] if scored else choices[0]

    for phone in phones:
        phone.join()
        phone.answer_all(choose)
        review = phone.page().text
        assert "<script>alert" not in review and "&lt;script&gt;" in review
        phone.submit()
    f = facilitator(workshop)
    page = f.post("/f/reveal", data={"csrf": csrf_of(f.get("/f/").text), "unit": "comments"})
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page.text
    assert "<script>alert" not in page.text and "<img src=x" not in page.text


def test_nothing_beyond_the_workshop_is_served(workshop: Workshop) -> None:
    c = client(workshop)
    for path in ("/", "/assets/", "/assets/../../pyproject.toml", "/assets/%2e%2e/app.py",
                 "/board.csv", "/board.csv.workshop.json", "/r/", "/f", "/static/",
                 "/favicon.ico", "/templates/base.html.j2", "/.git/config"):
        page = c.get(path)
        assert page.status_code == 404, path
        assert "Index of" not in page.text and "respondent_id" not in page.text
    assert c.get("/f/pack").status_code == 403
    assert facilitator(workshop).get("/f/pack").status_code == 404  # nothing written yet


def test_every_response_carries_the_security_headers(workshop: Workshop) -> None:
    c = client(workshop)
    for page in (c.get(f"/r/{workshop.secrets.room}"), c.get("/nowhere"),
                 c.get("/assets/workshop.css"), c.get("/f/")):
        csp = page.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "script-src 'self'" in csp
        assert "http" not in csp  # nothing from any other host
        assert page.headers["x-content-type-options"] == "nosniff"
        assert page.headers["x-frame-options"] == "DENY"
        assert page.headers["referrer-policy"] == "same-origin"
    join = client(workshop).get(f"/r/{workshop.secrets.room}")
    cookie = join.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie


def test_pages_load_nothing_from_elsewhere(workshop: Workshop) -> None:
    phone = Phone(client(workshop), workshop.secrets.room)
    phone.join()
    pages = [phone.page().text, facilitator(workshop).get("/f/").text,
             phone.c.get("/assets/workshop.css").text]
    for text in pages:
        assert not re.search(r"(src|href)=\"(https?:)?//", text)
        assert "@import" not in text and "url(" not in text


def test_unknown_host_names_are_refused(workshop: Workshop) -> None:
    c = TestClient(build_app(workshop), base_url="http://rebound.example")
    assert c.get(f"/r/{workshop.secrets.room}").status_code == 400


def test_binds_loopback_unless_told() -> None:
    loopback = addresses("127.0.0.1", ["192.168.137.1"])
    assert loopback.join == "127.0.0.1" and loopback.hosts == ["127.0.0.1", "localhost"]
    assert any("phones cannot join" in w for w in loopback.notes)
    sock = bind("127.0.0.1", 0)
    try:
        assert sock.getsockname()[0] == "127.0.0.1"
    finally:
        sock.close()
    told = addresses("192.168.137.1")
    assert any("hotspot" in w for w in told.notes)


def test_the_cli_listens_on_loopback_by_default() -> None:
    from typer.main import get_command

    from leadlens.cli import app

    command = get_command(app).commands["workshop"]  # type: ignore[attr-defined]
    host = next(p for p in command.params if p.name == "host")
    assert host.default == "127.0.0.1"


def test_a_full_room_refuses_more_phones(tmp_path: Path) -> None:
    w = make_workshop(tmp_path)
    w.room.max_participants = 2
    for expected in (200, 200, 503):
        assert Phone(client(w), w.secrets.room).join().status_code == expected


def test_a_state_file_grown_by_a_full_workshop_is_still_read(tmp_path: Path) -> None:
    # Each reveal and board pack records a keyed hash per person and answer shown: a room of
    # twelve with every principle revealed and a pack passes 64 KiB (one reveal and a pack
    # measured 29 KB), and --resume must still read it.
    from leadlens.workshop.published import state_closed, update_state
    from leadlens.workshop.security import Secrets

    state = tmp_path / "board.csv.workshop.json"
    secrets = Secrets.new()
    secrets.save(state, "ggi-systems-leadership")
    update_state(state, published=[{"hashes": "x" * 1000} for _ in range(200)], closed=True)
    assert state.stat().st_size > 200_000
    assert Secrets.load(state) == (secrets, "ggi-systems-leadership")
    assert state_closed(state)
    assert state.stat().st_mode & 0o777 == 0o600
