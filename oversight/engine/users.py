"""Accounts and login throttling, stored in the database's `users` table.

Passwords are hashed with bcrypt (salted, deliberately slow). The roles and what each may do are the
contract's (contract/roles.py); this module only stores and checks accounts.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
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
    ROLE_SCHOOL,
    ROLES,
    User,
)
from oversight.engine import audit


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


def _check_binding(
    con: duckdb.DuckDBPyConnection, role: str, school_code: str | None, education_group: str | None
) -> tuple[str | None, str | None]:
    """A 学校 account is bound to exactly one existing school or one existing 教育集团; a district
    account to none."""
    school_code = (school_code or "").strip() or None
    education_group = (education_group or "").strip() or None
    if role != ROLE_SCHOOL:
        if school_code or education_group:
            raise OversightError(f"只有学校账号可以绑定学校或教育集团，{role}账号看全区。", title="绑定无效")
        return None, None
    if bool(school_code) == bool(education_group):
        raise OversightError(
            "学校账号须绑定一所学校（学校标识码）或一个教育集团，二者选一。", title="缺少绑定"
        )
    if (
        school_code
        and not con.execute("select count(*) from schools where school_code = ?", [school_code]).fetchall()[
            0
        ][0]
    ):
        raise OversightError(f"学校标识码 {school_code} 不存在，请先导入该校的学校信息。", title="学校不存在")
    if (
        education_group
        and not con.execute(
            "select count(*) from schools where education_group = ?", [education_group]
        ).fetchall()[0][0]
    ):
        raise OversightError(f"没有学校属于教育集团“{education_group}”。", title="教育集团不存在")
    return school_code, education_group


def add_user(
    con: duckdb.DuckDBPyConnection,
    username: str,
    password: str,
    role: str,
    *,
    school_code: str | None = None,
    education_group: str | None = None,
    by: User | str | None = None,
) -> User:
    """A new account; a 学校 account names its school (or 教育集团), which fixes its scope for good."""
    username = username.strip()
    if not username:
        raise OversightError("用户名不能为空。", title="用户名无效")
    _check_role(role)
    _check_password(password)
    school_code, education_group = _check_binding(con, role, school_code, education_group)
    if con.execute("select count(*) from users where username = ?", [username]).fetchall()[0][0]:
        raise OversightError(f"用户 {username} 已存在。", title="用户已存在")
    con.execute(
        "insert into users (username, role, password_hash, failed_attempts, created_at, school_code,"
        " education_group) values (?, ?, ?, 0, ?, ?, ?)",
        [
            username,
            role,
            _hash(password),
            datetime.now().replace(microsecond=0),
            school_code,
            education_group,
        ],
    )
    bound = (
        f"，绑定学校 {school_code}"
        if school_code
        else (f"，绑定教育集团 {education_group}" if education_group else "")
    )
    audit.record(con, by, audit.ACCOUNT_ADDED, username, f"角色：{role}{bound}")
    return account(con, username) or User(username, role)


BINDING_SQL = "select school_code, education_group from users where username = ?"
GROUP_SCHOOLS_SQL = "select school_code from schools where education_group = ? order by school_code"


def _scope(
    con: duckdb.DuckDBPyConnection, role: str, school_code: str | None, education_group: str | None
) -> tuple[str, ...] | None:
    """The school codes an account may see: None (the district) for district roles; for a 学校 account
    its school, or its 教育集团's schools as the schools table holds them now (empty when none)."""
    if role != ROLE_SCHOOL:
        return None
    if school_code:
        return (school_code,)
    if education_group:
        rows = con.execute(GROUP_SCHOOLS_SQL, [education_group]).fetchall()
        return tuple(str(r[0]) for r in rows)
    return ()


def account(con: duckdb.DuckDBPyConnection, username: str) -> User | None:
    """The account as the database holds it now: role and scope (None once the account is removed).
    The one place a User's scope comes from. A district account costs one statement, role_of's, which
    engine.publish answers from the published copy; a 学校 account reads its binding as well."""
    username = username.strip()
    role = role_of(con, username)
    if role is None:
        return None
    if role != ROLE_SCHOOL:
        return User(username, role)
    rows = con.execute(BINDING_SQL, [username]).fetchall()
    school_code, education_group = rows[0] if rows else (None, None)
    return User(username, role, _scope(con, role, school_code, education_group))


