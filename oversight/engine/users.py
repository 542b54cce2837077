"""Accounts and login throttling, stored in the database's `users` table.

Passwords are hashed with bcrypt (salted, deliberately slow). The roles and what each may do are the
contract's (contract/roles.py); this module only stores and checks accounts.
"""

from __future__ import annotations

import secrets
import time
from datetime import datetime, timedelta

import bcrypt
import duckdb

from oversight.contract.errors import AccessDenied, OversightError
from oversight.contract.roles import (
    FAILURE_DELAY_STEP,
    LOCK_MINUTES,
    MAX_FAILED_ATTEMPTS,
    MIN_PASSWORD_LENGTH,
    ROLE_ADMIN,
    ROLE_ALIASES,
    ROLES,
    User,
)


def _hash(password: str) -> str:
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt()).decode("ascii")


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise OversightError(f"密码至少 {MIN_PASSWORD_LENGTH} 位。", title="密码太短")
    if len(password.encode("utf-8")) > 72:
        raise OversightError("密码不能超过 72 个字节。", title="密码太长")


def _check_role(role: str) -> None:
    if role not in ROLES:
        english = "、".join(ROLE_ALIASES)
        raise OversightError(f"角色只能是 {'、'.join(ROLES)}（命令行也可写 {english}）。", title="角色无效")


def add_user(con: duckdb.DuckDBPyConnection, username: str, password: str, role: str) -> User:
    username = username.strip()
    if not username:
        raise OversightError("用户名不能为空。", title="用户名无效")
    _check_role(role)
    _check_password(password)
    if con.execute("select count(*) from users where username = ?", [username]).fetchall()[0][0]:
        raise OversightError(f"用户 {username} 已存在。", title="用户已存在")
    con.execute(
        "insert into users (username, role, password_hash, failed_attempts, created_at) values (?, ?, ?, 0, ?)",
        [username, role, _hash(password), datetime.now().replace(microsecond=0)],
    )
    return User(username, role)


def remove_user(con: duckdb.DuckDBPyConnection, username: str) -> None:
    rows = con.execute("select role from users where username = ?", [username]).fetchall()
    if not rows:
        raise OversightError(f"用户 {username} 不存在。", title="用户不存在")
    if rows[0][0] == ROLE_ADMIN and count_admins(con) <= 1:
        raise OversightError("不能删除最后一个管理员账号。", title="无法删除")
    con.execute("delete from users where username = ?", [username])


def set_password(con: duckdb.DuckDBPyConnection, username: str, password: str) -> None:
    _check_password(password)
    if not con.execute("select count(*) from users where username = ?", [username]).fetchall()[0][0]:
        raise OversightError(f"用户 {username} 不存在。", title="用户不存在")
    con.execute(
        "update users set password_hash = ?, failed_attempts = 0, locked_until = null where username = ?",
        [_hash(password), username],
    )


def list_users(con: duckdb.DuckDBPyConnection) -> list[dict[str, object]]:
    rows = con.execute(
        "select username, role, failed_attempts, locked_until, created_at from users order by username"
    ).fetchall()
    return [
        {"用户名": r[0], "角色": r[1], "连续失败次数": r[2], "锁定至": r[3], "创建时间": r[4]} for r in rows
    ]


def role_of(con: duckdb.DuckDBPyConnection, username: str) -> str | None:
    """The role the database holds for a user now (None once the account is removed)."""
    rows = con.execute("select role from users where username = ?", [username]).fetchall()
    return str(rows[0][0]) if rows else None


def count_admins(con: duckdb.DuckDBPyConnection) -> int:
    return int(con.execute("select count(*) from users where role = ?", [ROLE_ADMIN]).fetchall()[0][0])


def ensure_admin(con: duckdb.DuckDBPyConnection, username: str = "admin") -> str | None:
    """First run: create an administrator with a random password, returned once to be printed.

    Returns None when an administrator already exists; there is never a default password.
    """
    if count_admins(con):
        return None
    password = secrets.token_urlsafe(12)
    add_user(con, username, password, ROLE_ADMIN)
    return password


def login(con: duckdb.DuckDBPyConnection, username: str, password: str, *, sleep: bool = True) -> User:
    """Check a password; failures slow down and, after MAX_FAILED_ATTEMPTS, lock the account."""
    rows = con.execute(
        "select role, password_hash, failed_attempts, locked_until from users where username = ?",
        [username.strip()],
    ).fetchall()
    now = datetime.now()
    if not rows:
        # same answer and a comparable cost as a wrong password, so user names cannot be probed
        bcrypt.checkpw(b"x", _hash("placeholder-password").encode("ascii"))
        raise AccessDenied("用户名或密码错误。")
    role, password_hash, failed, locked_until = rows[0]
    if locked_until is not None and locked_until > now:
        raise AccessDenied(
            f"连续登录失败次数过多，账号已锁定至 {locked_until:%H:%M}，请稍后再试或联系管理员重置密码。"
        )
    if bcrypt.checkpw(password.encode("utf-8"), password_hash.encode("ascii")):
        con.execute(
            "update users set failed_attempts = 0, locked_until = null where username = ?", [username]
        )
        return User(username.strip(), role)
    failed = int(failed) + 1
    lock = now + timedelta(minutes=LOCK_MINUTES) if failed >= MAX_FAILED_ATTEMPTS else None
    con.execute(
        "update users set failed_attempts = ?, locked_until = ? where username = ?",
        [0 if lock else failed, lock, username],
    )
    if sleep:
        time.sleep(min(failed * FAILURE_DELAY_STEP, 3.0))
    if lock:
        raise AccessDenied(f"连续 {MAX_FAILED_ATTEMPTS} 次登录失败，账号已锁定 {LOCK_MINUTES} 分钟。")
    raise AccessDenied(f"用户名或密码错误（还可尝试 {MAX_FAILED_ATTEMPTS - failed} 次）。")
