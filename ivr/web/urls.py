"""Absolute URLs as Twilio must see them: IVR_PUBLIC_URL when set (behind proxies Flask's own
view of the host is wrong), else the host this request arrived on (local development)."""

from __future__ import annotations

from flask import request

from ivr.web.app_state import current_app_state


def base_url() -> str:
    return current_app_state().settings.public_url or request.host_url.rstrip("/")


def absolute(path: str) -> str:
    """`/twilio/wait` → `https://ivr.example.com/twilio/wait`."""
    return base_url() + path


def websocket(path: str) -> str:
    """The same, as the wss:// (or ws:// for plain-http development) URL of a WebSocket."""
    url = absolute(path)
    return "wss://" + url.removeprefix("https://") if url.startswith("https://") else (
        "ws://" + url.removeprefix("http://"))