def remove_user(con: duckdb.DuckDBPyConnection, username: str, *, by: User | str | None = None) -> None:
    rows = con.execute("select role from users where username = ?", [username]).fetchall()
    if not rows:
        raise OversightError(f"用户 {username} 不存在。", title="用户不存在")
    if rows[0][0] == ROLE_ADMIN and count_admins(con) <= 1:
        raise OversightError("不能删除最后一个管理员账号。", title="无法删除")
    con.execute("delete from users where username = ?", [username])
    audit.record(con, by, audit.ACCOUNT_REMOVED, username, f"角色：{rows[0][0]}")
    con.execute(
        "delete from sessions where username = ?", [username]
    )  # a new account of that name starts afresh


def set_role(
    con: duckdb.DuckDBPyConnection,
    username: str,
    role: str,
    *,
    school_code: str | None = None,
    education_group: str | None = None,
    by: User | str | None = None,
) -> User:
    """Change an account's role (and a 学校 account's binding); the last administrator stays one."""
    _check_role(role)
    rows = con.execute("select role from users where username = ?", [username]).fetchall()
    if not rows:
        raise OversightError(f"用户 {username} 不存在。", title="用户不存在")
    if rows[0][0] == ROLE_ADMIN and role != ROLE_ADMIN and count_admins(con) <= 1:
        raise OversightError("不能更改最后一个管理员账号的角色。", title="无法更改")
    school_code, education_group = _check_binding(con, role, school_code, education_group)
    con.execute(
        "update users set role = ?, school_code = ?, education_group = ? where username = ?",
        [role, school_code, education_group, username],
    )
    bound = (
        f"，绑定学校 {school_code}"
        if school_code
        else (f"，绑定教育集团 {education_group}" if education_group else "")
    )
    audit.record(con, by, audit.ROLE_CHANGED, username, f"{rows[0][0]} → {role}{bound}")
    return account(con, username) or User(username, role)


def set_password(
    con: duckdb.DuckDBPyConnection, username: str, password: str, *, by: User | str | None = None
) -> None:
    """A new password (and the lock lifted); `by`: who set it, for the audit log (None: the command
    line; the account itself when a user changes their own)."""
    _check_password(password)
    if not con.execute("select count(*) from users where username = ?", [username]).fetchall()[0][0]:
        raise OversightError(f"用户 {username} 不存在。", title="用户不存在")
    # a new password ends every login of the account (engine.logins), in every browser and process
    con.execute(
        "update users set password_hash = ?, failed_attempts = 0, locked_until = null,"
        " password_changed_at = ? where username = ?",
        [_hash(password), datetime.now(), username],
    )
    con.execute("delete from sessions where username = ?", [username])
    audit.record(con, by, audit.PASSWORD_RESET, username)


def list_users(con: duckdb.DuckDBPyConnection) -> list[dict[str, object]]:
    rows = con.execute(
        """select u.username, u.role, coalesce(s.school_name || '（' || u.school_code || '）',
                  u.school_code, case when u.education_group is not null then '教育集团：' || u.education_group end),
                  u.failed_attempts, u.locked_until, u.created_at
           from users as u left join schools as s on s.school_code = u.school_code
           order by u.username"""
    ).fetchall()
    return [
        {
            "用户名": r[0],
            "角色": r[1],
            "绑定学校": r[2],
            "连续失败次数": r[3],
            "锁定至": r[4],
            "创建时间": r[5],
        }
        for r in rows
    ]


def binding_choices(con: duckdb.DuckDBPyConnection) -> tuple[list[tuple[str, str]], list[str]]:
    """What a 学校 account may be bound to: (code, name) of every school, and every 教育集团."""
    schools = con.execute("select school_code, school_name from schools order by school_code").fetchall()
    groups = con.execute(
        "select distinct education_group from schools where education_group is not null order by 1"
    ).fetchall()
    return [(str(c), str(n)) for c, n in schools], [str(g[0]) for g in groups]


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
    # printed once in a terminal: a one-time password, changed at the first login
    con.execute("update users set must_change_password = true where username = ?", [username])
    return password


