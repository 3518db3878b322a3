"""The room's new pages in real Chromium at 360 px, with axe-core: the introduction and its
Continue, a section's instruction, the review page's labels, closing the room (asked first,
then phones told), and the board pack holding back a principle that moved by one person.
And ``--host ::1``: the server on IPv6 loopback, reachable at the address it prints.

Set ``LEADLENS_SCREENSHOTS=folder`` to keep screenshots.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import socket
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from test_workshop_browser import (
    CHROMIUM_ARGS,
    PHONE,
    Server,
    accessibility,
    axe_source,
    chromium,
    refresh,
    shots,
)
from test_workshop_phone_text import INSTRUCTION, intro_set

pytestmark = pytest.mark.slow
__all__ = ["axe_source", "chromium"]  # fixtures, used by name


def _ipv6() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as sock:
            sock.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.fixture
def room_server(tmp_path: Path, chromium: str) -> Any:
    intro_set(tmp_path)
    running = Server(tmp_path, extra=[str(tmp_path / "intro.yaml")])
    running.start()
    yield running
    running.close()


async def _answer_everything(page: Any, value: str, shoot: bool = False) -> list[str]:
    """Answer each question with the choice ``value`` picks; returns the instructions seen."""
    seen: list[str] = []
    folder = shots() if shoot else None
    while await page.locator('input[name="step"]').count():
        found = await page.locator("p.section-description").all_inner_texts()
        if folder and any(INSTRUCTION in t for t in found):
            await page.screenshot(path=str(folder / "phone-instruction.png"), full_page=True)
            folder = None
        seen += found
        choices = page.locator("button.choice")
        async with page.expect_navigation():
            if await choices.count():
                values = [await choices.nth(i).get_attribute("value") or ""
                          for i in range(await choices.count())]
                scored = [v for v in values if v.isdigit()]
                pick = {"low": scored[0], "high": scored[-1]}.get(value, values[0])
                await choices.nth(values.index(pick)).click()
            else:
                await page.fill("#value", "Trust" if not seen else "A good session")
                await page.get_by_role("button", name="Save and continue").click()
    return seen


async def _room(server: Server, axe: str) -> None:
    from playwright.async_api import async_playwright

    folder = shots()
    problems: list[str] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=shutil.which("chromium"),
                                          args=CHROMIUM_ARGS)
        desk = await browser.new_context(viewport={"width": 1366, "height": 900})
        screen = await desk.new_page()
        await screen.goto(server.facilitator_url)

        async def phone(value: str, shoot: bool = False) -> Any:
            context = await browser.new_context(**PHONE)
            page = await context.new_page()
            await page.goto(server.join_url)
            await page.get_by_role("button", name="Start").click()
            await page.wait_for_url(re.compile(r"/q$"))
            assert await page.get_by_role("heading", name="Before you start").count() == 1
            if shoot:
                problems.extend(await accessibility(page, axe, "introduction"))
                if folder:
                    await page.screenshot(path=str(folder / "phone-intro.png"), full_page=True)
            async with page.expect_navigation():
                await page.get_by_role("button", name="Continue to the questions").click()
            seen = await _answer_everything(page, value, shoot)
            assert any(INSTRUCTION in s for s in seen), seen
            assert await page.get_by_role("heading", name="Check your answers").count() == 1
            if shoot:
                problems.extend(await accessibility(page, axe, "review"))
                if folder:
                    await page.screenshot(path=str(folder / "phone-review.png"),
                                          full_page=True)
                labels = await page.locator("p.label").all_inner_texts()
                assert "Hats (System hat)" in labels and not any("@" in t for t in labels)
            async with page.expect_navigation():
                await page.get_by_role("button", name="Submit my answers").first.click()
            return page

        for i in range(5):
            await phone("low", shoot=i == 0)
        await refresh(screen)
        async with screen.expect_navigation():
            await screen.locator('li[data-unit="principle:basics"] button').click()
        assert "out of 100" in await screen.content()
        late = await phone("high")
        async with screen.expect_navigation():
            await screen.get_by_role("button", name="Finish: write the board pack").click()
        notice = await screen.locator("p.notice").inner_text()
        assert re.search(r"Held back from it, because publishing both would let a few "
                         r"people's answers be worked out: Basics \(the screen showed it at "
                         r"\d\d:\d\d with a slightly different set of answers\)\.", notice), notice
        if folder:
            await screen.screenshot(path=str(folder / "facilitator-held-back.png"),
                                    full_page=True)

        await screen.get_by_role("link", name="Close the room…").click()
        await screen.wait_for_url(re.compile(r"/f/close$"))
        problems += await accessibility(screen, axe, "close the room?")
        if folder:
            await screen.screenshot(path=str(folder / "facilitator-close.png"), full_page=True)
        async with screen.expect_navigation():
            await screen.get_by_role("button", name="Yes, close the room").click()
        assert "The room: closed" in await screen.content()
        problems += await accessibility(screen, axe, "facilitator, room closed")

        await late.reload()
        assert "Someone else answers" not in await late.content()
        newcomer = await (await browser.new_context(**PHONE)).new_page()
        await newcomer.goto(server.join_url)
        assert await newcomer.get_by_role("heading", name="The room is closed").count() == 1
        problems += await accessibility(newcomer, axe, "phone, room closed")
        if folder:
            await newcomer.screenshot(path=str(folder / "phone-closed.png"), full_page=True)
        await browser.close()
    assert problems == []
    pack = (server.folder / "board.html").read_text(encoding="utf-8")
    assert "held back: it was shown on the workshop" in pack


def test_introduction_review_hold_back_and_closing_in_a_real_browser(
        room_server: Server, axe_source: str) -> None:
    asyncio.run(_room(room_server, axe_source))


@pytest.mark.skipif(not _ipv6(), reason="this machine has no IPv6 loopback")
def test_the_workshop_listens_on_ipv6_loopback(tmp_path: Path) -> None:
    server = Server(tmp_path, extra=["--host", "::1"])
    server.start()
    try:
        assert server.join_url.startswith("http://[::1]:")
        assert server.facilitator_url.startswith(f"http://[::1]:{server.port}/start/")
        import http.cookiejar

        opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}),
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        with opener.open(server.join_url, timeout=10) as response:
            page = response.read().decode()
        assert response.status == 200 and "<h1>Welcome</h1>" in page
        with opener.open(server.facilitator_url, timeout=10) as response:
            assert response.status == 200 and "Reveal one at a time" in response.read().decode()
        with pytest.raises(OSError):  # IPv6 only: nothing listens on 127.0.0.1 at that port
            socket.create_connection(("127.0.0.1", server.port), timeout=2).close()
    finally:
        server.stop()
