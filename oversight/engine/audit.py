"""The audit log: who did what, when, to which object; append-only (table `audit_log`, schema 9).

One row per login (failed ones too), upload, rollback, account or role change, download of a report
or an export, opened school profile, and whatever later features record here (报送任务, 整改台账).
Nothing in the program updates or deletes a row: this module only inserts and reads, no other module
names the table (tests/test_audit.py holds both), and a rollback of a data batch touches only the data
tables' history.

How to record an action (any layer that may use the engine):

    from oversight.engine import audit
    audit.record(con, user, audit.UPLOAD, "第 12 批", "学校.csv 54 行")

`user`: the acting `roles.User` (its name, role and scope are stored), a user name as text (a failed
login, a script's --user), or None for the command line. `action`: one of ACTIONS below, or a new
Chinese verb a feature adds (add it to ACTIONS so the page's filter lists it). `object`: what was
acted on, in words a person reads (a batch, an account, a school's name and code, a file name).
`detail`: anything else worth keeping (row counts, the new role, a reason). Call it inside the same
transaction as the change when there is one, so the entry and the change commit or fail together.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import duckdb
import polars as pl

from oversight.contract.roles import User

LOGIN, LOGIN_FAILED, LOGOUT = "登录", "登录失败", "退出登录"
UPLOAD, UPLOAD_REFUSED, ROLLBACK = "上传数据", "上传被拒绝", "撤销批次"
ACCOUNT_ADDED, ACCOUNT_REMOVED, PASSWORD_RESET, ROLE_CHANGED = "添加账号", "删除账号", "重置密码", "更改角色"
DOWNLOAD, PROFILE_OPENED, PAGE_REFUSED = "下载", "打开学校画像", "访问被拒绝"
#: the actions this program records, in the order the page's filter lists them (features append theirs)
ACTIONS: list[str] = [
    LOGIN,
    LOGIN_FAILED,
    LOGOUT,
    UPLOAD,
    UPLOAD_REFUSED,
    ROLLBACK,
    ACCOUNT_ADDED,
    ACCOUNT_REMOVED,
    PASSWORD_RESET,
    ROLE_CHANGED,
    DOWNLOAD,
    PROFILE_OPENED,
    PAGE_REFUSED,
]
#: who did it when no account did (the command line, a script)
COMMAND_LINE = "命令行"

#: the columns as the page and the export show them
COLUMNS_ZH = {
    "entry_id": "序号",
    "logged_at": "时间",
    "username": "账号",
    "role": "角色",
    "school_scope": "所属学校",
    "action": "操作",
    "object": "对象",
    "detail": "说明",
}


def record(
    con: duckdb.DuckDBPyConnection,
    user: User | str | None,
    action: str,
    object: str | None = None,
    detail: str | None = None,
) -> None:
    """Append one entry (see the module docstring); `user` may be a User, a name or None."""
    if isinstance(user, User):
        name, role = user.username, user.role
        scope = "、".join(user.scope) if user.scope is not None else None
    else:
        name, role, scope = (user or COMMAND_LINE), None, None
    con.execute(
        "insert into audit_log (logged_at, username, role, school_scope, action, object, detail)"
        " values (?, ?, ?, ?, ?, ?, ?)",
        [datetime.now(), name, role, scope, action, object, detail],
    )


def entries(
    con: duckdb.DuckDBPyConnection,
    *,
    since: date | None = None,
    until: date | None = None,
    username: str | None = None,
    action: str | None = None,
    text: str | None = None,
    limit: int | None = None,
) -> pl.DataFrame:
    """The log, newest first, filtered: days from `since` to `until` (both included), one account, one
    action, and `text` found in the object or the detail."""
    conditions: list[str] = []
    params: list[object] = []
    if since is not None:
        conditions.append("logged_at >= ?")
        params.append(datetime.combine(since, datetime.min.time()))
    if until is not None:
        conditions.append("logged_at < ?")
        params.append(datetime.combine(until + timedelta(days=1), datetime.min.time()))
    if username:
        conditions.append("username = ?")
        params.append(username)
    if action:
        conditions.append("action = ?")
        params.append(action)
    if text:
        conditions.append("(contains(coalesce(object, ''), ?) or contains(coalesce(detail, ''), ?))")
        params += [text, text]
    where = f"where {' and '.join(conditions)}" if conditions else ""
    tail = f"limit {int(limit)}" if limit else ""
    sql = (
        "select entry_id, logged_at, username, role, school_scope, action, object, detail"
        f" from audit_log {where} order by entry_id desc {tail}"
    )
    return con.sql(sql, params=params).pl()


def usernames(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every account name the log holds (the page's filter), removed accounts too."""
    return [str(r[0]) for r in con.execute("select distinct username from audit_log order by 1").fetchall()]
