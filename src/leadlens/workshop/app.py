"""The workshop's web app (Starlette): phones answer, the facilitator reveals and records.

Routes (nothing else is served; no static folder, no directory listing):

- ``/r/ROOM`` join page; ``/r/ROOM/join``, ``/r/ROOM/q``, ``/r/ROOM/review``, ``/r/ROOM/again``
  the participant's forms (a device cookie says which participant a phone is);
- ``/start/SECRET`` sets the facilitator cookie and sends on to ``/f/``, so the secret is not
  left in the projector's address bar; every ``/f/...`` page checks that cookie;
- ``/assets/workshop.css`` and ``/assets/live.js`` from the package.

Pages are rendered by the report's sandboxed Jinja environment with HTML autoescape, so
question-set and participant text always shows as text.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import secrets as pysecrets
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from leadlens.errors import LeadlensError
from leadlens.questionset.model import QuestionSet
from leadlens.report.environment import ReportEnvironment
from leadlens.report.filters import FILTERS
from leadlens.survey.flow import Answer, Back, Change, Reply, ReviewReply, Skip, Submit
from leadlens.survey.render import progress, variant_line
from leadlens.workshop.agreed import MAX_TEXT, Agreed, save_agreed
from leadlens.workshop.pack import Pack
from leadlens.workshop.published import Record, update_state
from leadlens.workshop.reveal import Reveals
from leadlens.workshop.room import Participant, Room, RoomClosed, RoomFull
from leadlens.workshop.security import Guard, LimitMiddleware, Limits, Secrets, client_of, same

CSRF_COOKIE = "ll_csrf"
DEVICE_COOKIE = "ll_device"
FACILITATOR_COOKIE = "ll_facilitator"
MAX_OWNER = 200
LIVE_WAIT = 10.0
"""Longest a facilitator's live request waits for a change (seconds)."""
PACK_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
            "frame-ancestors 'none'; base-uri 'none'; form-action 'none'")


@dataclass
class Workshop:
    """Everything one running workshop holds."""

    qs: QuestionSet
    room: Room
    secrets: Secrets
    agreed: Agreed
    agreed_path: Path
    pack_path: Path
    join_url: str
    limits: Limits = field(default_factory=Limits)
    allowed_hosts: list[str] = field(default_factory=lambda: ["127.0.0.1", "localhost"])
    pack: Callable[[Record, str], Pack] | None = None
    """Writes nothing: the board pack checked against ``record``, published at a time."""
    record: Record | None = None
    """What the workshop has published (kept in its state file); None: in memory only."""
    state_path: Path | None = None
    """The state file (room code, secrets, publications, closed); None in some tests."""
    resumed: list[str] = field(default_factory=list)
    """With --resume, for the facilitator's terminal: each unfinished participant continued
    (journal, start time, answers so far) and each journal dropped as already saved."""
    qr_svg: str = ""
    clock: Callable[[], dt.datetime] = field(default=lambda: dt.datetime.now(dt.UTC))

    def __post_init__(self) -> None:
        self.reveals = Reveals(self.qs, self.record)
        self.lock = threading.Lock()  # reveals and the agreed levels
        self.notice = ""
        self.pack_written = False
        self.guard = Guard(self.limits)


# ----------------------------------------------------------------------------- rendering


def _templates() -> jinja2.Environment:
    folder = Path(str(resources.files("leadlens.workshop"))) / "templates"
    env = ReportEnvironment(loader=jinja2.FileSystemLoader(folder), autoescape=True,
                            undefined=jinja2.StrictUndefined, trim_blocks=True,
                            lstrip_blocks=True)
    env.filters.update(FILTERS)
    return env


_ENV = _templates()


def _asset(name: str) -> str:
    return (resources.files("leadlens.workshop") / "assets" / name).read_text(encoding="utf-8")


ASSETS = {"workshop.css": ("text/css; charset=utf-8", _asset("workshop.css")),
          "live.js": ("text/javascript; charset=utf-8", _asset("live.js"))}


