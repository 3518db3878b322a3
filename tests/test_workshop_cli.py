"""What `leadlens workshop` prints: the join address and QR code, the facilitator address,
where phones must join, and clean errors (the server itself is replaced by a stand-in that
returns at once)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from leadlens.cli import app
from leadlens.workshop import server as workshop_server
from workshop_support import Phone, client, make_workshop


@pytest.fixture
def no_serving(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Replace the blocking server with one that says it is ready and stops (as Ctrl-C)."""
    served: list[Any] = []

    def serve(workshop: Any, sock: Any, on_ready: Any = None) -> None:
        served.append(workshop)
        if on_ready is not None:
            on_ready()
        workshop.room.close()
        sock.close()

    monkeypatch.setattr(workshop_server, "serve", serve)
    return served


def test_prints_the_join_address_qr_code_and_facilitator_address(
        tmp_path: Path, no_serving: list[Any]) -> None:
    out = tmp_path / "board.csv"
    result = CliRunner().invoke(app, ["workshop", "-o", str(out), "--port", "0"])
    assert result.exit_code == 0, result.stderr
    [workshop] = no_serving
    join = re.search(r"Phones join at:  (http://127\.0\.0\.1:(\d+)/r/([a-z0-9]+))\n",
                     result.stdout)
    assert join and join.group(3) == workshop.secrets.room
    assert "\u2588" in result.stdout  # the QR code, drawn with block characters
    assert f":{join.group(2)}/start/{workshop.secrets.facilitator}" in result.stdout
    assert f"Agreed: {tmp_path / 'board.agreed.yaml'}" in result.stdout
    assert "Listening on this laptop only (127.0.0.1): phones cannot join" in result.stderr
    assert result.stderr.rstrip().endswith(f"Stopped. Nobody submitted answers, so {out} was "
                                           "not written; continue with --resume.")
    assert not out.exists()
    assert '<svg role="img" aria-label="QR code to join the workshop"' in workshop.qr_svg


def test_resume_says_where_the_room_was(tmp_path: Path, no_serving: list[Any]) -> None:
    w = make_workshop(tmp_path)
    done = Phone(client(w), w.secrets.room)
    done.join()
    done.answer_all()
    done.submit()
    halfway = Phone(client(w), w.secrets.room)
    halfway.join()
    halfway.answer("Trust")
    w.room.close()
    result = CliRunner().invoke(app, ["workshop", "-o", str(tmp_path / "board.csv"),
                                      "--port", "0", "--resume"])
    assert result.exit_code == 0, result.stderr
    out = tmp_path / "board.csv"
    lines = result.stdout.splitlines()
    at = lines.index(f"Resumed the workshop of {out}.workshop.json: 1 submitted. Unfinished "
                     "journals (each participant carries on where they were, on their own "
                     "phone):")
    assert re.fullmatch(r"  board\.csv\.partial\.jsonl: started \d{4}-\d\d-\d\d "
                        r"\d\d:\d\d:\d\d UTC, 1 answer\(s\) so far", lines[at + 1]), lines
    assert "Trust" not in result.stdout  # which journal, never what it says
    assert f"/r/{w.secrets.room}" in result.stdout  # the same link as before the crash


