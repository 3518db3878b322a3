"""The ``workshop`` command: a local web server for the room's phones and the projector."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from leadlens.cli._app import app, run
from leadlens.cli._console import say, warn
from leadlens.cli._lazy import load_question_set


@app.command()
def workshop(
    question_set: str = typer.Argument(None, help="A question-set file or a bundled id "
                                       "(default: ggi-systems-leadership).",
                                       show_default=False),
    output: Path = typer.Option(Path("board.csv"), "--output", "-o", dir_okay=False,
                                help="Responses CSV the room's submitted answers go to."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on. The default "
                             "lets only this laptop in; give the laptop's address on the "
                             "room's network (or 0.0.0.0) so phones can join."),
    port: int = typer.Option(8000, "--port", min=0, max=65535, help="Port (0 = any free)."),
    resume: bool = typer.Option(False, "--resume", help="Continue this workshop after a crash "
                                "or a closed lid: same room code, every answer kept."),
    agreed: Path = typer.Option(None, "--agreed", dir_okay=False, show_default=False,
                                help="Where to save what the room agrees (default: beside -o, "
                                "e.g. board.agreed.yaml)."),
    pack: Path = typer.Option(None, "--pack", dir_okay=False, show_default=False,
                              help="The board pack the Finish button writes (default: beside "
                              "-o, e.g. board.html)."),
    rate_limit: float = typer.Option(10.0, "--rate-limit", min=0.1, metavar="N",
                                     help="Requests per second each network address may "
                                     "make (bursts of 6 x N). Raise it only when many phones "
                                     "share one address."),
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
    )

    qs = run(lambda: load_question_set(question_set))
    options = WorkshopOptions(output=output, host=host, port=port, resume=resume,
                              agreed=agreed, pack=pack,
                              limits=Limits(rate=rate_limit, burst=max(6, round(6 * rate_limit))))
    join_host, hosts, warnings = addresses(host)
    sock = run(lambda: bind(host, port))
    bound = sock.getsockname()[1]
    shown = f"[{join_host}]" if ":" in join_host else join_host
    try:
        room = run(lambda: prepare(qs, options, f"http://{shown}:{bound}", hosts))
    except BaseException:
        sock.close()
        raise
    local = "127.0.0.1" if host in ("0.0.0.0", "::", "127.0.0.1", "localhost") else shown  # noqa: S104

    def ready() -> None:
        import io

        code = io.StringIO()
        qr_terminal(room.join_url, code)
        say(f"leadlens workshop: {qs.title}\n")
        if resume:
            say(f"Resumed: {room.room.saved_count} submitted, "
                f"{room.room.progress().answering} part-way.\n")
        say(f"\nPhones join at:  {room.join_url}\n{code.getvalue()}")
        say(f"\nFacilitator screen (keep private; open it on this laptop):\n"
            f"  http://{local}:{bound}/start/{room.secrets.facilitator}\n\n")
        say(f"Answers: {output}   Agreed: {room.agreed_path}   Board pack: {room.pack_path}\n")
        for warning in warnings:
            warn(f"Note: {warning}\n")
        say("Press Ctrl-C to stop; `--resume` carries on.\n")
        sys.stdout.flush()

    serve(room, sock, ready)
    warn(f"Stopped. {room.room.saved_count} respondent(s) saved to {output}; "
         "continue with --resume.\n")