#: what a login reads before the password is checked: answered from the published copy (engine.publish,
#: whose stamp covers the password hashes), so reading it opens no file
LOGIN_SQL = "select role, password_hash from users where username = ?"


@dataclass(frozen=True)
class LoginAttempt:
    """What a login knows before the password is checked. The check (bcrypt, deliberately slow: about a
    quarter of a second of CPU) runs between `read_login` and `finish_login` with no file held, so fifty
    leaders logging in at once do not queue for the database file behind each other's hashing."""

    username: str
    role: str | None
    password_hash: str | None


class LoginRefused(AccessDenied):
    """A refused login; `delay`: seconds to wait before answering, longer with each failure in a row, so
    guessing gets slower (the caller waits with the file closed)."""

    def __init__(self, message: str, delay: float = 0.0) -> None:
        super().__init__(message)
        self.delay = delay


def read_login(con: duckdb.DuckDBPyConnection, username: str) -> LoginAttempt:
    username = username.strip()
    rows = con.execute(LOGIN_SQL, [username]).fetchall()
    if not rows:
        return LoginAttempt(username, None, None)
    return LoginAttempt(username, str(rows[0][0]), str(rows[0][1]))


def password_matches(attempt: LoginAttempt, password: str) -> bool:
    """The slow part, touching no database. An unknown name costs the same as a wrong password, so user
    names cannot be probed by timing."""
    if attempt.password_hash is None:
        bcrypt.checkpw(b"x", _hash("placeholder-password").encode("ascii"))
        return False
    return bcrypt.checkpw(password.encode("utf-8"), attempt.password_hash.encode("ascii"))


def finish_login(con: duckdb.DuckDBPyConnection, attempt: LoginAttempt, matched: bool) -> User:
    """Record the attempt (failure counter and lock, read from the file itself now; the audit log) and
    return the user, or raise LoginRefused with the Chinese sentence the form shows. Every attempt,
    failed or not, is an audit entry."""
    try:
        user = _settle_login(con, attempt, matched)
    except AccessDenied as exc:
        audit.record(con, attempt.username, audit.LOGIN_FAILED, attempt.username, exc.message)
        raise
    audit.record(con, user, audit.LOGIN, user.username)
    return user


def login(con: duckdb.DuckDBPyConnection, username: str, password: str, *, sleep: bool = True) -> User:
    """Check a password on one connection (the command line, tests); failures slow down and, after
    MAX_FAILED_ATTEMPTS, lock the account. The dashboard runs the same steps with no file held while
    bcrypt runs or a failure waits (app.login)."""
    attempt = read_login(con, username)
    try:
        return finish_login(con, attempt, password_matches(attempt, password))
    except LoginRefused as exc:
        if sleep:
            time.sleep(exc.delay)
        raise


def _settle_login(con: duckdb.DuckDBPyConnection, attempt: LoginAttempt, matched: bool) -> User:
    username, now = attempt.username, datetime.now()
    rows = con.execute(
        "select failed_attempts, locked_until from users where username = ?", [username]
    ).fetchall()
    if attempt.role is None or not rows:
        raise LoginRefused("用户名或密码错误。")
    failed, locked_until = int(rows[0][0] or 0), rows[0][1]
    if locked_until is not None and locked_until > now:
        raise LoginRefused(
            f"连续登录失败次数过多，账号已锁定至 {locked_until:%H:%M}，请稍后再试或联系管理员重置密码。"
        )
    if matched:
        if failed or locked_until is not None:  # written only when there is something to reset
            con.execute(
                "update users set failed_attempts = 0, locked_until = null where username = ?", [username]
            )
        return account(con, username) or User(username, attempt.role)
    failed += 1
    lock = now + timedelta(minutes=LOCK_MINUTES) if failed >= MAX_FAILED_ATTEMPTS else None
    con.execute(
        "update users set failed_attempts = ?, locked_until = ? where username = ?",
        [0 if lock else failed, lock, username],
    )
    delay = min(failed * FAILURE_DELAY_STEP, 3.0)
    if lock:
        raise LoginRefused(f"连续 {MAX_FAILED_ATTEMPTS} 次登录失败，账号已锁定 {LOCK_MINUTES} 分钟。", delay)
    raise LoginRefused(f"用户名或密码错误（还可尝试 {MAX_FAILED_ATTEMPTS - failed} 次）。", delay)