def test_resume_names_every_journal_and_drops_one_already_saved(
        tmp_path: Path, no_serving: list[Any]) -> None:
    import shutil

    w = make_workshop(tmp_path)
    phones = []
    for answers in (1, 2):
        phone = Phone(client(w), w.secrets.room)
        phone.join()
        for _ in range(answers):
            phone.answer("Trust" if phone.step()[0] == "organisation" else  # type: ignore[index]
                         phone.step()[1][0])  # type: ignore[index]
        phones.append(phone)
    before = set(tmp_path.glob("board.csv.partial*.jsonl"))
    saved = Phone(client(w), w.secrets.room)
    saved.join()
    saved.answer_all()
    [journal] = set(tmp_path.glob("board.csv.partial*.jsonl")) - before
    shutil.copy(journal, tmp_path / "kept")
    saved.submit()
    w.room.close()
    shutil.copy(tmp_path / "kept", journal)  # the crash between the row and the removal
    result = CliRunner().invoke(app, ["workshop", "-o", str(tmp_path / "board.csv"),
                                      "--port", "0", "--resume"])
    assert result.exit_code == 0, result.stderr
    listed = [line for line in result.stdout.splitlines() if line.startswith("  board.csv")]
    assert len(listed) == 3, result.stdout
    assert sum("1 answer(s) so far" in line for line in listed) == 1
    assert sum("2 answer(s) so far" in line for line in listed) == 1
    assert sum(line.endswith("already saved (the workshop stopped before removing it); "
                             "removed, not saved again") for line in listed) == 1


