"""The ``workshop`` command: a local web server for the room's phones and the projector."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from leadlens.cli._app import app, run, usage_error
from leadlens.cli._console import say, warn
from leadlens.cli._lazy import load_question_set
from leadlens.cli._options import QuestionSetArgument, QuietOption, output_option, whole_number

OUTPUT_HELP = ("Responses CSV the room's submitted answers are appended to (default: "
               "board.csv). A new workshop refuses a file that already holds answers; "
               "--resume continues it.")


@app.command(short_help="A room answers on phones; the projector shows the room.")
def workshop(
    question_set: QuestionSetArgument = None,
    output: Annotated[Path, output_option(OUTPUT_HELP, dir_okay=False)] = Path("board.csv"),
    host: Annotated[str, typer.Option(
        "--host", metavar="ADDRESS", help="Address to listen on. The default lets only this "
        "laptop in; give the laptop's address on the room's network (or 0.0.0.0) so phones "
        "can join.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(
        "--port", metavar="N", parser=whole_number,
        help="Port to listen on (0 = any free port).")] = 8000,
    resume: Annotated[bool, typer.Option(
        "--resume", help="Continue this workshop after a crash or a closed lid: same room "
        "code, every answer kept.")] = False,
    agreed: Annotated[Path | None, typer.Option(
        "--agreed", metavar="FILE", dir_okay=False, show_default=False,
        help="Where to save what the room agrees (default: beside -o, e.g. "
        "board.agreed.yaml).")] = None,
    pack: Annotated[Path | None, typer.Option(
        "--pack", metavar="FILE", dir_okay=False, show_default=False,
        help="The board pack the Finish button writes (default: beside -o, e.g. "
        "board.html).")] = None,
    rate_limit: Annotated[float, typer.Option(
        "--rate-limit", metavar="N",
        help="Requests per second each network address may make (bursts of 6 x N). Raise it "
        "only when many phones share one address.")] = 10.0,
    choices: Annotated[list[str] | None, typer.Option(
        "--choices", metavar="FIELD=FILE", show_default=False,
        help="Offer a respondent field as a list to choose from, read from FILE (one choice "
        "per line), e.g. --choices organisation=orgs.txt for the organisations in the room "
        "(repeatable; the same file as `leadlens survey --choices`).")] = None,
    quiet: QuietOption = False,
) -> None:
    """Run a workshop: everyone answers on their phone, the projector shows the room.

    Prints the join address and a QR code for the phones, and the facilitator's address
    (keep it private: it opens the screen that reveals results and records what the room
    agrees). Every answer is journaled as it arrives; Ctrl-C stops cleanly; --resume
    carries on. See docs/workshop.md.
    """
    from leadlens.workshop.security import Limits
    from leadlens.workshop.server import (
        WorkshopOptions,
        addresses,
        bind,
        prepare,
        qr_terminal,
        serve,
        state_path,
    )

    if str(output) == "-":
        raise usage_error("--output -: the workshop appends to a responses file; give a file "
                          "name, e.g. -o board.csv")
    if rate_limit <= 0:
        raise usage_error(f"--rate-limit {rate_limit:g}: must be more than 0")
    if not 0 <= port <= 65535:
        raise usage_error(f"--port {port}: must be 0 to 65535")
    from leadlens.files import check_folder

    def folders() -> None:  # no folder is created: a typo would scatter files
        for path in (output, agreed, pack):
            if path is not None:
                check_folder(path)

    run(folders)
    from leadlens.cli.survey import _with_choices

    qs = _with_choices(run(lambda: load_question_set(question_set)), choices or [])
    options = WorkshopOptions(output=output, host=host, port=port, resume=resume,
                              agreed=agreed, pack=pack,
                              limits=Limits(rate=rate_limit, burst=max(6, round(6 * rate_limit))))
    found = addresses(host)
    sock = run(lambda: bind(host, port))
    bound = sock.getsockname()[1]

    def url(address: str) -> str:
        return f"http://{f'[{address}]' if ':' in address else address}:{bound}"

    shown = f"[{found.join}]" if ":" in found.join else found.join
    try:
        room = run(lambda: prepare(qs, options, url(found.join), found.hosts))
    except BaseException:
        sock.close()
        raise
    every = ("0.0.0.0", "::", "127.0.0.1", "localhost")  # noqa: S104  (not a bind)
    local = "127.0.0.1" if host in every else shown

    def ready() -> None:
        import io

        code = io.StringIO()
        qr_terminal(room.join_url, code)
        say(f"leadlens workshop: {qs.title}\n")
        if resume:
            say(f"Resumed the workshop of {state_path(output)}: "
                f"{room.room.saved_count} submitted"
                + (". Unfinished journals (each participant carries on where they were, on "
                   "their own phone):" if room.resumed else "; nobody part-way.") + "\n")
            for line in room.resumed:
                say(f"  {line}\n")
        say(f"\nPhones join at:  {room.join_url}\n")
        path = room.join_url.removeprefix(url(found.join))
        for other in found.also:  # the laptop's other networks
            say(f"            or:  {url(other)}{path}\n")
        say(code.getvalue())
        say(f"\nFacilitator screen (keep private; open it on this laptop):\n"
            f"  http://{local}:{bound}/start/{room.secrets.facilitator}\n\n")
        say(f"Answers: {output}   Agreed: {room.agreed_path}   Board pack: {room.pack_path}\n")
        for warning in [] if quiet else found.notes:
            warn(f"Note: {warning}\n")
        say("Press Ctrl-C to stop; `--resume` carries on.\n")
        sys.stdout.flush()

    serve(room, sock, ready)
    if not quiet:
        warn(_stopped(room.room.saved_count, output))


def _stopped(saved: int, output: Path) -> str:
    """The last line: how many were saved, and where (never a file that was not written)."""
    if saved == 0 and not output.exists():
        return (f"Stopped. Nobody submitted answers, so {output} was not written; continue "
                "with --resume.\n")
    return f"Stopped. {saved} respondent(s) saved to {output}; continue with --resume.\n"
