"""The dashboard as an ASGI app (`streamlit run oversight/app/asgi.py`): Streamlit plus two routes of ours
that give a login its HttpOnly cookie, so a refresh or tomorrow's visit needs no second login.

A Streamlit script cannot set a cookie that page scripts cannot read, and a login token that page scripts
can read is one cross-site script away from being stolen. So the page's own login form checks the password
and then sends the browser here with a one-time ticket; this route trades it for the session token in an
HttpOnly, SameSite=Lax cookie (Secure behind HTTPS) and sends the browser back to the page. Logout here
ends the session in the database and deletes the cookie. The pages read the cookie with st.context.cookies
(oversight/app/login.py). Started any other way (AppTest, plain `streamlit run app.py`) the pages still work
and a login lasts for the browser tab only.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import streamlit as st
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Route

from oversight.app.routes import ENV_FLAG, LOGIN_PATH, LOGOUT_PATH
from oversight.contract.roles import SESSION_COOKIE, SESSION_MAX_DAYS
from oversight.engine import connection, logins

ROOT = Path(__file__).resolve().parents[2]


def _safe_next(target: str | None) -> str:
    """Only a path of this site: an open redirect (?next=https://elsewhere) would help phishing."""
    if not target or not target.startswith("/") or target.startswith("//") or urlsplit(target).netloc:
        return "/"
    return target


def _secure(request: Request) -> bool:
    return request.url.scheme == "https" or request.headers.get("x-forwarded-proto", "") == "https"


def _db() -> str:
    return str(connection.resolve_db_path())


def _redeem(ticket: str) -> str | None:
    with connection.work(_db()) as con:
        return logins.redeem_ticket(con, ticket)  # type: ignore[arg-type]


def _end(token: str | None) -> None:
    with connection.work(_db()) as con:
        logins.end_session(con, token)  # type: ignore[arg-type]


async def login(request: Request) -> RedirectResponse:
    """GET /_oversight/login?ticket=…&next=/page: the ticket becomes the session cookie."""
    target = _safe_next(request.query_params.get("next"))
    ticket = request.query_params.get("ticket", "")
    token = await run_in_threadpool(_redeem, ticket) if ticket else None
    response = RedirectResponse(target, status_code=303)
    if token:
        response.set_cookie(
            SESSION_COOKIE,
            token,
            max_age=SESSION_MAX_DAYS * 86400,  # the server ends it sooner when unused (SESSION_HOURS)
            path="/",
            httponly=True,
            samesite="lax",
            secure=_secure(request),
        )
    response.headers["Cache-Control"] = "no-store"
    return response


async def logout(request: Request) -> RedirectResponse:
    """GET or POST /_oversight/logout: the session ends everywhere, the cookie goes."""
    await run_in_threadpool(_end, request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse(_safe_next(request.query_params.get("next")), status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=_secure(request))
    response.headers["Cache-Control"] = "no-store"
    return response


def on_script_error(exc: Exception) -> bool:
    """An error no page caught: one Chinese sentence instead of Streamlit's English notice."""
    from oversight.app import page  # the page layer, loaded by then (importing it here starts nothing early)

    page.show_error(exc)
    return True


os.environ[ENV_FLAG] = "1"
app = st.App(
    ROOT / "app.py",
    routes=[Route(LOGIN_PATH, login, methods=["GET"]), Route(LOGOUT_PATH, logout, methods=["GET", "POST"])],
    on_script_error=on_script_error,
)
