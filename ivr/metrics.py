"""The server's Prometheus metrics (GET /metrics, ivr.web.metrics), defined once here and
updated where things happen: calls and transfers by the call record, turns by the recogniser's
listener, webhooks by the web layer.

Under several gunicorn workers each process writes its values to files in
PROMETHEUS_MULTIPROC_DIR (set by `ivr serve` before this module is imported) and /metrics adds
them up; a single process keeps them in memory.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

LATENCY_BUCKETS = (0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0)
"""Seconds; the targets are 0.25 s (endpoint to intent), 0.9 s (turn) and 1.5 s (20 calls)."""

CALLS_ACTIVE = Gauge(
    "ivr_calls_active", "Calls whose audio (media stream) or dialog (Gather mode) this server "
    "is holding now.", multiprocess_mode="livesum")
CALLS = Counter("ivr_calls_total", "Calls ended, by outcome (contained, transferred, abandoned).",
                ["outcome"])
TURNS = Counter("ivr_turns_total", "Caller turns heard (speech or keys).")
TURN_LATENCY = Histogram(
    "ivr_turn_latency_seconds", "From the end of the caller's speech to the bot's answer being "
    "ready to play.", buckets=LATENCY_BUCKETS)
RECOGNITION = Histogram(
    "ivr_recognition_seconds", "Time to the final transcript once the caller stopped, by engine.",
    ["engine"], buckets=LATENCY_BUCKETS)
TRANSFERS = Counter("ivr_transfers_total", "Calls handed to people, by reason.", ["reason"])
WEBHOOKS = Counter("ivr_webhook_requests_total", "Twilio webhook requests, by endpoint and "
                   "HTTP status.", ["endpoint", "status"])
SIGNATURE_FAILURES = Counter(
    "ivr_signature_failures_total", "Requests refused because Twilio did not sign them (or a "
    "media stream's token was wrong).")
DATABASE_SECONDS = Histogram(
    "ivr_database_seconds", "Time in database transactions, waiting for a connection included.",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 2.5))
DECODER_QUEUE = Gauge(
    "ivr_decoder_queue_length", "Utterances waiting for, or in, the Whisper decoder.",
    multiprocess_mode="livesum")
