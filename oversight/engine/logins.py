"""Logins that last: server-side sessions behind an HttpOnly cookie, and a user changing their own password.

A leader who refreshes the browser or opens the link again the next morning should not have to log in
again, and one who logs out or changes the password must really be logged out everywhere. So a login
creates a session row (table `sessions`, schema 8) and hands the browser a random token in an HttpOnly
cookie (oversight/app/asgi.py sets it; scripts in the page cannot read it). The database keeps only the
token's SHA-256, so a copy of the file gives nobody a live login. A session ends when it expires
(SESSION_HOURS after the last use, at most SESSION_MAX_DAYS after login), at logout, when the account's
password changes (every session of the account ends) and when the account is removed.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import bcrypt
import duckdb

from oversight.contract.errors import AccessDenied, OversightError
from oversight.contract.roles import SESSION_HOURS, SESSION_MAX_DAYS, User
from oversight.engine import audit, users

#: last_seen_at is written at most this often, so a page turn rarely writes to the file
TOUCH_EVERY = timedelta(minutes=5)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _now() -> datetime:
    return datetime.now()


def start_session(con: duckdb.DuckDBPyConnection, username: str) -> str:
    """A new session for a user who has just logged in; returns the token for the cookie (only once)."""
    token = secrets.token_urlsafe(32)
    now = _now()
    con.execute(
        "insert into sessions (token_sha256, username, created_at, expires_at, last_seen_at) values (?, ?, ?, ?, ?)",
        [_digest(token), username, now, now + timedelta(hours=SESSION_HOURS), now],
    )
    con.execute("delete from sessions where expires_at < ?", [now])  # expired ones are never read again
    return token


def session_user(con: duckdb.DuckDBPyConnection, token: str | None) -> User | None:
    """The account a cookie's token logs in, or None (unknown, expired, revoked, account removed or its
    password changed since). Using a session extends it by SESSION_HOURS, never past SESSION_MAX_DAYS."""
    if not token:
        return None
    now = _now()
    rows = con.execute(
        """select s.username, u.role, s.created_at, s.last_seen_at
           from sessions s join users u using (username)
           where s.token_sha256 = ? and s.expires_at > ?
             and (u.password_changed_at is null or u.password_changed_at <= s.created_at)""",
        [_digest(token), now],
    ).fetchall()
    if not rows:
        return None
    username, role, created, seen = rows[0]
    if seen is None or now - seen >= TOUCH_EVERY:
        expires = min(now + timedelta(hours=SESSION_HOURS), created + timedelta(days=SESSION_MAX_DAYS))
        con.execute(
            "update sessions set last_seen_at = ?, expires_at = ? where token_sha256 = ?",
            [now, expires, _digest(token)],
        )
    return User(str(username), str(role))


#: seconds a ticket (from the login form to the cookie) stays good: one redirect, never a second use
TICKET_SECONDS = 60


def start_ticket(con: duckdb.DuckDBPyConnection, username: str) -> str:
    """A one-time ticket for a user who has just typed the right password in the page's form: the page
    sends the browser to /_oversight/login?ticket=..., which trades it for the session cookie (a page's
    script cannot set an HttpOnly cookie itself). Stored like a session, under its own digest prefix."""
    ticket = secrets.token_urlsafe(24)
    now = _now()
    con.execute(
        "insert into sessions (token_sha256, username, created_at, expires_at) values (?, ?, ?, ?)",
        [_digest("ticket:" + ticket), username, now, now + timedelta(seconds=TICKET_SECONDS)],
    )
    return ticket


def redeem_ticket(con: duckdb.DuckDBPyConnection, ticket: str) -> str | None:
    """The session token for a ticket, once (None when it is unknown, used or expired)."""
    digest = _digest("ticket:" + ticket)
    rows = con.execute(
        "select username from sessions where token_sha256 = ? and expires_at > ?", [digest, _now()]
    ).fetchall()
    con.execute("delete from sessions where token_sha256 = ?", [digest])
    return start_session(con, str(rows[0][0])) if rows else None


def end_session(con: duckdb.DuckDBPyConnection, token: str | None) -> None:
    """Logout: the token logs nobody in any more, in any process or browser tab."""
    if token:
        rows = con.execute(
            "select username from sessions where token_sha256 = ?", [_digest(token)]
        ).fetchall()
        con.execute("delete from sessions where token_sha256 = ?", [_digest(token)])
        if rows:
            name = str(rows[0][0])
            audit.record(con, users.account(con, name) or name, audit.LOGOUT, name)


def end_sessions_of(con: duckdb.DuckDBPyConnection, username: str) -> None:
    con.execute("delete from sessions where username = ?", [username])


def must_change_password(con: duckdb.DuckDBPyConnection, username: str) -> bool:
    """Whether the account still has the one-time password it was given (first login, or after a reset)."""
    rows = con.execute("select must_change_password from users where username = ?", [username]).fetchall()
    return bool(rows and rows[0][0])


def require_change(con: duckdb.DuckDBPyConnection, username: str) -> None:
    """Mark an account's password as one-time: the next login must choose a new one."""
    con.execute("update users set must_change_password = true where username = ?", [username])


def change_own_password(con: duckdb.DuckDBPyConnection, username: str, old: str, new: str) -> None:
    """A user's own change: the old password must be right, the new one valid and different. Every session
    of the account ends, so a login on another machine (perhaps someone else's) is closed too."""
    rows = con.execute("select password_hash from users where username = ?", [username]).fetchall()
    if not rows or not bcrypt.checkpw(old.encode("utf-8"), str(rows[0][0]).encode("ascii")):
        raise AccessDenied("原密码不正确。")
    if new == old:
        raise OversightError("新密码不能与原密码相同。", title="请换一个新密码")
    users.set_password(con, username, new, by=username)  # also ends every session of the account
    con.execute("update users set must_change_password = false where username = ?", [username])
