"""Several servers on one PostgreSQL database under load, next to one server on SQLite, in the
same run: streamed calls through a round-robin TCP balancer (each new connection, webhook or
media stream, goes to the next server, as nginx's default does), all on 127.0.0.1.

Per configuration: calls held without an outbound audio gap, webhook p95 (as the caller's side
times them), turn latency p95 (caller's last speech frame → first bot audio frame), database
time per caller turn (the servers' own ivr_database_seconds over ivr_turns_total), and each
server's memory.

Run: .venv/bin/python benchmarks/load.py [--calls 10] [--turns 2] [--spread 8]
     (figures go into BENCHMARKS.md; starts its own PostgreSQL, needs Debian's postgresql)
"""

from __future__ import annotations

import argparse
import io
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager, suppress
from itertools import cycle
from pathlib import Path

from calls import CACHE, TOKEN, free_port, load_script, percentile, server_usage, wait_until_ready
from prometheus_client.parser import text_string_to_metric_families

from ivr.call_script import ScriptRunner
from ivr.config import PROJECT_ROOT
from ivr.speech.tts import Voice
from ivr.speech.tts.espeak import EspeakSynthesizer
from ivr.speech.tts.prompt_audio import PromptAudio
from ivr.telephony.player import RemoteCall, Webhooks

sys.path.insert(0, str(PROJECT_ROOT))
from tests.databases import PostgresServer  # the tests' throwaway server


class Balancer:
    """A TCP round robin on 127.0.0.1 in front of the servers."""

    def __init__(self, backends: list[int]) -> None:
        self.ports = list(backends)
        """The servers' ports, each scraped directly for its metrics."""
        self._backends = cycle(backends)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", next(self._backends)))
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=_pump, args=(source, sink), daemon=True).start()

    def close(self) -> None:
        self._listener.close()


def _pump(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    finally:
        for end in (source, sink):
            with suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)


class TimedWebhooks(Webhooks):
    """Webhooks that note how long each took to answer."""

    def __init__(self, base_url: str, times_ms: list[float]) -> None:
        super().__init__(base_url, TOKEN)
        self._times_ms = times_ms

    def post(self, path: str, params: dict[str, str],
             headers: dict[str, str] | None = None) -> tuple[int, str]:
        started = time.perf_counter()
        try:
            return super().post(path, params, headers)
        finally:
            self._times_ms.append((time.perf_counter() - started) * 1000)


@contextmanager
def servers(database_url: str, count: int, folder: Path) -> Iterator[tuple[Balancer, list[int]]]:
    """`count` ivr serve processes on one database behind a balancer; their pids."""
    ports = [free_port() for _ in range(count)]
    balancer = Balancer(ports)
    env = {**os.environ, "TWILIO_AUTH_TOKEN": TOKEN, "IVR_PUBLIC_URL": balancer.url,
           "IVR_DATABASE_URL": database_url, "IVR_CACHE_DIR": str(CACHE)}
    processes = []
    try:
        for number, port in enumerate(ports):
            log = (folder / f"server{number}.log").open("w")
            processes.append(subprocess.Popen(
                [str(Path(sys.executable).parent / "ivr"), "serve", "--port", str(port)],
                env=env, stdout=log, stderr=subprocess.STDOUT))
        for port in ports:
            wait_until_ready(f"http://127.0.0.1:{port}", speech=True)
        yield balancer, [process.pid for process in processes]
    finally:
        balancer.close()
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=60)


def scraped(ports: list[int], name: str) -> float:
    """One metric's value added up over the servers (each scraped directly)."""
    total = 0.0
    for port in ports:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
            text = response.read().decode()
        total += sum(sample.value for family in text_string_to_metric_families(text)
                     for sample in family.samples if sample.name == name)
    return total


def measure(label: str, database_url: str, count: int, *, args: argparse.Namespace,
            voices: PromptAudio, folder: Path) -> None:
    with servers(database_url, count, folder) as (balancer, pids):
        ports = balancer.ports
        before = {name: scraped(ports, name)
                  for name in ("ivr_database_seconds_sum", "ivr_turns_total")}
        webhook_ms: list[float] = []
        script = load_script(args.turns)

        def one(index: int) -> RemoteCall:
            time.sleep(index * args.spread / args.calls)
            call = RemoteCall(TimedWebhooks(balancer.url, webhook_ms), "")
            ScriptRunner(call, lambda text, voice: voices.ulaw(text), io.StringIO()).run(script)
            return call

        with ThreadPoolExecutor(max_workers=args.calls) as pool:
            calls = list(pool.map(one, range(args.calls)))
        database_s = scraped(ports, "ivr_database_seconds_sum") - before[
            "ivr_database_seconds_sum"]
        turns = scraped(ports, "ivr_turns_total") - before["ivr_turns_total"]
        memory = [server_usage(pid)[1] for pid in pids]
    latencies = [ms for call in calls for ms in call.latencies_ms]
    held = sum(1 for call in calls if not call.gaps_ms)
    print(f"{label}: {len(calls)} calls, {len(latencies)} caller turns")
    print(f"  calls without an outbound audio gap: {held}/{len(calls)}")
    print(f"  webhook p95 {percentile(webhook_ms, 0.95):.0f} ms ({len(webhook_ms)} requests)")
    print(f"  turn latency p50 {percentile(latencies, 0.5):.0f} ms, "
          f"p95 {percentile(latencies, 0.95):.0f} ms")
    print(f"  database time per caller turn {1000 * database_s / max(turns, 1):.1f} ms "
          f"(all transactions of the calls, over {turns:.0f} turns)")
    print("  RSS per server: " + ", ".join(f"{mb:.0f} MB" for mb in memory))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=10)
    parser.add_argument("--turns", type=int, default=2)
    parser.add_argument("--spread", type=float, default=8.0,
                        help="seconds over which the calls start")
    args = parser.parse_args()
    synthesizer = EspeakSynthesizer(workers=1)
    voices = PromptAudio(synthesizer, CACHE / "caller", Voice("en-us", 160))
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        postgres = PostgresServer()
        stack.callback(postgres.close)
        stack.callback(synthesizer.close)
        for label, url, count in [("one server, SQLite", f"sqlite:///{folder}/load.db", 1),
                                  ("two servers, PostgreSQL", postgres.new_database(), 2)]:
            measure(label, url, count, args=args, voices=voices, folder=folder)


if __name__ == "__main__":
    main()
