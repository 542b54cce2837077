"""The one call every page makes: page config, login, the role check for this page, the sidebar.

Each page starts with `ctx = page.page_setup(...)`, so setup runs in directory mode whatever page a leader
opens first. The app layer is the only code that imports streamlit (tests/test_layers.py).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import streamlit as st
from streamlit.errors import StreamlitAPIException

from oversight.app import cache, login, sidebar, style
from oversight.contract import roles
from oversight.contract.errors import AccessDenied, OversightError
from oversight.engine import audit, queries, users
from oversight.metrics import periods

APP_TITLE = "党组织领导的校长负责制落实情况监督看板"
SESSION_USER = login.SESSION_USER
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
    ("pages/11_报送任务.py", "报送任务", "view"),
    ("pages/12_整改台账.py", "整改台账", "view"),
    ("pages/7_数据上传.py", "数据上传", "upload"),
    ("pages/8_账号管理.py", "账号管理", "accounts"),
    ("pages/13_审计日志.py", "审计日志", "audit"),
    ("pages/10_修改密码.py", "修改密码", "view"),
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
    if current_user() is None:
        login.from_cookie(db)  # a refresh or a new tab of a lasting login
    user, version = _session_state_of(db)
    if user is None:
        login.forget()
        login.login_form(db, APP_TITLE)
        st.stop()
    _navigation(user)
    try:
        roles.require(user, right)
        if not user.may_open(title):  # a 学校 account: only roles.SCHOOL_PAGES (deny by default)
            raise AccessDenied(roles.SCHOOL_PAGE_REFUSAL)
    except AccessDenied as exc:
        st.title(title)
        st.error(exc.message)
        _record_refusal(db, user, title)
        st.stop()
    st.sidebar.markdown(f"**{user.username}**（{user.role}）")
    if st.sidebar.button("退出登录", key="logout"):
        login.logout(db)
    if st.session_state.get(login.MUST_CHANGE):  # a one-time password: nothing else until it is changed
        st.title("修改密码")
        login.change_password_form(db, user.username, forced=True)
        st.stop()
    if filters:
        params, options = sidebar.sidebar_filters(db, version, school_filters=not user.is_school)
        params = cache.resolve(db, version, params)
    else:
        params, options = periods.Params(), {"years": [], "school_years": []}
    # the account's scope, set last so that nothing the sidebar read from the URL can widen it; a 学校
    # account reads its own school whatever town, stage or area type the URL names
    if user.is_school:
        params = dataclasses.replace(params, town=None, stage=None, area_type=None)
    params = dataclasses.replace(params, scope=user.scope)
    st.title(title)
    login.show_notice()
    return PageContext(user, db, version, params, options["years"], options["school_years"])


def _record_refusal(db: str, user: roles.User, title: str) -> None:
    """A page refused to a logged-in account is an audit entry (once per session and page)."""
    done: set = st.session_state.setdefault("_audit_refused", set())
    if title not in done:
        with cache.connection(db) as con:
            audit.record(con, user, audit.PAGE_REFUSED, title)  # type: ignore[arg-type]
        done.add(title)


def _session_state_of(db: str) -> tuple[roles.User | None, str]:
    """The user's role and scope as the database holds them now, and the data version: one connection
    per rerun. The scope of a 学校 account comes from here (engine.users.account), never from the URL."""
    user = current_user()
    with cache.connection(db) as con:
        version = queries.data_version(con)  # type: ignore[arg-type]
        held = users.account(con, user.username) if user else None  # type: ignore[arg-type]
    return held, version


def _navigation(user: roles.User) -> None:
    """Links to the pages this role may open. A page run on its own (AppTest of one page file) has no
    page registry to link into; it then simply draws no links."""
    try:
        for path, label, right in NAV:
            if user.can(right) and user.may_open(label):
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
        return users.account(con, user.username)  # type: ignore[arg-type]
