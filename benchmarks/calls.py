"""Telephony figures: turn latency (caller's last speech frame → first bot audio frame),
concurrent streamed calls with outbound audio kept in real time, the server's CPU per second of
caller speech and its memory, and webhook throughput next to a bare Flask hello-world served
the same way.

Everything runs against `ivr serve` (gunicorn, threaded) in a subprocess on 127.0.0.1, played
by the same Twilio player as `ivr replay --server`, once per recogniser asked for.

Run: .venv/bin/python benchmarks/calls.py [--levels 10 20 30] [--engines whisper pocketsphinx]
     [--spread 8]   (figures go into BENCHMARKS.md)
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from memory import resident_mb
from twilio.request_validator import RequestValidator

from ivr.call_script import CallScript, ScriptRunner
from ivr.config import PROJECT_ROOT
from ivr.speech.tts import Voice
from ivr.speech.tts.espeak import EspeakSynthesizer
from ivr.speech.tts.prompt_audio import PromptAudio
from ivr.telephony.player import RemoteCall, Webhooks
from ivr.web.serve import run_gunicorn

TOKEN = "benchmark-token"
CACHE = PROJECT_ROOT / "var" / "cache"
SPOKEN = ["where is my order", "I want to return something", "track my parcel",
          "cancel my order", "what is your return policy", "how much is delivery"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def ivr_server(folder: Path, engine: str) -> Iterator[tuple[str, int]]:
    """A server with this recogniser: its base URL and process id."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "TWILIO_AUTH_TOKEN": TOKEN, "IVR_PUBLIC_URL": base,
           "IVR_DATABASE_URL": str(folder / "bench.db"), "IVR_CACHE_DIR": str(CACHE),
           "IVR_STT": engine}
    process = subprocess.Popen([str(Path(sys.executable).parent / "ivr"), "serve", "--port",
                                str(port)], env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        wait_until_ready(base, speech=True)
        yield base, process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)


