"""Persistence of calls, turns, transfers, callbacks and surveys, with PII redacted first."""
