"""Load benchmark for ``leadlens workshop``: 50 phones answering at once against the real server.

Starts ``leadlens workshop`` on 127.0.0.1 in a temporary folder, then 50 simulated participants
(threads, each with its own cookies) join and answer every question of the bundled set as fast
as the server lets them, then submit. A facilitator long-polls ``/f/live`` meanwhile.

Reports:

- answer-to-journal latency: from sending an answer to its response. The server responds only
  after the answer is written and fsynced to the participant's journal, so this is the time
  until an answer is safe on disk; p50 and p95 over every answer;
- the facilitator screen's update delay: from a participant's submit response to the moment the
  facilitator's live feed first shows that many finished; p50 and p95 over the submits;
- throughput, and that the CSV holds every participant exactly once.

Traffic goes to 127.0.0.1 only, and every loop is bounded. Run: ``python
benchmarks/workshop_load.py [--participants 50] [--think 1.0]``.
"""

from __future__ import annotations

import argparse
import csv
import http.cookiejar
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from leadlens.questionset.loading import load_question_set
from leadlens.survey.flow import build_steps


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def opener() -> tuple[urllib.request.OpenerDirector, http.cookiejar.CookieJar]:
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect()), jar


def send(client: urllib.request.OpenerDirector, url: str,
         data: dict[str, str] | None = None) -> int:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    try:
        with client.open(url, data=body, timeout=60) as response:
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as exc:
        exc.read()
        exc.close()
        return int(exc.code)


def cookie(jar: http.cookiejar.CookieJar, name: str) -> str:
    return next(c.value for c in jar if c.name == name and c.value is not None)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=50)
    parser.add_argument("--think", type=float, default=0.0, metavar="SECONDS",
                        help="Pause between a participant's answers (0 = as fast as the "
                             "server allows: the worst case; a person takes 3-10 s)")
    args = parser.parse_args()
    qs = load_question_set(None)
    steps = build_steps(qs)
    folder = Path(tempfile.mkdtemp(prefix="workshop-load-"))
    output = folder / "board.csv"
    server = subprocess.Popen(
        [sys.executable, "-m", "leadlens", "workshop", "-o", str(output), "--port", "0",
         "--rate-limit", "100000"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        join = facilitator = ""
        assert server.stdout is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (join and facilitator):
            line = server.stdout.readline()
            if line.startswith("Phones join at:"):
                join = line.split(":", 1)[1].strip()
            if "/start/" in line:
                facilitator = line.strip()
        base = join.split("/r/")[0]
        latencies: list[float] = []
        submitted: list[float] = []
        lock = threading.Lock()
        errors: list[str] = []
        start = threading.Barrier(args.participants + 1)

        def participant(number: int) -> None:
            client, jar = opener()
            send(client, join)
            token = cookie(jar, "ll_csrf")
            send(client, join + "/join", {"csrf": token})
            start.wait()
            own: list[float] = []
            pause = random.Random(number)
            for step in steps:
                if args.think:
                    time.sleep(args.think * pause.uniform(0.5, 1.5))
                if step.choices:
                    scored = [c.value for c in step.choices if c.scored]
                    value = scored[(number + len(own)) % len(scored)]
                else:
                    value = f"Participant {number}" if step.required or step.kind == "field" \
                        else ""
                began = time.perf_counter()
                status = send(client, join + "/q", {"csrf": token, "step": step.key,
                                                    "value": value, "action": "answer"})
                own.append(time.perf_counter() - began)
                if status != 303:
                    errors.append(f"{number} {step.key}: {status}")
            status = send(client, join + "/review", {"csrf": token, "action": "submit"})
            done = time.monotonic()
            with lock:
                latencies.extend(own)
                submitted.append(done)
                if status != 303:
                    errors.append(f"{number} submit: {status}")

        seen: list[tuple[float, int]] = []
        stop = threading.Event()

        def watch() -> None:
            client, _ = opener()
            send(client, facilitator)
            since = ""
            while not stop.is_set():
                with client.open(f"{base}/f/live?since={since}", timeout=30) as response:
                    data = json.loads(response.read())
                seen.append((time.monotonic(), int(data["finished"])))
                since = str(data["changes"])

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        threads = [threading.Thread(target=participant, args=(i,))
                   for i in range(args.participants)]
        for thread in threads:
            thread.start()
        start.wait()
        began = time.monotonic()
        for thread in threads:
            thread.join(timeout=600)
        elapsed = time.monotonic() - began
        time.sleep(1.0)
        stop.set()
        delays = []
        for rank, at in enumerate(sorted(submitted), start=1):
            shown = next((t for t, finished in seen if finished >= rank and t >= at - 1e-3),
                         None)
            if shown is not None:
                delays.append(max(0.0, shown - at))
        with output.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        ids = {r["respondent_id"] for r in rows}
        print(f"participants: {args.participants}, answers each: {len(steps)}, "
              f"think time: {args.think:g} s, "
              f"answers in all: {len(latencies)}, errors: {len(errors)}")
        print(f"answer-to-journal latency: p50 {1000 * statistics.median(latencies):.1f} ms, "
              f"p95 {1000 * percentile(latencies, 0.95):.1f} ms, "
              f"max {1000 * max(latencies):.1f} ms")
        print(f"throughput: {len(latencies) / elapsed:.0f} answers/s "
              f"({elapsed:.1f} s for the whole room)")
        if delays:
            print(f"facilitator update delay after a submit: p50 "
                  f"{1000 * statistics.median(delays):.0f} ms, p95 "
                  f"{1000 * percentile(delays, 0.95):.0f} ms ({len(delays)} submits)")
        print(f"responses CSV: {len(rows)} rows, {len(ids)} distinct respondents")
        if errors or len(rows) != args.participants or len(ids) != args.participants:
            print("FAILED: " + "; ".join(errors[:5]))
            sys.exit(1)
    finally:
        server.terminate()
        server.communicate(timeout=30)


if __name__ == "__main__":
    main()