def process_tree(pid: int) -> list[int]:
    """The process and every descendant (gunicorn's worker, decoder processes)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rpartition(")")[2].split()[1])
            except OSError:  # exited while we looked
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        queue += children.get(current, [])
    return found


def server_usage(pid: int) -> tuple[float, float]:
    """(CPU seconds so far, resident MB now) of the server and its descendants."""
    cpu = rss = 0.0
    for member in process_tree(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rpartition(")")[2].split()
            member_rss = resident_mb(member)
        except OSError:
            continue
        cpu += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        rss += member_rss
    return cpu, rss


@contextmanager
def hello_server() -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen([sys.executable, __file__, "--hello", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_ready(f"http://127.0.0.1:{port}", speech=False)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


def wait_until_ready(base: str, speech: bool) -> None:
    for _ in range(240):
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                if not speech or json.loads(response.read())["speech_ready"]:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"{base} did not become ready")


def serve_hello(port: int) -> None:
    app = Flask("hello")
    app.add_url_rule("/healthz", "health", lambda: "ok")
    app.add_url_rule("/hello", "hello", lambda: "hello", methods=["POST"])
    run_gunicorn(lambda: app, "127.0.0.1", port)  # configured exactly like `ivr serve`


# ---------------------------------------------------------------- calls
def load_script(turns: int) -> CallScript:
    """A caller who says things (whatever the bot makes of them) and hangs up."""
    steps = [{"say": SPOKEN[i % len(SPOKEN)]} for i in range(turns)] + [{"hangup": True}]
    return CallScript("load", "", steps, None, Voice("en-us", 160), PROJECT_ROOT)


def run_calls(base: str, count: int, turns: int, voices: PromptAudio,
              spread_s: float = 0.0) -> list[RemoteCall]:
    """`count` calls at once, the n-th starting n * spread_s / count seconds in, so with a
    spread their callers speak at different moments, as in a call centre."""
    script = load_script(turns)

    def one(index: int) -> RemoteCall:
        time.sleep(index * spread_s / count)
        call = RemoteCall(Webhooks(base, TOKEN), "", fast=False)
        ScriptRunner(call, lambda text, voice: voices.ulaw(text), io.StringIO()).run(script)
        return call

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(one, range(count)))


def caller_speech_s(turns: int, voices: PromptAudio) -> float:
    """Seconds of speech one load-script caller says."""
    return sum(len(voices.ulaw(SPOKEN[i % len(SPOKEN)])) for i in range(turns)) / 8000


def measured_level(base: str, pid: int, level: int, voices: PromptAudio,
                   spread_s: float) -> None:
    """One concurrency level: latency and gaps, and what it cost the server."""
    cpu_before, idle_mb = server_usage(pid)
    peak_mb = idle_mb
    done = threading.Event()

    def watch() -> None:
        nonlocal peak_mb
        while not done.wait(0.5):
            peak_mb = max(peak_mb, server_usage(pid)[1])

    watcher = threading.Thread(target=watch)
    watcher.start()
    calls = run_calls(base, level, 2, voices, spread_s)
    done.set()
    watcher.join()
    cpu = server_usage(pid)[0] - cpu_before
    report_calls(f"concurrency {level}, starts spread over {spread_s:.0f} s", calls)
    speech = level * caller_speech_s(2, voices)
    print(f"  server CPU {cpu:.1f} s for {speech:.0f} s of caller speech "
          f"({cpu / speech:.2f} s per second of speech, greetings and prompts included); "
          f"RSS {idle_mb:.0f} MB idle, {peak_mb:.0f} MB at most "
          f"(+{(peak_mb - idle_mb) / level:.1f} MB per call)")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def report_calls(label: str, calls: list[RemoteCall]) -> None:
    latencies = [ms for call in calls for ms in call.latencies_ms]
    gaps = [ms for call in calls for ms in call.gaps_ms]
    frames = sum(len(call.bot_audio) for call in calls) // 160
    print(f"{label}: {len(calls)} calls, {len(latencies)} caller turns, {frames} bot frames")
    if latencies:
        print(f"  turn latency p50 {statistics.median(latencies):.0f} ms, "
              f"p95 {percentile(latencies, 0.95):.0f} ms, max {max(latencies):.0f} ms")
    print(f"  outbound gaps inside prompts: {len(gaps)}"
          + (f", max {max(gaps):.0f} ms, total {sum(gaps):.0f} ms" if gaps else ""))


# ---------------------------------------------------------------- webhooks
def throughput(base: str, path: str, signed: bool, seconds: float = 4.0,
               clients: int = 8) -> float:
    """Requests per second from `clients` keep-alive connections, after a round as long that
    warms the server up (its first round varied by 10 %)."""
    _requests_per_second(base, path, signed, seconds, clients)
    return _requests_per_second(base, path, signed, seconds, clients)


def _requests_per_second(base: str, path: str, signed: bool, seconds: float,
                         clients: int) -> float:
    host, port = urllib.parse.urlsplit(base).netloc.split(":")
    counts = [0] * clients
    stop = time.monotonic() + seconds

    def client(index: int) -> None:
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        number = 0
        while time.monotonic() < stop:
            number += 1
            form = {"CallSid": f"CA{index:02d}{number:08d}", "From": "+15550100001",
                    "To": "+15550109999", "CallStatus": "ringing"}
            headers = {"Content-Type": "application/x-www-form-urlencoded"}
            if signed:
                headers["X-Twilio-Signature"] = RequestValidator(TOKEN).compute_signature(
                    base + path, form)
            connection.request("POST", path, urllib.parse.urlencode(form), headers)
            response = connection.getresponse()
            response.read()
            if response.status == 200:
                counts[index] += 1
        connection.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hello", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--levels", type=int, nargs="*", default=[10, 20, 30])
    parser.add_argument("--engines", nargs="*", default=["whisper", "pocketsphinx"])
    parser.add_argument("--spread", type=float, default=8.0,
                        help="seconds over which a level's calls start")
    args = parser.parse_args()
    if args.hello:
        serve_hello(args.hello)
        return
    synthesizer = EspeakSynthesizer(workers=1)
    voices = PromptAudio(synthesizer, CACHE / "caller", Voice("en-us", 160))
    with tempfile.TemporaryDirectory() as folder:
        for engine in args.engines:
            print(f"== IVR_STT={engine}")
            with ivr_server(Path(folder), engine) as (base, pid):
                print(f"  server RSS when ready: {server_usage(pid)[1]:.0f} MB")
                report_calls("turn latency (2 calls)", run_calls(base, 2, 6, voices))
                for level in args.levels:
                    measured_level(base, pid, level, voices, args.spread)
                ivr_rate = throughput(base, "/twilio/voice", signed=True)
        with hello_server() as hello:
            hello_rate = throughput(hello, "/hello", signed=False)
    synthesizer.close()
    print(f"webhooks: /twilio/voice {ivr_rate:.0f} req/s, hello world {hello_rate:.0f} req/s, "
          f"ratio {ivr_rate / hello_rate:.2f}")


if __name__ == "__main__":
    main()