def _page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    token = request.cookies.get(CSRF_COOKIE) or pysecrets.token_urlsafe(18)
    html = _ENV.get_template(name).render(csrf=token, **context)
    response = HTMLResponse(html, status_code=status)
    if request.cookies.get(CSRF_COOKIE) != token:
        response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict", path="/")
    return response


def _message(request: Request, w: Workshop, status: int, heading: str,
             message: str) -> HTMLResponse:
    return _page(request, "message.html.j2", status, title=w.qs.title, heading=heading,
                 message=message)


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


# ----------------------------------------------------------------------------- checks


class Refused(Exception):
    """A request that fails a check; becomes a page with ``status``."""

    def __init__(self, status: int, heading: str, message: str, *, count: bool = True) -> None:
        super().__init__(message)
        self.status, self.heading, self.message, self.count = status, heading, message, count


NOT_FOUND = ("Not found", "There is nothing at this address.")
CLOSED = ("The facilitator has closed the room: no more answers are taken. Anything you "
          "answered is kept on the laptop. If you were not finished, tell the facilitator.")


def _check_room(request: Request, w: Workshop) -> str:
    room = str(request.path_params.get("room", ""))
    if not same(room, w.secrets.room):
        raise Refused(404, *NOT_FOUND)
    return room


def _check_origin(request: Request) -> None:
    origin = request.headers.get("origin")
    if origin is None:  # older browsers send none on same-origin posts; the token still counts
        return
    host = request.headers.get("host", "")
    if origin.split("://", 1)[-1] != host:
        raise Refused(403, "Refused", "This form came from another site.")


async def _form(request: Request) -> dict[str, str]:
    """The posted form (text fields only), after the CSRF check."""
    _check_origin(request)
    # No file uploads (a form never sends one), and the form closed at once: an upload's
    # spooled temporary file was left for the garbage collector.
    async with request.form(max_files=0, max_fields=200) as form:
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
    cookie = request.cookies.get(CSRF_COOKIE)
    if not cookie or not same(fields.get("csrf"), cookie):
        raise Refused(403, "Please try again",
                      "This page had expired. Go back, reload the page and try again "
                      "(cookies must be allowed for this site).")
    return fields


def _facilitator(request: Request, w: Workshop) -> None:
    if not same(request.cookies.get(FACILITATOR_COOKIE), w.secrets.facilitator):
        raise Refused(403, "Facilitator only",
                      "This page is for the facilitator. Open the facilitator address shown "
                      "in the terminal that started the workshop.")


Handler = Callable[[Request, Workshop], Awaitable[Response]]


