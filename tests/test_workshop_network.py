"""A real `leadlens workshop --host 0.0.0.0` on this machine: phones reach it on the
machine's own network address (not only 127.0.0.1), and other host names are still refused.

The machine's addresses are read with `ip -4 -o addr` (or `hostname -I`), not with the code
under test; a machine with no address but loopback skips, saying so.
"""

from __future__ import annotations

import ipaddress
import os
import re
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest


def machine_addresses() -> list[str]:
    """This machine's non-loopback IPv4 addresses, as the system's own tools list them."""
    if shutil.which("ip"):
        said = subprocess.run(["ip", "-4", "-o", "addr"], capture_output=True, text=True,
                              check=False).stdout
        found = re.findall(r"\binet (\d+\.\d+\.\d+\.\d+)/", said)
    elif shutil.which("hostname"):
        said = subprocess.run(["hostname", "-I"], capture_output=True, text=True,
                              check=False).stdout
        found = [a for a in said.split() if "." in a]
    else:
        pytest.skip("neither `ip` nor `hostname` is installed to list this machine's addresses")
    usable = [a for a in found if not ipaddress.ip_address(a).is_loopback
              and not ipaddress.ip_address(a).is_link_local]
    if not usable:
        pytest.skip("this machine has no network address but loopback (`ip -4 -o addr`), so "
                    "no phone could reach it")
    return usable


def fetch(url: str, host: str | None = None) -> tuple[int, str]:
    request = urllib.request.Request(  # noqa: S310  an http:// address made above
        url, headers={"Host": host} if host else {})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # no proxy
    try:
        with opener.open(request, timeout=20) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_phones_join_on_the_machines_own_address(tmp_path: Path) -> None:
    mine = machine_addresses()
    process = subprocess.Popen(
        [sys.executable, "-m", "leadlens", "workshop", "-o", str(tmp_path / "b.csv"),
         "--host", "0.0.0.0", "--port", "0"],  # noqa: S104
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        assert process.stdout is not None
        lines = []
        for line in process.stdout:
            lines.append(line)
            if line.startswith("Press Ctrl-C"):
                break
        printed = "".join(lines)
        joined = re.search(r"^Phones join at:  http://([\d.]+):(\d+)/r/(\w+)$", printed, re.M)
        assert joined, printed
        address, port, code = joined.groups()
        assert address in mine, (address, mine)
        listed = {address} | set(re.findall(r"^ +or:  http://([\d.]+):", printed, re.M))
        assert set(mine) <= listed, (mine, printed)
        for each in mine:
            status, page = fetch(f"http://{each}:{port}/r/{code}")
            assert status == 200 and 'action="/r/' + code + '/join"' in page, (each, status)
        assert fetch(f"http://{address}:{port}/r/{code}", "rebound.example")[0] == 400
        assert fetch(f"http://127.0.0.1:{port}/r/{code}")[0] == 200
    finally:
        process.terminate()
        _, err = process.communicate(timeout=30)
    assert "Listening on every network this laptop is on: phones can join on " + address \
        in err, err
