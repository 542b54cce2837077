"""Logins that last and end when they should (engine.logins, app.login, app.asgi).

The engine's rules on a real DuckDB file; the pages' forced and voluntary password change with AppTest;
the cookie's whole life in a real browser against `streamlit run oversight/app/asgi.py` (the command
`make run` starts): login, refresh, logout, a changed password ending an old login.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from oversight.contract import roles
from oversight.contract.errors import AccessDenied, OversightError
from oversight.engine import connection, logins, users

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def con(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    c = connection.connect(tmp_path / "logins.duckdb")
    users.add_user(c, "李领导", "first-pass-1", roles.ROLE_LEADER)
    yield c
    c.close()


def _stored(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    return con.execute("select token_sha256, username from sessions order by created_at").fetchall()


# ---------------------------------------------------------------- engine.logins


def test_a_session_logs_its_user_in_and_only_its_digest_is_stored(con: duckdb.DuckDBPyConnection) -> None:
    token = logins.start_session(con, "李领导")
    assert logins.session_user(con, token) == roles.User("李领导", roles.ROLE_LEADER)
    assert logins.session_user(con, token + "x") is None
    assert logins.session_user(con, None) is None
    [(digest, name)] = _stored(con)
    assert name == "李领导" and token not in digest and len(digest) == 64


def test_logout_ends_only_that_session(con: duckdb.DuckDBPyConnection) -> None:
    office, phone = logins.start_session(con, "李领导"), logins.start_session(con, "李领导")
    logins.end_session(con, office)
    assert logins.session_user(con, office) is None
    assert logins.session_user(con, phone) is not None


def test_an_unused_session_expires_and_use_extends_it_up_to_the_cap(con: duckdb.DuckDBPyConnection) -> None:
    token = logins.start_session(con, "李领导")
    # last used 13 hours ago: past SESSION_HOURS
    con.execute(
        "update sessions set expires_at = ?, last_seen_at = ?",
        [datetime.now() - timedelta(hours=1), datetime.now() - timedelta(hours=13)],
    )
    assert logins.session_user(con, token) is None
    fresh = logins.start_session(con, "李领导")
    # logged in 6 days 23 hours ago and used 10 minutes ago: still good, and use moves expiry to the cap
    created = datetime.now() - timedelta(days=6, hours=23)
    con.execute(
        "update sessions set created_at = ?, last_seen_at = ?, expires_at = ? where username = '李领导'",
        [created, datetime.now() - timedelta(minutes=10), datetime.now() + timedelta(minutes=50)],
    )
    assert logins.session_user(con, fresh) is not None
    [(expires,)] = con.execute("select expires_at from sessions").fetchall()
    assert expires == created + timedelta(days=roles.SESSION_MAX_DAYS)


def test_a_ticket_is_good_once_and_for_a_minute(con: duckdb.DuckDBPyConnection) -> None:
    ticket = logins.start_ticket(con, "李领导")
    token = logins.redeem_ticket(con, ticket)
    assert token and logins.session_user(con, token) == roles.User("李领导", roles.ROLE_LEADER)
    assert logins.redeem_ticket(con, ticket) is None
    late = logins.start_ticket(con, "李领导")
    con.execute(
        "update sessions set expires_at = ? where expires_at < ?",
        [datetime.now() - timedelta(seconds=1), datetime.now() + timedelta(seconds=61)],
    )
    assert logins.redeem_ticket(con, late) is None
    assert logins.session_user(con, ticket) is None  # a ticket is no cookie


def test_changing_the_password_ends_every_session_of_the_account(con: duckdb.DuckDBPyConnection) -> None:
    users.add_user(con, "王分析", "other-pass-1", roles.ROLE_ANALYST)
    mine, other = logins.start_session(con, "李领导"), logins.start_session(con, "王分析")
    with pytest.raises(AccessDenied, match="原密码不正确"):
        logins.change_own_password(con, "李领导", "wrong-pass-1", "second-pass-2")
    with pytest.raises(OversightError, match="不能与原密码相同"):
        logins.change_own_password(con, "李领导", "first-pass-1", "first-pass-1")
    with pytest.raises(OversightError, match="至少 8 位"):
        logins.change_own_password(con, "李领导", "first-pass-1", "short")
    assert logins.session_user(con, mine) is not None  # refused changes end nothing
    logins.change_own_password(con, "李领导", "first-pass-1", "second-pass-2")
    assert logins.session_user(con, mine) is None
    assert logins.session_user(con, other) is not None
    assert users.login(con, "李领导", "second-pass-2", sleep=False).username == "李领导"


def test_a_reset_or_removed_account_keeps_no_session(con: duckdb.DuckDBPyConnection) -> None:
    users.add_user(con, "管理员", "admin-pass-1", roles.ROLE_ADMIN)
    token = logins.start_session(con, "李领导")
    users.set_password(con, "李领导", "reset-pass-1")
    assert logins.session_user(con, token) is None
    token = logins.start_session(con, "李领导")
    users.remove_user(con, "李领导")
    users.add_user(con, "李领导", "brand-new-1", roles.ROLE_LEADER)  # a new person, same name
    assert logins.session_user(con, token) is None


def test_one_time_passwords_must_be_changed(con: duckdb.DuckDBPyConnection) -> None:
    assert logins.must_change_password(con, "李领导") is False
    assert users.ensure_admin(con) is not None
    assert logins.must_change_password(con, "admin") is True
    logins.require_change(con, "李领导")
    assert logins.must_change_password(con, "李领导") is True
    logins.change_own_password(con, "李领导", "first-pass-1", "second-pass-2")
    assert logins.must_change_password(con, "李领导") is False


# ---------------------------------------------------------------- the pages (AppTest)


@pytest.fixture
def page_db(dashboard_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "pages.duckdb"
    shutil.copyfile(dashboard_db, path)
    with connection.opened(path) as c:
        users.add_user(c, "新领导", "given-pass-1", roles.ROLE_LEADER)
        logins.require_change(c, "新领导")
    monkeypatch.setenv("OVERSIGHT_DB", str(path))
    return path


def _log_in(at: AppTest, name: str, password: str) -> None:
    at.text_input(key="login_username").set_value(name)
    at.text_input(key="login_password").set_value(password)
    at.button[0].click().run()


def _change(at: AppTest, old: str, new: str, again: str | None = None) -> None:
    at.text_input(key="old_password").set_value(old)
    at.text_input(key="new_password").set_value(new)
    at.text_input(key="new_password2").set_value(again or new)
    next(b for b in at.button if b.label == "修改密码").click().run()


def test_a_one_time_password_shows_only_the_change_form_until_changed(page_db: Path) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    _log_in(at, "新领导", "given-pass-1")
    assert [t.value for t in at.title] == ["修改密码"]
    assert "初始密码" in at.warning[0].value and not at.metric
    _change(at, "given-pass-1", "mine-pass-2", "mine-pass-3")
    assert at.error[0].value == "两次输入的新密码不一致。"
    _change(at, "given-pass-1", "mine-pass-2")
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == ["总览"] and at.metric
    assert any("密码已修改" in s.value for s in at.success)
    with connection.opened(page_db) as c:
        assert logins.must_change_password(c, "新领导") is False
        assert users.login(c, "新领导", "mine-pass-2", sleep=False).role == roles.ROLE_LEADER


def test_every_user_can_change_their_own_password(page_db: Path) -> None:
    at = AppTest.from_file(str(ROOT / "pages" / "10_修改密码.py"), default_timeout=120)
    at.session_state["user"] = {"username": "leader", "role": roles.ROLE_LEADER}
    at.run()
    assert [t.value for t in at.title] == ["修改密码"] and not at.warning
    _change(at, "not-my-password", "changed-pass-9")
    assert at.error[0].value == "原密码不正确。"
    _change(at, "password123", "changed-pass-9")
    assert any("其他浏览器或设备上的登录已全部退出" in s.value for s in at.success)
    with connection.opened(page_db) as c:
        assert users.login(c, "leader", "changed-pass-9", sleep=False).username == "leader"


def test_the_accounts_page_gives_new_accounts_a_one_time_password(page_db: Path) -> None:
    with connection.opened(page_db) as c:
        users.add_user(c, "管理员乙", "admin-pass-2", roles.ROLE_ADMIN)
    at = AppTest.from_file(str(ROOT / "pages" / "8_账号管理.py"), default_timeout=120)
    at.session_state["user"] = {"username": "管理员乙", "role": roles.ROLE_ADMIN}
    at.run()
    at.text_input(key="add_username").set_value("赵领导")
    at.text_input(key="add_password").set_value("temp-pass-1")
    at.text_input(key="add_password2").set_value("temp-pass-1")
    next(b for b in at.button if b.label == "添加").click().run()
    assert not at.exception, [e.value for e in at.exception]
    with connection.opened(page_db) as c:
        assert logins.must_change_password(c, "赵领导") is True


# ---------------------------------------------------------------- the cookie in a real browser


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.browser
def test_a_login_survives_a_refresh_and_ends_at_logout_and_password_change(
    demo_db: Path, tmp_path: Path
) -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip("未安装 /usr/bin/chromium（CI 会安装）")
    from playwright.sync_api import expect, sync_playwright

    port = _free_port()
    log = (tmp_path / "asgi.log").open("wb")
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "streamlit", "run", "oversight/app/asgi.py",
            "--server.headless", "true", "--server.port", str(port), "--server.address", "127.0.0.1",
            "--browser.gatherUsageStats", "false",
        ],
        cwd=ROOT, env=dict(os.environ, OVERSIGHT_DB=str(demo_db)), stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                    if r.read().decode().strip() == "ok":
                        break
            except OSError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, (tmp_path / "asgi.log").read_text()
            time.sleep(0.3)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
            context = browser.new_context(viewport={"width": 1440, "height": 900})
            page = context.new_page()
            page.set_default_timeout(90_000)

            def log_in(password: str) -> None:
                page.get_by_label("用户名").fill("领导甲")
                page.get_by_label("密码", exact=True).fill(password)
                page.locator('[data-testid="stFormSubmitButton"] button').click()
                expect(page.get_by_role("button", name="退出登录")).to_be_visible()

            page.goto(f"{base}/学校画像")
            log_in("leader-pass-1")
            assert page.url.split("?")[0].endswith(
                "/%E5%AD%A6%E6%A0%A1%E7%94%BB%E5%83%8F"
            )  # the page asked for
            [cookie] = [c for c in context.cookies() if c["name"] == roles.SESSION_COOKIE]
            assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
            assert roles.SESSION_COOKIE not in page.evaluate("document.cookie")

            page.reload()
            expect(page.get_by_role("button", name="退出登录")).to_be_visible()
            expect(page.get_by_label("用户名")).to_have_count(0)

            page.get_by_role("button", name="退出登录").click()
            expect(page.get_by_label("用户名")).to_be_visible()
            assert not [c for c in context.cookies() if c["name"] == roles.SESSION_COOKIE]
            stolen = browser.new_context()
            stolen.add_cookies([cookie])  # the logged-out cookie, replayed: logs nobody in
            other = stolen.new_page()
            other.goto(base)
            expect(other.get_by_label("用户名")).to_be_visible(timeout=90_000)

            log_in("leader-pass-1")
            [old] = [c for c in context.cookies() if c["name"] == roles.SESSION_COOKIE]
            page.goto(f"{base}/修改密码")
            page.get_by_label("原密码").fill("leader-pass-1")
            page.get_by_label("新密码", exact=True).fill("leader-pass-2")
            page.get_by_label("再输入一次新密码").fill("leader-pass-2")
            page.locator('[data-testid="stFormSubmitButton"] button').click()
            expect(page.get_by_text("密码已修改")).to_be_visible()
            page.reload()  # this browser's new login goes on
            expect(page.get_by_role("button", name="退出登录")).to_be_visible()
            stolen.clear_cookies()
            stolen.add_cookies([old])  # the login from before the change: ended
            other.goto(base)
            expect(other.get_by_label("用户名")).to_be_visible(timeout=90_000)
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=15)
        log.close()
    assert "Traceback" not in (tmp_path / "asgi.log").read_text("utf-8", "replace")
