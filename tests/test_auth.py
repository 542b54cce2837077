"""Accounts: bcrypt hashes, login failures that slow down and lock, the last administrator, first run,
and the `oversight users` command line with its exit codes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from oversight import cli
from oversight.contract import roles
from oversight.contract.errors import AccessDenied, OversightError
from oversight.engine import connection, users


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "users.duckdb"


@pytest.fixture
def con(db_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with connection.opened(db_path) as c:
        yield c


def test_password_is_stored_as_bcrypt_hash(con: duckdb.DuckDBPyConnection) -> None:
    users.add_user(con, "张分析", "correct-horse-1", roles.ROLE_ANALYST)
    stored = con.execute("select password_hash from users where username = '张分析'").fetchall()[0][0]
    assert stored.startswith("$2") and "correct-horse-1" not in stored
    assert users.login(con, "张分析", "correct-horse-1", sleep=False) == roles.User(
        "张分析", roles.ROLE_ANALYST
    )


def test_same_password_gets_different_salts(con: duckdb.DuckDBPyConnection) -> None:
    users.add_user(con, "a1", "same-password", roles.ROLE_LEADER)
    users.add_user(con, "a2", "same-password", roles.ROLE_LEADER)
    hashes = {r[0] for r in con.execute("select password_hash from users").fetchall()}
    assert len(hashes) == 2


def test_wrong_password_is_refused_and_counted(con: duckdb.DuckDBPyConnection) -> None:
    users.add_user(con, "leader", "leader-pass-1", roles.ROLE_LEADER)
    with pytest.raises(AccessDenied, match="用户名或密码错误"):
        users.login(con, "leader", "wrong-password", sleep=False)
    assert con.execute("select failed_attempts from users").fetchall()[0][0] == 1
    users.login(con, "leader", "leader-pass-1", sleep=False)
    assert con.execute("select failed_attempts from users").fetchall()[0][0] == 0


def test_unknown_user_gets_the_same_answer_as_a_wrong_password(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(AccessDenied) as exc:
        users.login(con, "nobody", "whatever-password", sleep=False)
    assert exc.value.message == "用户名或密码错误。"


def test_five_failures_lock_the_account_even_for_the_right_password(con: duckdb.DuckDBPyConnection) -> None:
    users.add_user(con, "target", "right-password", roles.ROLE_ADMIN)
    for _ in range(roles.MAX_FAILED_ATTEMPTS - 1):
        with pytest.raises(AccessDenied, match="还可尝试"):
            users.login(con, "target", "guess", sleep=False)
    with pytest.raises(AccessDenied, match="已锁定"):
        users.login(con, "target", "guess", sleep=False)
    with pytest.raises(AccessDenied, match="已锁定"):
        users.login(con, "target", "right-password", sleep=False)
    # an administrator's password reset lifts the lock
    users.set_password(con, "target", "new-password-2")
    assert users.login(con, "target", "new-password-2", sleep=False).role == roles.ROLE_ADMIN


def test_failures_slow_down(con: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch) -> None:
    delays: list[float] = []
    monkeypatch.setattr(users.time, "sleep", delays.append)
    users.add_user(con, "slow", "right-password", roles.ROLE_LEADER)
    for _ in range(3):
        with pytest.raises(AccessDenied):
            users.login(con, "slow", "guess")
    assert delays == sorted(delays) and delays[-1] > delays[0] > 0


@pytest.mark.parametrize(
    ("username", "password", "role", "message"),
    [
        ("", "long-enough-1", roles.ROLE_LEADER, "用户名不能为空"),
        ("u", "short", roles.ROLE_LEADER, "至少"),
        ("u", "long-enough-1", "校长", "角色只能是"),
    ],
)
def test_add_user_rejects_bad_input(
    con: duckdb.DuckDBPyConnection, username: str, password: str, role: str, message: str
) -> None:
    with pytest.raises(OversightError, match=message):
        users.add_user(con, username, password, role)


def test_duplicate_user_is_refused(con: duckdb.DuckDBPyConnection) -> None:
    users.add_user(con, "dup", "long-enough-1", roles.ROLE_LEADER)
    with pytest.raises(OversightError, match="已存在"):
        users.add_user(con, "dup", "long-enough-2", roles.ROLE_ANALYST)


def test_last_admin_cannot_be_removed(con: duckdb.DuckDBPyConnection) -> None:
    users.add_user(con, "root", "long-enough-1", roles.ROLE_ADMIN)
    users.add_user(con, "viewer", "long-enough-1", roles.ROLE_LEADER)
    with pytest.raises(OversightError, match="最后一个管理员"):
        users.remove_user(con, "root")
    users.add_user(con, "root2", "long-enough-1", roles.ROLE_ADMIN)
    users.remove_user(con, "root")
    users.remove_user(con, "viewer")
    assert [u["用户名"] for u in users.list_users(con)] == ["root2"]


def test_ensure_admin_gives_a_random_password_once(con: duckdb.DuckDBPyConnection) -> None:
    first = users.ensure_admin(con)
    assert first and len(first) >= 12
    assert users.login(con, "admin", first, sleep=False).role == roles.ROLE_ADMIN
    assert users.ensure_admin(con) is None
    assert users.count_admins(con) == 1


def test_ensure_admin_passwords_differ_between_databases(tmp_path: Path) -> None:
    passwords = set()
    for i in range(2):
        with connection.opened(tmp_path / f"db{i}.duckdb") as c:
            passwords.add(users.ensure_admin(c))
    assert len(passwords) == 2


@pytest.mark.parametrize(
    ("user", "right", "allowed"),
    [
        (roles.User("l", roles.ROLE_LEADER), "view", True),
        (roles.User("l", roles.ROLE_LEADER), "upload", False),
        (roles.User("a", roles.ROLE_ANALYST), "upload", True),
        (roles.User("a", roles.ROLE_ANALYST), "rollback", False),
        (roles.User("a", roles.ROLE_ANALYST), "accounts", False),
        (roles.User("m", roles.ROLE_ADMIN), "rollback", True),
        (roles.User("m", roles.ROLE_ADMIN), "accounts", True),
        (None, "view", False),
    ],
)
def test_require_checks_rights(user: roles.User | None, right: str, allowed: bool) -> None:
    if allowed:
        assert roles.require(user, right) == user
    else:
        with pytest.raises(AccessDenied):
            roles.require(user, right)


# ---------------------------------------------------------------- command line


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_users_lifecycle(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(db_path)
    code, out, _ = run_cli(capsys, "users", "ensure-admin", "--db", db)
    assert code == 0 and "初始密码" in out
    code, out, _ = run_cli(capsys, "users", "ensure-admin", "--db", db)
    assert code == 0 and "初始密码" not in out

    code, out, _ = run_cli(
        capsys, "users", "add", "王分析", "--role", "分析员", "--password", "analyst-pass", "--db", db
    )
    assert code == 0 and "王分析" in out
    code, _, err = run_cli(
        capsys, "users", "add", "王分析", "--role", "分析员", "--password", "analyst-pass", "--db", db
    )
    assert code == 1 and "已存在" in err

    code, out, _ = run_cli(capsys, "users", "list", "--db", db)
    assert code == 0 and "王分析  分析员" in out and "admin  管理员" in out

    code, _, _ = run_cli(capsys, "users", "passwd", "王分析", "--password", "changed-pass-1", "--db", db)
    assert code == 0
    with connection.opened(db) as c:
        assert users.login(c, "王分析", "changed-pass-1", sleep=False).role == roles.ROLE_ANALYST

    code, _, _ = run_cli(capsys, "users", "remove", "王分析", "--db", db)
    assert code == 0
    code, _, err = run_cli(capsys, "users", "remove", "admin", "--db", db)
    assert code == 1 and "最后一个管理员" in err
    code, _, err = run_cli(capsys, "users", "remove", "nobody", "--db", db)
    assert code == 1 and "不存在" in err


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (("users", "add"), 2),
        (("users", "frobnicate"), 2),
        (("users", "add", "x", "--role", "分析员", "--password", "short"), 1),
        (("users", "add", "x", "--role", "校长", "--password", "long-enough-1"), 1),
        (("users", "passwd", "nobody", "--password", "long-enough-1"), 1),
    ],
)
def test_cli_users_exit_codes(
    db_path: Path, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], expected: int
) -> None:
    try:
        code = cli.main([*argv, "--db", str(db_path)])
    except SystemExit as exc:  # argparse's usage errors exit from inside parse_args
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    assert code == expected
    assert "Traceback" not in captured.err


def test_cli_passwd_without_password_outside_a_terminal_is_a_usage_error(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(capsys, "users", "add", "y", "--role", "领导", "--db", str(db_path))
    assert code == 2 and "--password" in err