def test_an_address_the_laptop_does_not_have_is_a_clean_error(
        tmp_path: Path, no_serving: list[Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workshop_server, "local_addresses", lambda: ["10.1.2.3", "fd00::2"])
    result = CliRunner().invoke(app, ["workshop", "-o", str(tmp_path / "board.csv"),
                                      "--host", "192.0.2.1", "--port", "8123"])
    assert result.exit_code == 1
    assert re.fullmatch(r"192\.0\.2\.1:8123: cannot listen: [^\n]+\. This laptop has no "
                        r"address 192\.0\.2\.1; its addresses are 10\.1\.2\.3, fd00::2\. Give "
                        r"one of them with --host, or --host 0\.0\.0\.0 for every network\n",
                        result.stderr), result.stderr
    assert no_serving == []


def test_a_laptop_with_no_network_says_so_when_the_address_is_missing(
        tmp_path: Path, no_serving: list[Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workshop_server, "local_addresses", lambda: [])
    result = CliRunner().invoke(app, ["workshop", "-o", str(tmp_path / "board.csv"),
                                      "--host", "192.0.2.1", "--port", "8123"])
    assert result.exit_code == 1
    assert "no network address at all: connect it to the room's Wi-Fi" in result.stderr


def test_a_busy_port_is_a_clean_error(tmp_path: Path, no_serving: list[Any]) -> None:
    taken = workshop_server.bind("127.0.0.1", 0)
    try:
        port = taken.getsockname()[1]
        result = CliRunner().invoke(app, ["workshop", "-o", str(tmp_path / "board.csv"),
                                          "--port", str(port)])
    finally:
        taken.close()
    assert result.exit_code == 1
    assert result.stderr.startswith(f"127.0.0.1:{port}: cannot listen: ")


def test_every_interface_names_the_addresses_phones_can_use() -> None:
    found = ["192.168.137.1", "10.20.30.40", "fd00::2"]
    every = workshop_server.addresses("0.0.0.0", found)  # noqa: S104
    assert (every.join, every.also) == ("192.168.137.1", ["10.20.30.40"])
    assert every.hosts == ["127.0.0.1", "localhost", "192.168.137.1", "10.20.30.40"]
    assert any("phones can join on 192.168.137.1 or 10.20.30.40 (the QR code uses the "
               "first)" in w for w in every.notes)
    assert any("Guest Wi-Fi" in w and "hotspot" in w for w in every.notes)
    six = workshop_server.addresses("::", found)
    assert six.join == "192.168.137.1" and six.also == ["10.20.30.40", "fd00::2"]
    assert "[fd00::2]" in six.hosts and "[::1]" in six.hosts
    public = workshop_server.addresses("8.8.8.8", found)
    assert public.hosts == ["127.0.0.1", "localhost", "8.8.8.8"]
    assert any("public address" in w for w in public.notes)


def test_every_interface_without_a_network_says_phones_cannot_join() -> None:
    none = workshop_server.addresses("0.0.0.0", [])  # noqa: S104
    assert none.join == "127.0.0.1" and none.also == []
    assert any("no network address yet, so phones cannot join" in w for w in none.notes)


def test_the_terminal_lists_every_address_and_the_qr_uses_a_real_one(
        tmp_path: Path, no_serving: list[Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workshop_server, "local_addresses",
                        lambda: ["192.168.137.1", "10.20.30.40"])
    result = CliRunner().invoke(app, ["workshop", "-o", str(tmp_path / "b.csv"), "--port", "0",
                                      "--host", "0.0.0.0"])  # noqa: S104
    assert result.exit_code == 0, result.stderr
    [workshop] = no_serving
    code = workshop.secrets.room
    joined = re.search(r"^Phones join at:  http://192\.168\.137\.1:(\d+)/r/(\w+)$",
                       result.stdout, re.M)
    assert joined and joined.group(2) == code, result.stdout
    port = joined.group(1)
    assert f"\n            or:  http://10.20.30.40:{port}/r/{code}\n" in result.stdout
    assert workshop.join_url == f"http://192.168.137.1:{port}/r/{code}"
    assert workshop.qr_svg == workshop_server.qr_svg(workshop.join_url)
    assert "127.0.0.1" not in result.stdout.split("Facilitator screen")[0]
    assert f"http://127.0.0.1:{port}/start/" in result.stdout  # the facilitator's own
    assert workshop.allowed_hosts == ["127.0.0.1", "localhost", "192.168.137.1",
                                      "10.20.30.40"]
    for name, status in (("192.168.137.1", 200), (f"10.20.30.40:{port}", 200),
                         ("rebound.example", 400), ("192.168.137.2", 400)):
        page = client(workshop).get(f"/r/{code}", headers={"host": name})
        assert page.status_code == status, name


@pytest.mark.parametrize(("args", "message"), [
    (["-o", "-"], "Error: --output -: the workshop appends to a responses file; give a file "
                  "name, e.g. -o board.csv\n"),
    (["--port", "70000"], "Error: --port 70000: must be 0 to 65535\n"),
    (["--rate-limit", "0"], "Error: --rate-limit 0: must be more than 0\n"),
])
def test_usage_errors(args: list[str], message: str, no_serving: list[Any]) -> None:
    result = CliRunner().invoke(app, ["workshop", *args])
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", message)


def test_quiet_leaves_the_addresses_and_drops_the_notes(tmp_path: Path,
                                                        no_serving: list[Any]) -> None:
    result = CliRunner().invoke(app, ["workshop", "-o", str(tmp_path / "b.csv"), "--port", "0",
                                      "--quiet"])
    assert result.exit_code == 0
    assert "Phones join at:" in result.stdout and "/start/" in result.stdout
    assert result.stderr == ""


def test_choices_give_phones_a_list_to_choose_from(tmp_path: Path, no_serving: list[Any]
                                                   ) -> None:
    """`leadlens workshop --choices organisation=FILE`: the same file and checks as
    `leadlens survey --choices`; each phone is offered the list (and nothing else)."""
    orgs = tmp_path / "orgs.txt"
    orgs.write_text("# organisations in the room\nNorth Riverside ICB\n\nNorthbridge   "
                    "Hospitals\n", encoding="utf-8")
    out = tmp_path / "board.csv"
    result = CliRunner().invoke(app, ["workshop", "-o", str(out), "--port", "0", "--choices",
                                      f"organisation={orgs}", "--rate-limit", "1000"])
    assert result.exit_code == 0, result.stderr
    [workshop] = no_serving
    from starlette.testclient import TestClient

    from leadlens.workshop.app import build_app

    phone = Phone(TestClient(build_app(workshop), base_url="http://127.0.0.1",
                             follow_redirects=True), workshop.secrets.room)
    phone.join()
    page = phone.page().text
    assert phone.step(page) == ("organisation", ["North Riverside ICB", "Northbridge Hospitals"])
    assert 'name="value" type="text"' not in page and "<textarea" not in page
    refused = phone.answer("Somewhere Else").text
    assert "&#39;Somewhere Else&#39; is not one of the choices." in refused
    assert phone.step(refused) is not None and phone.step(refused)[0] == "organisation"  # type: ignore[index]
    phone.answer("Northbridge Hospitals")
    phone.answer_all()
    assert "Thank you" in phone.submit().text
    with out.open(encoding="utf-8") as handle:
        import csv

        [row] = list(csv.DictReader(handle))
    assert row["organisation"] == "Northbridge Hospitals"


@pytest.mark.parametrize(("spec", "code", "message"), [
    ("organisation", 2, "Error: --choices 'organisation': give FIELD=FILE"),
    ("colour=orgs.txt", 2, "'colour' is not a respondent field of ggi-systems-leadership; "
     "choose from organisation"),
    ("organisation=missing.txt", 1, "missing.txt: cannot read"),
    ("organisation=dupes.txt", 1, "dupes.txt:3: 'acme trust' is listed twice. First on line 1"),
])
def test_bad_choices_stop_the_workshop_before_it_listens(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_serving: list[Any], spec: str,
        code: int, message: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "dupes.txt").write_text("Acme Trust\nBeta\nacme  trust\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["workshop", "--port", "0", "--choices", spec])
    assert result.exit_code == code
    assert message in result.stderr, result.stderr
    assert no_serving == [] and not (tmp_path / "board.csv.workshop.json").exists()


FIB_TRIE = """\
Main:
  +-- 0.0.0.0/0 3 0 5
     |-- 0.0.0.0
        /0 universe UNICAST
     +-- 127.0.0.0/8 2 0 2
           |-- 127.0.0.1
              /32 host LOCAL
     +-- 192.168.137.0/24 2 0 2
           |-- 192.168.137.0
              /24 link UNICAST
           |-- 192.168.137.1
              /32 host LOCAL
           |-- 192.168.137.255
              /32 link BROADCAST
           |-- 10.20.30.40
              /32 host LOCAL
"""
IF_INET6 = """\
fe8000000000000000fc00fffe000001 04 40 20 80     eth0
fd000000000000000000000000000002 04 40 00 82     eth0
00000000000000000000000000000001 01 80 10 80       lo
"""


def test_linux_addresses_are_read_from_proc(tmp_path: Path) -> None:
    (tmp_path / "fib_trie").write_text(FIB_TRIE, encoding="ascii")
    (tmp_path / "if_inet6").write_text(IF_INET6, encoding="ascii")
    found = workshop_server._linux_addresses(tmp_path)
    assert found == ["127.0.0.1", "192.168.137.1", "10.20.30.40", "fe80::fc:ff:fe00:1",
                     "fd00::2", "::1"]
    assert workshop_server._linux_addresses(tmp_path / "missing") == []


def test_the_laptops_addresses_leave_out_loopback_and_link_local(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """As on Debian and Ubuntu: the host name resolves to 127.0.1.1 only, the real address
    comes from the route and the interfaces; each is listed once, IPv4 first."""
    def broken() -> list[str]:
        raise OSError("no route")

    monkeypatch.setattr(workshop_server, "_route_addresses", broken)
    monkeypatch.setattr(workshop_server, "_linux_addresses",
                        lambda: ["127.0.0.1", "fd00::2", "192.168.137.1", "fe80::1",
                                 "169.254.3.4"])
    monkeypatch.setattr(workshop_server, "_interface_addresses",
                        lambda: ["127.0.0.1", "192.168.137.1", "10.20.30.40"])
    monkeypatch.setattr(workshop_server, "_hostname_addresses", lambda: ["127.0.1.1"])
    assert workshop_server.local_addresses() == ["192.168.137.1", "10.20.30.40", "fd00::2"]
    monkeypatch.setattr(workshop_server, "_route_addresses", lambda: ["10.20.30.40"])
    assert workshop_server.local_addresses()[0] == "10.20.30.40"  # the default route first
