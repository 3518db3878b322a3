"""Setting up and serving a workshop: files, secrets, addresses, the QR code, uvicorn.

Beside the responses file ``board.csv`` a workshop keeps ``board.csv.workshop.json`` (the
room code, facilitator secret and signing key, readable by the owner only, so ``--resume``
keeps every phone's link and cookie working), the answer journals
(``board.csv.partial*.jsonl``) and ``board.agreed.yaml``. The board pack is ``board.html``.
"""

from __future__ import annotations

import contextlib
import errno
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


@dataclass(frozen=True)
class Addresses:
    """Where phones join, and which ``Host`` names the app accepts.

    Host names are as a browser sends them in ``Host``: an IPv6 address in brackets.
    """

    join: str
    """The address in the join link and the QR code."""
    also: list[str]
    """The laptop's other addresses phones can use (the terminal lists them)."""
    hosts: list[str]
    """Every ``Host`` to accept: loopback names and the laptop's own addresses, nothing
    else (a page asked for by any other name is refused: DNS rebinding)."""
    notes: list[str]


def addresses(host: str, found: list[str] | None = None) -> Addresses:
    """The join address, host names and notes for listening on ``host``.

    ``found``: the laptop's own addresses (default: :func:`local_addresses`), IPv4 and
    IPv6, loopback left out.
    """
    notes: list[str] = []
    if host in LOOPBACK:
        join = "::1" if host == "::1" else "127.0.0.1"
        notes.append(f"Listening on this laptop only ({join}): phones cannot join. To let "
                     "the room join, start with --host and the laptop's address on the "
                     "room's network (see docs/workshop.md).")
        names = ["[::1]", "localhost"] if host == "::1" else ["127.0.0.1", "localhost"]
        return Addresses(join, [], names, notes)
    names = ["127.0.0.1", "localhost"]
    also: list[str] = []
    join = host
    if host in ("0.0.0.0", "::"):  # noqa: S104  the user asked for every interface
        mine = local_addresses() if found is None else found
        if host == "::":
            names.append("[::1]")
        else:  # an IPv4 socket takes IPv4 connections only
            mine = [a for a in mine if ":" not in a]
        names += [_host_name(a) for a in mine]
        # Phones are told IPv4 addresses first: every phone and hotspot has IPv4.
        phones = sorted(mine, key=lambda a: ":" in a)
        if phones:
            join, also = phones[0], phones[1:]
            notes.append("Listening on every network this laptop is on: phones can join on "
                         + " or ".join(phones) + (" (the QR code uses the first)."
                                                   if also else "."))
        else:
            join = "127.0.0.1"
            notes.append("Listening on every network, but this laptop has no network address "
                         "yet, so phones cannot join: connect it to the room's Wi-Fi or turn "
                         "on its hotspot, then stop and start again with --resume.")
    else:
        names.append(_host_name(host))
        try:
            if not ipaddress.ip_address(host).is_private:
                notes.append(f"{host} is a public address: anyone who can reach it can "
                             "see the join page (the room code is still needed).")
        except ValueError:
            pass
    notes.append("Guest Wi-Fi often stops devices from reaching each other; if phones cannot "
                 "open the address, share the laptop's own hotspot and join that.")
    return Addresses(join, also, list(dict.fromkeys(names)), notes)


def _host_name(address: str) -> str:
    return f"[{address}]" if ":" in address else address


