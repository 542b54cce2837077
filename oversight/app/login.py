"""Who is logged in: the login form, the lasting login's cookie, logout, and changing one's own password.

The page's form checks the password (engine.users.login: throttling, locking). Served by
oversight/app/asgi.py, it then sends the browser through /_oversight/login with a one-time ticket, which
sets the HttpOnly session cookie, and every later page load (a refresh, a new tab, tomorrow) finds the user
from that cookie (engine.logins). Logout and a password change end the session in the database, so the
cookie logs nobody in again, in this browser or any other.
"""

from __future__ import annotations

import os
import time
from urllib.parse import quote

import streamlit as st
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.runtime.scriptrunner import get_script_run_ctx

from oversight.app import cache
from oversight.app.routes import ENV_FLAG, LOGIN_PATH, LOGOUT_PATH
from oversight.contract import roles
from oversight.contract.errors import OversightError
from oversight.engine import logins, users

SESSION_USER = "user"
#: the session cookie's token, kept so logout can end that very session
SESSION_LASTING = "lasting_login"
#: set while the account still has its one-time password
MUST_CHANGE = "must_change_password"
NOTICE = "_login_notice"


def lasting() -> bool:
    """Whether the server can give a login its cookie (started through oversight/app/asgi.py)."""
    return os.environ.get(ENV_FLAG) == "1"


def navigate(url: str) -> None:
    """Send the browser to a URL of this site (the message st.login and st.logout use)."""
    ctx = get_script_run_ctx()
    if ctx is None:
        return
    msg = ForwardMsg()
    msg.auth_redirect.url = url
    ctx.enqueue(msg)


def _here() -> str:
    """The page's own path, for coming back after the cookie. Built from the page registry as Streamlit's
    st.context.url does, because that one doubles a non-ASCII page name (/修改密码/修改密码) in 1.67."""
    ctx = get_script_run_ctx()
    if ctx is None:
        return "/"
    info = ctx.pages_manager.get_pages().get(ctx.pages_manager.current_page_script_hash) or {}
    parts = (str(st.get_option("server.baseUrlPath") or "").strip("/"), str(info.get("url_pathname") or ""))
    return "/" + "/".join(part for part in parts if part)


def _remember(username: str, role: str, token: str | None, must_change: bool) -> None:
    st.session_state[SESSION_USER] = {"username": username, "role": role}
    st.session_state[MUST_CHANGE] = must_change
    if token:
        st.session_state[SESSION_LASTING] = token


def from_cookie(db: str) -> bool:
    """A fresh browser tab of a lasting login: the user from the session cookie (True when found)."""
    token = st.context.cookies.get(roles.SESSION_COOKIE) if lasting() else None
    if not token:
        return False
    with cache.connection(db) as con:
        user = logins.session_user(con, token)  # type: ignore[arg-type]
        must_change = bool(user) and logins.must_change_password(con, user.username)  # type: ignore[arg-type, union-attr]
    if user is None:
        return False
    _remember(user.username, user.role, token, must_change)
    return True


def _send_with(ticket: str, notice: str | None = None) -> None:
    """To the asgi route that trades the ticket for the cookie, then back to this page (a new browser
    session: a notice to show there travels in the address, as ?notice=)."""
    back = _here() + (f"?notice={notice}" if notice else "")
    navigate(f"{LOGIN_PATH}?ticket={quote(ticket)}&next={quote(back)}")


def _hand_over(db: str, username: str, notice: str | None = None) -> None:
    """After a password change: a fresh ticket for the account's new login."""
    with cache.connection(db) as con:
        ticket = logins.start_ticket(con, username)  # type: ignore[arg-type]
    _send_with(ticket, notice)


#: what a ?notice= in the address says (only these: the address never carries text to show)
NOTICES = {"password": "密码已修改。该账号在其他浏览器或设备上的登录已全部退出。"}


def show_notice() -> None:
    """The last action's notice: from this session, or from the address after a hand-over."""
    key = st.query_params.get("notice")
    if key in NOTICES:
        del st.query_params["notice"]
        st.success(NOTICES[key])
    notice = st.session_state.pop(NOTICE, None)
    if notice:
        st.success(notice)


def _check(db: str, username: str, password: str) -> None:
    """The form's password check, in three steps so the file is never held while bcrypt runs or a failure
    waits (engine.users.LoginAttempt): read the account, check the password, record the attempt (and,
    for a lasting login, its ticket) in one piece of work."""
    with cache.connection(db) as con:  # answered from the published copy: no file opened
        attempt = users.read_login(con, username)  # type: ignore[arg-type]
    matched = users.password_matches(attempt, password)
    ticket = None
    try:
        with cache.connection(db) as con:
            user = users.finish_login(con, attempt, matched)  # type: ignore[arg-type]
            must_change = logins.must_change_password(con, user.username)  # type: ignore[arg-type]
            if lasting():
                ticket = logins.start_ticket(con, user.username)  # type: ignore[arg-type]
    except users.LoginRefused as exc:
        time.sleep(exc.delay)
        st.error(exc.message)
        return
    except OversightError as exc:
        st.error(exc.message)
        return
    _remember(user.username, user.role, None, must_change)
    if ticket:
        _send_with(ticket)
        st.info("登录成功，正在进入……")
        st.stop()
    st.rerun()


def login_form(db: str, title: str) -> None:
    st.title(title)
    st.subheader("登录")
    with st.form("login", enter_to_submit=False):
        username = st.text_input("用户名", key="login_username")
        password = st.text_input("密码", type="password", key="login_password")
        submitted = st.form_submit_button("登录", type="primary")
    if submitted:
        _check(db, username, password)
    st.caption("首次使用：管理员账号在运行 make run 时创建，初始密码只在终端显示一次。忘记密码请联系管理员。")


def forget() -> None:
    for key in (SESSION_USER, SESSION_LASTING, MUST_CHANGE):
        st.session_state.pop(key, None)


def logout(db: str) -> None:
    """End this login: the session row goes, then the cookie (the asgi route), then the login form."""
    token = st.session_state.get(SESSION_LASTING)
    if token:
        with cache.connection(db) as con:
            logins.end_session(con, token)  # type: ignore[arg-type]
    forget()
    if lasting():
        navigate(LOGOUT_PATH)
        st.stop()
    st.rerun()


def change_password_form(db: str, username: str, *, forced: bool) -> None:
    """修改密码: old, new twice. Every other login of the account ends; this one goes on (a new cookie)."""
    if forced:
        st.warning("您的账号使用的是管理员设置的初始密码，请先设置自己的新密码，再使用看板。")
    with st.form("change_password", clear_on_submit=True):
        old = st.text_input("原密码", type="password", key="old_password")
        new = st.text_input(
            "新密码", type="password", key="new_password", help=f"至少 {roles.MIN_PASSWORD_LENGTH} 位"
        )
        again = st.text_input("再输入一次新密码", type="password", key="new_password2")
        submitted = st.form_submit_button("修改密码", type="primary")
    if not submitted:
        return
    if new != again:
        st.error("两次输入的新密码不一致。")
        return
    try:
        with cache.connection(db) as con:
            logins.change_own_password(con, username, old, new)  # type: ignore[arg-type]
    except OversightError as exc:
        st.error(exc.message)
        return
    st.session_state[MUST_CHANGE] = False
    st.session_state.pop(SESSION_LASTING, None)
    st.session_state[NOTICE] = NOTICES["password"]
    if lasting():
        _hand_over(db, username, "password")
        st.stop()
    st.rerun()