def _endpoint(w: Workshop, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    guard = w.guard

    async def endpoint(request: Request) -> Response:
        try:
            return await handler(request, w)
        except RoomClosed:
            return _message(request, w, 403, "The room is closed", CLOSED)
        except Refused as refused:
            if refused.count:
                guard.failed(client_of(request.scope))
            return _message(request, w, refused.status, refused.heading, refused.message)
        except LeadlensError as exc:
            return _message(request, w, 500, "Not saved",
                            "The laptop could not save that: "
                            + "; ".join(str(p) for p in exc.problems)
                            + ". Please tell the facilitator.")

    return endpoint


# ----------------------------------------------------------------------------- participants


def _person(request: Request, w: Workshop) -> Participant | None:
    return w.room.participant(request.cookies.get(DEVICE_COOKIE))


def _with_device(response: Response, room: str, person: Participant) -> Response:
    response.set_cookie(DEVICE_COOKIE, person.token, httponly=True, samesite="strict",
                        path=f"/r/{room}", max_age=7 * 24 * 3600)
    return response


async def join_page(request: Request, w: Workshop) -> Response:
    room = _check_room(request, w)
    if _person(request, w) is not None:
        return _redirect(f"/r/{room}/q")
    if w.room.closed:
        raise RoomClosed()
    return _page(request, "join.html.j2", title=w.qs.title, room=room,
                 questions=len(w.qs.questions))


async def join(request: Request, w: Workshop) -> Response:
    room = _check_room(request, w)
    await _form(request)
    person = _person(request, w)
    if person is None:
        try:
            person = w.room.join()
        except RoomFull:
            raise Refused(503, "The room is full", "No more phones can join this workshop.",
                          count=False) from None
    return _with_device(_redirect(f"/r/{room}/q"), room, person)


async def question_page(request: Request, w: Workshop) -> Response:
    room = _check_room(request, w)
    person = _person(request, w)
    if person is None:
        return _redirect(f"/r/{room}")
    with person.lock:
        survey = person.survey
        if person.finished:
            return _page(request, "done.html.j2", title=w.qs.title, room=room,
                         closed=w.room.closed)
        if w.room.closed:
            raise RoomClosed()
        if not person.introduced and not survey.answers:
            return _page(request, "intro.html.j2", title=w.qs.title, room=room,
                         paragraphs=paragraphs(w.qs.introduction))
        if survey.at_review:
            return _page(request, "review.html.j2", title=w.qs.title, room=room,
                         review=survey.review_screen())
        screen = survey.screen()
        index = survey.position
        before = survey.steps[index - 1] if 0 < index <= len(survey.steps) else None
    step = screen.step
    # A section's description is its instructions ("Please leave out names..."): shown
    # whole on its first question, and on every free-text question, where it matters most.
    first = before is None or before.section != step.section
    described = (step.section.description if step.section and step.section.description
                 and (first or step.free_text) else "")
    text = progress(screen, unicode=False).split("  ")[0]
    percent = round(20 * screen.position / max(screen.steps, 1))
    return _page(request, "question.html.j2", title=w.qs.title, room=room, screen=screen,
                 hat=variant_line(screen.step), progress_text=text, percent_step=percent,
                 max_text=MAX_TEXT, section_description=paragraphs(described))


async def answer(request: Request, w: Workshop) -> Response:
    room = _check_room(request, w)
    fields = await _form(request)
    person = _person(request, w)
    if person is None:
        return _redirect(f"/r/{room}")
    action = fields.get("action", "answer")
    reply: Reply
    if action == "back":
        reply = Back()
    elif action == "skip":
        reply = Skip()
    else:
        value = fields.get("value", "")
        if len(value) > MAX_TEXT:
            with person.lock:
                person.survey.notice = (f"Please keep your answer under {MAX_TEXT:,} "
                                        "characters.")
            return _redirect(f"/r/{room}/q")
        reply = Answer(value)
    await run_in_threadpool(w.room.reply, person, fields.get("step", ""), reply)
    return _redirect(f"/r/{room}/q")


def paragraphs(text: str) -> list[str]:
    """A question set's text as paragraphs (blank lines separate them; lines inside one
    are joined), as the terminal survey keeps them."""
    return [" ".join(block.split()) for block in text.split("\n\n") if block.strip()]


async def introduced(request: Request, w: Workshop) -> Response:
    room = _check_room(request, w)
    await _form(request)
    person = _person(request, w)
    if person is None:
        return _redirect(f"/r/{room}")
    if w.room.closed:
        raise RoomClosed()
    w.room.introduced(person)
    return _redirect(f"/r/{room}/q")


async def review(request: Request, w: Workshop) -> Response:
    room = _check_room(request, w)
    fields = await _form(request)
    person = _person(request, w)
    if person is None:
        return _redirect(f"/r/{room}")
    reply: ReviewReply = Change(fields["change"]) if fields.get("change") else Submit()
    await run_in_threadpool(w.room.review, person, reply)
    return _redirect(f"/r/{room}/q")


async def again(request: Request, w: Workshop) -> Response:
    room = _check_room(request, w)
    await _form(request)
    person = _person(request, w)
    if person is None or not person.finished:
        return _redirect(f"/r/{room}/q")
    if w.room.closed:
        raise RoomClosed()
    try:
        fresh = w.room.restart(person)
    except RoomFull:
        raise Refused(503, "The room is full", "No more phones can join this workshop.",
                      count=False) from None
    return _with_device(_redirect(f"/r/{room}/q"), room, fresh)


# ----------------------------------------------------------------------------- facilitator


async def start(request: Request, w: Workshop) -> Response:
    if not same(str(request.path_params.get("secret", "")), w.secrets.facilitator):
        raise Refused(404, *NOT_FOUND)
    response = _redirect("/f/")
    response.set_cookie(FACILITATOR_COOKIE, w.secrets.facilitator, httponly=True,
                        samesite="strict", path="/f")
    return response


def _live_data(w: Workshop) -> dict[str, Any]:
    changes = w.room.changes
    records = w.room.submitted()
    progress_now = w.room.progress()
    with w.lock:
        statuses = w.reveals.statuses(records)
    return {"changes": changes, "joined": progress_now.joined,
            "answering": progress_now.answering, "finished": progress_now.finished,
            "sections": [s.finished for s in progress_now.sections],
            "units": [{"id": s.unit.id, "answered": s.answered, "can_reveal": s.can_reveal,
                       "needed": s.needed, "waiting": s.waiting} for s in statuses]}


def _facilitator_view(w: Workshop) -> dict[str, Any]:
    """Everything the facilitator page shows (run in a worker thread: it scores)."""
    changes = w.room.changes
    records = w.room.submitted()
    progress_now = w.room.progress()
    with w.lock:
        statuses = w.reveals.statuses(records)
        on_screen = w.reveals.on_screen
        notice, w.notice = w.notice, ""
        agreement = None
        if on_screen is not None and on_screen.principle is not None:
            agreement = w.agreed.agreement(on_screen.principle.id)
        labels = {b.id: b.label for b in w.qs.bands}
        rows = [{"name": p.name, "current": labels.get(a.current or "", "-"),
                 "target": labels.get(a.target or "", "-"), "actions": len(a.actions)}
                for p in w.qs.principles
                if (a := w.agreed.principles.get(p.id)) is not None and not a.empty]
    return {"notice": notice, "progress": progress_now, "progress_changes": changes,
            "statuses": statuses, "on_screen": on_screen, "agreement": agreement,
            "agreed_rows": rows}


async def facilitator_page(request: Request, w: Workshop) -> Response:
    _facilitator(request, w)
    view = await run_in_threadpool(_facilitator_view, w)
    return _page(request, "facilitator.html.j2", title=w.qs.title,
                 qr=Markup(w.qr_svg), join_url=w.join_url,  # noqa: S704  segno's own SVG
                 room=w.secrets.room, threshold=w.reveals.threshold, bands=w.qs.bands,
                 max_text=MAX_TEXT, agreed_path=str(w.agreed_path),
                 pack_written=w.pack_written, pack_path=str(w.pack_path),
                 closed=w.room.closed, **view)


async def live(request: Request, w: Workshop) -> Response:
    _facilitator(request, w)
    since = request.query_params.get("since", "")
    if since.isdigit():
        waited = 0.0
        while w.room.changes == int(since) and waited < LIVE_WAIT:
            await asyncio.sleep(0.05)
            waited += 0.05
    return JSONResponse(await run_in_threadpool(_live_data, w))


async def reveal(request: Request, w: Workshop) -> Response:
    _facilitator(request, w)
    fields = await _form(request)
    records = await run_in_threadpool(w.room.submitted)

    def show() -> None:
        with w.lock:
            if w.reveals.reveal(fields.get("unit", ""), records, w.clock()) is None:
                w.notice = w.reveals.refusal or "Not shown."

    await run_in_threadpool(show)
    return _redirect("/f/")


async def hide(request: Request, w: Workshop) -> Response:
    _facilitator(request, w)
    await _form(request)

    def clear() -> None:
        with w.lock:
            w.reveals.hide()

    await run_in_threadpool(clear)
    return _redirect("/f/")


def _principle_id(w: Workshop, fields: dict[str, str]) -> str:
    pid = fields.get("principle", "")
    if pid not in w.qs.principle_by_id:
        raise Refused(400, "Not saved", "That principle is not in the question set.",
                      count=False)
    return pid


def _save(w: Workshop) -> None:
    w.agreed.updated_at = w.clock()
    save_agreed(w.agreed_path, w.agreed)


async def agree(request: Request, w: Workshop) -> Response:
    _facilitator(request, w)
    fields = await _form(request)
    pid = _principle_id(w, fields)
    bands = {b.id for b in w.qs.bands}
    current, target = fields.get("current", ""), fields.get("target", "")
    notes = fields.get("notes", "").strip()
    if (current and current not in bands) or (target and target not in bands) \
            or len(notes) > MAX_TEXT:
        raise Refused(400, "Not saved", "Choose a band from the list.", count=False)

    def store() -> None:
        with w.lock:
            entry = w.agreed.agreement(pid)
            entry.current, entry.target, entry.notes = current or None, target or None, notes
            _save(w)
            w.notice = f"Saved what the room agreed for {w.qs.principle_by_id[pid].name}."

    await run_in_threadpool(store)
    return _redirect("/f/")


async def add_action(request: Request, w: Workshop) -> Response:
    _facilitator(request, w)
    fields = await _form(request)
    pid = _principle_id(w, fields)
    text, owner = fields.get("text", "").strip(), fields.get("owner", "").strip()
    due_text = fields.get("due", "").strip()
    if not text or len(text) > MAX_TEXT or len(owner) > MAX_OWNER:
        raise Refused(400, "Not saved", "An action needs a description (and a short owner).",
                      count=False)
    try:
        due = dt.date.fromisoformat(due_text) if due_text else None
    except ValueError:
        raise Refused(400, "Not saved", "The due date must be a date (YYYY-MM-DD).",
                      count=False) from None
    from leadlens.results.document import AgreedAction

    def store() -> None:
        with w.lock:
            entry = w.agreed.agreement(pid)
            if len(entry.actions) >= 50:
                w.notice = "Not added: 50 actions is the limit for one principle."
                return
            entry.actions.append(AgreedAction(text=text, owner=owner, due=due))
            _save(w)
            w.notice = "Action added."

    await run_in_threadpool(store)
    return _redirect("/f/")


async def remove_action(request: Request, w: Workshop) -> Response:
    _facilitator(request, w)
    fields = await _form(request)
    pid = _principle_id(w, fields)
    index = fields.get("index", "")

    def store() -> None:
        with w.lock:
            entry = w.agreed.agreement(pid)
            if index.isdigit() and int(index) < len(entry.actions):
                del entry.actions[int(index)]
                _save(w)
                w.notice = "Action removed."

    await run_in_threadpool(store)
    return _redirect("/f/")


async def finish(request: Request, w: Workshop) -> Response:
    _facilitator(request, w)
    await _form(request)
    if w.room.saved_count == 0:
        w.notice = "Nobody has submitted their answers yet, so there is no board pack to write."
        return _redirect("/f/")
    if w.pack is None:
        raise Refused(404, *NOT_FOUND, count=False)
    from leadlens.files import write_atomic

    maker = w.pack

    def write() -> tuple[Pack, list[str]]:
        with w.lock:  # the record of what was published must not move meanwhile
            record = w.reveals.record
            made = maker(record, w.clock().isoformat(timespec="seconds"))
            write_atomic(w.pack_path, made.html, force=True)
            held = _held_back(w, made)  # against what was published before this pack
            if made.publication is not None:
                record.add(made.publication)
            return made, held

    made, held = await run_in_threadpool(write)
    w.pack_written = True
    w.notice = (f"Wrote the board pack {w.pack_path} ({made.respondents} respondents)."
                + (" Held back from it, because publishing both would let a few people's "
                   "answers be worked out: " + "; ".join(held) + ". Each goes in once "
                   "enough more people have submitted or changed their answers."
                   if held else ""))
    return _redirect("/f/")


def _held_back(w: Workshop, made: Pack) -> list[str]:
    """Each part the pack held back, and why ("Basics (the screen showed it at 15:40 with a
    slightly different set of answers)")."""
    from leadlens.workshop.units import COMMENTS, TIMEPOINTS

    records = w.room.submitted()
    parts = [(f"principle:{p}", w.qs.principle_by_id[p].name) for p in made.held.principles]
    if made.held.comments:
        parts.append((COMMENTS, "the comments"))
    if made.held.timepoints:
        parts.append((TIMEPOINTS, w.reveals.units[TIMEPOINTS].title))
    return [f"{name} ({w.reveals.held_because(uid, records)})" for uid, name in parts]


async def close_page(request: Request, w: Workshop) -> Response:
    """Asks before closing: closing is not what a stray click should do."""
    _facilitator(request, w)
    progress_now = await run_in_threadpool(w.room.progress)
    return _page(request, "close.html.j2", title=w.qs.title, progress=progress_now,
                 closed=w.room.closed)


async def close(request: Request, w: Workshop) -> Response:
    _facilitator(request, w)
    fields = await _form(request)
    wanted = fields.get("closed")
    if wanted not in ("yes", "no") or (wanted == "yes" and fields.get("confirm") != "yes"):
        return _redirect("/f/close")  # closing needs the confirmation page's button

    def store() -> None:
        with w.lock:
            if w.state_path is not None:
                update_state(w.state_path, closed=wanted == "yes")
            w.room.set_closed(wanted == "yes")
            w.notice = ("The room is closed: no new phones can join and no more answers are "
                        "taken." if wanted == "yes" else "The room is open again.")

    await run_in_threadpool(store)
    return _redirect("/f/")


async def pack(request: Request, w: Workshop) -> Response:
    _facilitator(request, w)
    if not w.pack_written or not w.pack_path.is_file():
        raise Refused(404, *NOT_FOUND, count=False)
    html = await run_in_threadpool(w.pack_path.read_text, "utf-8")
    return HTMLResponse(html, headers={"content-security-policy": PACK_CSP})


async def asset(request: Request, w: Workshop) -> Response:
    name = str(request.path_params.get("name", ""))
    if name not in ASSETS:
        raise Refused(404, *NOT_FOUND, count=False)
    kind, text = ASSETS[name]
    return Response(text, media_type=kind, headers={"cache-control": "private, max-age=600"})


async def not_found(request: Request, w: Workshop) -> Response:
    raise Refused(404, *NOT_FOUND, count=False)


# ----------------------------------------------------------------------------- the app


def build_app(w: Workshop) -> Starlette:
    """The ASGI app for ``w``: routes behind the host check, limits and security headers."""
    def route(path: str, handler: Handler, methods: list[str]) -> Route:
        return Route(path, _endpoint(w, handler), methods=methods)

    routes = [
        route("/r/{room}", join_page, ["GET"]),
        route("/r/{room}/join", join, ["POST"]),
        route("/r/{room}/q", question_page, ["GET"]),
        route("/r/{room}/q", answer, ["POST"]),
        route("/r/{room}/intro", introduced, ["POST"]),
        route("/r/{room}/review", review, ["POST"]),
        route("/r/{room}/again", again, ["POST"]),
        route("/start/{secret}", start, ["GET"]),
        route("/f/", facilitator_page, ["GET"]),
        route("/f/live", live, ["GET"]),
        route("/f/reveal", reveal, ["POST"]),
        route("/f/hide", hide, ["POST"]),
        route("/f/agree", agree, ["POST"]),
        route("/f/action", add_action, ["POST"]),
        route("/f/action/remove", remove_action, ["POST"]),
        route("/f/finish", finish, ["POST"]),
        route("/f/pack", pack, ["GET"]),
        route("/f/close", close_page, ["GET"]),
        route("/f/close", close, ["POST"]),
        route("/assets/{name}", asset, ["GET"]),
        route("/{rest:path}", not_found, ["GET", "POST", "PUT", "DELETE", "PATCH"]),
    ]
    return Starlette(routes=routes, middleware=[
        Middleware(LimitMiddleware, guard=w.guard),
        Middleware(TrustedHostMiddleware, allowed_hosts=w.allowed_hosts),
    ])