def _usable(address: str) -> str | None:
    """``address`` as phones would type it, or None for one they cannot use (loopback,
    unspecified, link-local: a link-local IPv6 address needs a zone a browser cannot take)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return None
    if ip.is_loopback or ip.is_unspecified or ip.is_link_local or ip.is_multicast:
        return None
    return str(ip)


def local_addresses() -> list[str]:
    """This laptop's own network addresses, IPv4 then IPv6, loopback left out.

    From the standard library only, each way tried in turn (any may find nothing):

    - the address this laptop would send from on its default route (a UDP socket
      "connected" to a documentation address: no packet is sent);
    - on Linux, every local IPv4 address in ``/proc/net/fib_trie`` and every IPv6 address
      in ``/proc/net/if_inet6``, or the address of each interface (``SIOCGIFADDR``);
    - what the host name resolves to (on Debian and Ubuntu that is 127.0.1.1 only, so
      this alone is not enough).
    """
    found: list[str] = []
    for source in (_route_addresses, _linux_addresses, _interface_addresses,
                   _hostname_addresses):
        try:
            candidates = source()
        except OSError:
            continue
        for candidate in candidates:
            usable = _usable(candidate)
            if usable is not None and usable not in found:
                found.append(usable)
    return sorted(found, key=lambda a: ":" in a)  # stable: IPv4 first, each in found order


def _route_addresses() -> list[str]:
    out = []
    for family, target in ((socket.AF_INET, "192.0.2.1"), (socket.AF_INET6, "2001:db8::1")):
        with contextlib.suppress(OSError), socket.socket(family, socket.SOCK_DGRAM) as probe:
            probe.connect((target, 9))  # UDP connect: picks a route, sends nothing
            out.append(str(probe.getsockname()[0]))
    return out


def _linux_addresses(root: Path = Path("/proc/net")) -> list[str]:
    """Local IPv4 addresses from ``fib_trie`` (its "/32 host LOCAL" entries) and IPv6
    addresses from ``if_inet6`` (32 hex digits each)."""
    out: list[str] = []
    with contextlib.suppress(OSError):
        last = ""
        for line in (root / "fib_trie").read_text(encoding="ascii").splitlines():
            text = line.strip()
            if text.startswith("|-- "):
                last = text[4:]
            elif text.startswith("/32 host LOCAL") and last:
                out.append(last)
    with contextlib.suppress(OSError):
        for line in (root / "if_inet6").read_text(encoding="ascii").splitlines():
            digits = line.split()[0] if line.split() else ""
            if len(digits) == 32:
                with contextlib.suppress(ValueError):
                    out.append(str(ipaddress.IPv6Address(bytes.fromhex(digits))))
    return out


def _interface_addresses() -> list[str]:
    """Each interface's IPv4 address by ``SIOCGIFADDR`` (Linux; elsewhere nothing)."""
    import sys

    if not sys.platform.startswith("linux"):
        return []
    import fcntl
    import struct

    siocgifaddr = 0x8915
    out = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        for _, name in socket.if_nameindex():
            request = struct.pack("256s", name.encode()[:15])
            with contextlib.suppress(OSError):
                answer = fcntl.ioctl(probe.fileno(), siocgifaddr, request)
                out.append(socket.inet_ntoa(answer[20:24]))
    return out


def _hostname_addresses() -> list[str]:
    infos = socket.getaddrinfo(socket.gethostname(), None)
    return [str(info[4][0]) for info in infos
            if info[0] in (socket.AF_INET, socket.AF_INET6)]


def not_this_laptops(host: str, found: list[str]) -> str:
    """The hint for an address this laptop does not have: the ones it has."""
    if not found:
        return (f"This laptop has no address {host}, and no network address at all: connect "
                "it to the room's Wi-Fi or turn on its hotspot, then try again")
    return (f"This laptop has no address {host}; its addresses are "
            f"{', '.join(found)}. Give one of them with --host, or --host 0.0.0.0 for every "
            "network")


def bind(host: str, port: int, found: list[str] | None = None) -> socket.socket:
    """A listening socket (port 0 = any free port); a busy port, or an address this laptop
    does not have (``found``: its addresses, default :func:`local_addresses`), is a located
    error."""
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
        hint = "Choose another --port, or check --host"
        if exc.errno == errno.EADDRNOTAVAIL:
            hint = not_this_laptops(host, local_addresses() if found is None else found)
        raise WorkshopError([Problem(file=f"{host}:{port}", code=Code.WORKSHOP_CANNOT_LISTEN,
                                     message=f"cannot listen: "
                                     f"{exc.strerror or exc}", hint=hint)]) from None
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

