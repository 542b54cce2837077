"""The one call every page makes: page config, login, the role check for this page, the sidebar.

Each page starts with `ctx = page.page_setup(...)`, so setup runs in directory mode whatever page a leader
opens first. The app layer is the only code that imports streamlit (tests/test_layers.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st
from streamlit.errors import StreamlitAPIException

from oversight.app import cache, sidebar, style
from oversight.contract import roles
from oversight.contract.errors import AccessDenied, OversightError
from oversight.engine import queries, users
from oversight.metrics import periods

APP_TITLE = "党组织领导的校长负责制落实情况监督看板"
SESSION_USER = "user"
#: The sidebar's page list: (file, label, right needed). Directory mode would label the home page "app"
#: and list every page to everyone before login; our own links say 总览 and show only what the role may open.
NAV: tuple[tuple[str, str, str], ...] = (
    ("app.py", "总览", "view"),
    ("pages/1_组织建设.py", "组织建设", "view"),
    ("pages/2_最强党支部.py", "最强党支部", "view"),
    ("pages/3_交流轮岗.py", "交流轮岗", "view"),
    ("pages/4_议事决策.py", "议事决策", "view"),
    ("pages/5_学校画像.py", "学校画像", "view"),
    ("pages/6_趋势.py", "趋势", "view"),
    ("pages/9_活动台账.py", "活动台账", "view"),
    ("pages/7_数据上传.py", "数据上传", "upload"),
    ("pages/8_账号管理.py", "账号管理", "accounts"),
)


@dataclass(frozen=True)
class PageContext:
    user: roles.User
    db: str
    version: str
    params: periods.Params
    years: list[int]
    school_years: list[str]


def show_error(exc: Exception) -> None:
    if isinstance(exc, OversightError):
        st.error(f"**{exc.title}**：{exc.message}")
    else:
        st.error(f"程序内部错误（{type(exc).__name__}），数据未改动。请把本页截图发给维护人员。")


def _login_form(db: str) -> None:
    st.title(APP_TITLE)
    st.subheader("登录")
    with st.form("login", enter_to_submit=False):
        username = st.text_input("用户名", key="login_username")
        password = st.text_input("密码", type="password", key="login_password")
        submitted = st.form_submit_button("登录", type="primary")
    if submitted:
        try:
            with cache.connection(db) as con:
                user = users.login(con, username, password)  # type: ignore[arg-type]
        except OversightError as exc:
            st.error(exc.message)
        else:
            st.session_state[SESSION_USER] = {"username": user.username, "role": user.role}
            st.rerun()
    st.caption("首次使用：管理员账号在运行 make run 时创建，初始密码只在终端显示一次。忘记密码请联系管理员。")


def current_user() -> roles.User | None:
    data = st.session_state.get(SESSION_USER)
    return roles.User(data["username"], data["role"]) if data else None


def page_setup(title: str, right: str = "view", *, filters: bool = True) -> PageContext:
    """Page config, login, the role check for this page, and the shared sidebar."""
    st.set_page_config(page_title=f"{title} · 监督看板", page_icon="🏫", layout="wide")
    style.apply()
    db = cache.db_path()
    if not Path(db).exists():
        st.title(APP_TITLE)
        st.warning(f"还没有数据库文件（{db}）。请在终端运行 `make run` 或 `oversight demo` 生成示例数据。")
        st.stop()
    user, version = _session_state_of(db)
    if user is None:
        st.session_state.pop(SESSION_USER, None)
        _login_form(db)
        st.stop()
    _navigation(user)
    try:
        roles.require(user, right)
    except AccessDenied as exc:
        st.title(title)
        st.error(exc.message)
        st.stop()
    st.sidebar.markdown(f"**{user.username}**（{user.role}）")
    if st.sidebar.button("退出登录", key="logout"):
        st.session_state.pop(SESSION_USER, None)
        st.rerun()
    if filters:
        params, options = sidebar.sidebar_filters(db, version)
        params = cache.resolve(db, version, params)
    else:
        params, options = periods.Params(), {"years": [], "school_years": []}
    st.title(title)
    return PageContext(user, db, version, params, options["years"], options["school_years"])


def _session_state_of(db: str) -> tuple[roles.User | None, str]:
    """The user's role as the database holds it now, and the data version: one connection per rerun."""
    user = current_user()
    with cache.connection(db) as con:
        version = queries.data_version(con)  # type: ignore[arg-type]
        role = users.role_of(con, user.username) if user else None  # type: ignore[arg-type]
    return (roles.User(user.username, role) if user and role else None), version


def _navigation(user: roles.User) -> None:
    """Links to the pages this role may open. A page run on its own (AppTest of one page file) has no
    page registry to link into; it then simply draws no links."""
    try:
        for path, label, right in NAV:
            if user.can(right):
                st.sidebar.page_link(path, label=label)
    except StreamlitAPIException:
        return
    st.sidebar.divider()


def verified_user(db: str | None = None) -> roles.User | None:
    """The logged-in user with the role the database holds now, for actions that change data.

    The session remembers the role from login; an administrator may since have changed or removed the
    account. Actions (upload, rollback, account changes) check this, so a demoted session cannot act.
    """
    user = current_user()
    if user is None:
        return None
    with cache.connection(db) as con:
        role = users.role_of(con, user.username)  # type: ignore[arg-type]
    return roles.User(user.username, role) if role else None
