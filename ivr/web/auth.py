"""Console logins: sessions, roles, CSRF protection, rate-limited logins and the audit helper.

Sessions are Flask's signed cookies (HttpOnly, SameSite=Lax, Secure behind https) holding only
the agent's name and a CSRF token; the account is read again on every request, so disabling
an account takes effect at once. Every POST under /console carries the session's CSRF token
(a form field or the X-CSRF-Token header). Console pages are never cached and may load
nothing but this server's own scripts and styles.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue

from ivr.config import Settings
from ivr.store.accounts import AccountStore, Agent
from ivr.web.app_state import current_app_state

log = logging.getLogger(__name__)
auth = Blueprint("auth", __name__, url_prefix="/console", template_folder="templates",
                 static_folder="static")

F = TypeVar("F", bound=Callable[..., ResponseReturnValue])
SESSION_LIFETIME = timedelta(hours=12)
"""About one shift; after it the agent logs in again."""
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


def configure_sessions(app: Flask, settings: Settings, accounts: AccountStore) -> None:
    """Cookie settings and the key that signs them (IVR_SECRET_KEY, or the database's)."""
    app.secret_key = settings.secret_key or accounts.session_secret()
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                      SESSION_COOKIE_SECURE=settings.public_url.startswith("https://"),
                      SESSION_COOKIE_NAME="ivr_console",
                      PERMANENT_SESSION_LIFETIME=SESSION_LIFETIME)
    app.jinja_env.globals["csrf_token"] = csrf_token


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return str(session["csrf"])


def protect(blueprint: Blueprint) -> None:
    """CSRF checks and security headers for every route of a console blueprint."""
    blueprint.before_request(_check_csrf)
    blueprint.after_request(_security_headers)


def _check_csrf() -> None:
    if request.method != "POST":
        return
    sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token", "")
    expected = session.get("csrf", "")
    if not expected or not hmac.compare_digest(str(sent), str(expected)):
        abort(400, description="This form has expired. Reload the page and try again.")


def _security_headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "no-store"
    return response


protect(auth)


def current_agent() -> Agent | None:
    """The logged-in, active agent of this request, if any."""
    if "agent" not in g:
        name = session.get("agent")
        agent = current_app_state().accounts.get(name) if name else None
        g.agent = agent if agent and not agent.disabled else None
    return cast("Agent | None", g.agent)


def login_required(supervisor: bool = False) -> Callable[[F], F]:
    """Refuse the view without a login (a redirect to the login page, or 401 for data), and
    with `supervisor` refuse agents (403)."""

    def decorate(view: F) -> F:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> ResponseReturnValue:
            agent = current_agent()
            if agent is None:
                if request.method == "GET" and not _wants_data():
                    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
                return jsonify(error="log in first"), 401
            if supervisor and not agent.supervisor:
                abort(403, description="This page is for supervisors.")
            return view(*args, **kwargs)

        return cast(F, guarded)

    return decorate


def _wants_data() -> bool:
    return request.path.endswith((".json", ".csv"))


def audit(action: str, subject: str = "") -> None:
    """Write who did what to the audit log (every view of a transcript or customer data)."""
    agent = current_agent()
    current_app_state().accounts.audit(agent.name if agent else "-", action, subject,
                                      request.remote_addr or "")


@auth.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    target = _safe_next(request.values.get("next", ""))
    if request.method == "GET":
        return render_template("console/login.html", next=target, error=None)
    accounts = current_app_state().accounts
    name = request.form.get("name", "").strip()[:40]
    password = request.form.get("password", "")[:200]
    address = request.remote_addr or ""
    if accounts.locked_out(name, address):
        log.warning("console login refused for %r from %s: too many failures", name, address)
        return render_template("console/login.html", next=target, error=(
            "Too many failed logins. Wait 15 minutes, or ask a supervisor.")), 429
    agent = accounts.authenticate(name, password, address)
    if agent is None:
        log.warning("console login failed for %r from %s", name, address)
        return render_template("console/login.html", next=target,
                               error="Wrong name or password."), 401
    session.clear()
    session.permanent = True
    session["agent"] = agent.name
    csrf_token()
    accounts.audit(agent.name, "login", "", address)
    return redirect(target)


@auth.post("/logout")
def logout() -> ResponseReturnValue:
    agent = current_agent()
    if agent is not None:
        audit("logout")
    session.clear()
    return redirect(url_for("auth.login"))


def _safe_next(target: str) -> str:
    """Only a console path of this server: never an open redirect to somewhere else."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/console"):
        return "/console/"
    return target
