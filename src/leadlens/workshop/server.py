"""Setting up and serving a workshop: files, secrets, addresses, the QR code, uvicorn.

Beside the responses file ``board.csv`` a workshop keeps ``board.csv.workshop.json`` (the
room code, facilitator secret and signing key, readable by the owner only, so ``--resume``
keeps every phone's link and cookie working), the answer journals
(``board.csv.partial*.jsonl``) and ``board.agreed.yaml``. The board pack is ``board.html``.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from leadlens.errors import Code, LeadlensError, Problem
from leadlens.questionset.model import QuestionSet
from leadlens.survey.journal import unfinished
from leadlens.survey.writer import check_responses_file
from leadlens.workshop.agreed import Agreed, load_agreed
from leadlens.workshop.app import Workshop, build_app
from leadlens.workshop.pack import board_pack
from leadlens.workshop.published import Record, state_closed
from leadlens.workshop.room import Room
from leadlens.workshop.security import Limits, Secrets

LOOPBACK = ("127.0.0.1", "localhost", "::1")


class WorkshopError(LeadlensError):
    """A workshop cannot start (files in the way, nothing to resume, a busy port)."""


@dataclass
class WorkshopOptions:
    output: Path
    host: str = "127.0.0.1"
    port: int = 8000
    resume: bool = False
    agreed: Path | None = None
    pack: Path | None = None
    limits: Limits = field(default_factory=Limits)


def state_path(output: Path) -> Path:
    return output.with_name(output.name + ".workshop.json")


def agreed_path(output: Path) -> Path:
    """``board.csv`` -> ``board.agreed.yaml``."""
    return output.with_name(output.stem + ".agreed.yaml")


def pack_path(output: Path) -> Path:
    """``board.csv`` -> ``board.html``."""
    return output.with_name(output.stem + ".html")


def _problem(code: Code, path: Path, message: str, hint: str = "") -> WorkshopError:
    return WorkshopError([Problem(file=str(path), message=message, hint=hint, code=code)])


def prepare(qs: QuestionSet, options: WorkshopOptions, join_url: str,
            allowed_hosts: list[str]) -> Workshop:
    """Check the files, create or reload the secrets, and build the :class:`Workshop`."""
    output = options.output
    agreed_file = options.agreed or agreed_path(output)
    pack_file = options.pack or pack_path(output)
    state = state_path(output)
    check_responses_file(output, qs)
    if not options.resume:
        problems = []
        if output.exists() and output.stat().st_size > 0:
            problems.append(Problem(file=str(output), message="already holds answers",
                                    code=Code.WORKSHOP_FILES_IN_THE_WAY,
                                    hint="Continue that workshop with --resume, or choose "
                                         "another -o file"))
        if unfinished(output):
            problems.append(Problem(file=str(output), code=Code.WORKSHOP_FILES_IN_THE_WAY,
                                    message="has unfinished answers "
                                    "journaled beside it", hint="Continue with --resume"))
        if agreed_file.exists():
            problems.append(Problem(file=str(agreed_file), message="exists; not overwritten",
                                    code=Code.WORKSHOP_FILES_IN_THE_WAY,
                                    hint="Continue that workshop with --resume, or move it"))
        if problems:
            raise WorkshopError(problems)
        secrets = Secrets.new()
        agreed = Agreed.empty_for(qs)
        try:
            output.parent.mkdir(parents=True, exist_ok=True)
            secrets.save(state, qs.id)
        except OSError as exc:
            raise _problem(Code.OUTPUT_UNWRITABLE, state,
                           f"cannot write: {exc.strerror or exc}") from None
    else:
        try:
            secrets, qs_id = Secrets.load(state)
        except FileNotFoundError:
            raise _problem(Code.WORKSHOP_NOTHING_TO_RESUME, output,
                           "nothing to resume: no workshop was started with this -o",
                           "Start one without --resume") from None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise _problem(Code.WORKSHOP_STATE_DAMAGED, state,
                           f"cannot read the workshop's state: {exc}") from None
        if qs_id != qs.id:
            raise _problem(Code.WORKSHOP_OTHER_SET, state,
                           f"this workshop used question set {qs_id!r}, not {qs.id!r}",
                           f"Resume with leadlens workshop {qs_id} --resume")
        agreed = load_agreed(agreed_file, qs) if agreed_file.exists() else Agreed.empty_for(qs)
    room = Room(qs, output, secrets.key)
    try:
        record = Record.load(state, secrets.key)
    except (OSError, ValueError) as exc:
        raise _problem(Code.WORKSHOP_STATE_DAMAGED, state,
                       f"cannot read what the workshop has shown: {exc}") from None
    resumed: list[str] = []
    if options.resume:
        _, resumed = room.resume()
        room.closed = state_closed(state)
    url = f"{join_url}/r/{secrets.room}"
    return Workshop(qs=qs, room=room, secrets=secrets, agreed=agreed, agreed_path=agreed_file,
                    pack_path=pack_file, join_url=url, limits=options.limits,
                    allowed_hosts=allowed_hosts, qr_svg=qr_svg(url), record=record,
                    resumed=resumed, state_path=state,
                    pack=lambda rec, at: board_pack(qs, output, agreed_file, rec, at))


def qr_svg(url: str) -> str:
    """The join address as an inline SVG QR code, made locally by segno."""
    import segno

    code = segno.make_qr(url, error="m")
    svg: str = code.svg_inline(scale=6, border=2, dark="#000000", light="#ffffff",
                               omitsize=True, title=f"QR code to join: {url}")
    return svg.replace("<svg ", '<svg role="img" aria-label="QR code to join the workshop" ', 1)


def qr_terminal(url: str, out: TextIO) -> None:
    import segno

    segno.make_qr(url, error="m").terminal(out=out, compact=True, border=2)


def addresses(host: str) -> tuple[str, list[str], list[str]]:
    """(the address phones join on, every host name to accept, warnings).

    Host names are as a browser sends them in ``Host``: an IPv6 address in brackets.
    """
    warnings: list[str] = []
    if host in LOOPBACK:
        join = "::1" if host == "::1" else "127.0.0.1"
        warnings.append(f"Listening on this laptop only ({join}): phones cannot join. To let "
                        "the room join, start with --host and the laptop's address on the "
                        "room's network (see docs/workshop.md).")
        names = ["[::1]", "localhost"] if host == "::1" else ["127.0.0.1", "localhost"]
        return join, names, warnings
    names = ["127.0.0.1", "localhost"]
    join = host
    if host in ("0.0.0.0", "::"):  # noqa: S104  the user asked for every interface
        found = _local_addresses()
        names += found
        if host == "::":
            names.append("[::1]")
        join = found[0] if found else "127.0.0.1"
        warnings.append("Listening on every network this laptop is on. Phones join on "
                        f"{join}" + (f" (or {', '.join(found[1:])})" if found[1:] else "") + ".")
    else:
        names.append(f"[{host}]" if ":" in host else host)
        try:
            if not ipaddress.ip_address(host).is_private:
                warnings.append(f"{host} is a public address: anyone who can reach it can "
                                "see the join page (the room code is still needed).")
        except ValueError:
            pass
    warnings.append("Guest Wi-Fi often stops devices from reaching each other; if phones cannot "
                    "open the address, share the laptop's own hotspot and join that.")
    return join, names, warnings


def _local_addresses() -> list[str]:
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
    except OSError:
        return []
    found: list[str] = []
    for info in infos:
        address = str(info[4][0])
        if not address.startswith("127.") and address not in found:
            found.append(address)
    return found


def bind(host: str, port: int) -> socket.socket:
    """A listening socket (port 0 = any free port); a busy port is a located error."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if host == "::":  # every interface: IPv4 too (phones on an IPv4 hotspot)
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise WorkshopError([Problem(file=f"{host}:{port}", code=Code.WORKSHOP_CANNOT_LISTEN,
                                     message=f"cannot listen: "
                                     f"{exc.strerror or exc}",
                                     hint="Choose another --port, or check --host")]) from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def serve(workshop: Workshop, sock: socket.socket,
          on_ready: Callable[[], None] | None = None) -> None:
    """Serve until Ctrl-C (or SIGTERM); then close the journals, keeping unfinished answers."""
    import uvicorn

    config = uvicorn.Config(build_app(workshop), log_level="warning", access_log=False,
                            timeout_keep_alive=5, limit_concurrency=300, server_header=False,
                            h11_max_incomplete_event_size=16 * 1024, lifespan="off")
    server = uvicorn.Server(config)
    if on_ready is not None:
        on_ready()
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass  # Ctrl-C is how a workshop ends; uvicorn re-raises it once it has shut down
    finally:
        workshop.room.close()
        sock.close()

