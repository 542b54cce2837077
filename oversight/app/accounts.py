"""账号管理: administrators list, add, reset and delete accounts.

Every action goes through `oversight.engine.users` (the same functions as `oversight users`), and each
one checks the right again on the server when it runs, against the role the database holds now, so a
session whose account was demoted or removed cannot act from a page it still has open.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl
import streamlit as st

from oversight.app import cache, page
from oversight.contract import roles
from oversight.contract.errors import OversightError
from oversight.engine import logins, users

NOTICE = "_accounts_notice"


def _act(
    ctx: page.PageContext, action: str, func: Callable[..., object], *args: object, **kwargs: object
) -> bool:
    """Run one account action after checking the right again; show a Chinese sentence on failure."""
    try:
        actor = roles.require(page.verified_user(ctx.db), "accounts")
        with cache.connection(ctx.db) as con:
            func(con, *args, **kwargs, by=actor)  # the engine writes the audit entry (engine.users)
    except OversightError as exc:
        page.show_error(exc)
        return False
    st.session_state[NOTICE] = action
    return True


def _add(
    con: object,
    username: str,
    password: str,
    role: str,
    one_time: bool,
    *,
    school_code: str | None = None,
    education_group: str | None = None,
    by: roles.User | None = None,
) -> None:
    """A new account; its password is one the administrator typed, so by default it is changed at the
    first login (engine.logins). A 学校 account is bound to its school or 教育集团."""
    user = users.add_user(
        con,  # type: ignore[arg-type]
        username,
        password,
        role,
        school_code=school_code if role == roles.ROLE_SCHOOL else None,
        education_group=education_group if role == roles.ROLE_SCHOOL else None,
        by=by,
    )
    if one_time:
        logins.require_change(con, user.username)  # type: ignore[arg-type]


def _reset(con: object, username: str, password: str, *, by: roles.User | None = None) -> None:
    """A reset password is the administrator's, never the user's: changed at the next login."""
    users.set_password(con, username, password, by=by)  # type: ignore[arg-type]
    logins.require_change(con, username)  # type: ignore[arg-type]


def _binding_pickers(ctx: page.PageContext, prefix: str) -> tuple[str | None, str | None]:
    """The school or 教育集团 a 学校 account is bound to (both empty for district roles), as the add and
    the change forms ask for it."""
    with cache.connection(ctx.db) as con:
        schools, groups = users.binding_choices(con)  # type: ignore[arg-type]
    names = dict(schools)
    school = st.selectbox(
        "绑定学校（仅学校账号）",
        list(names),
        index=None,
        format_func=lambda c: f"{names[c]}（{c}）",
        placeholder="选择学校",
        key=f"{prefix}_school",
        help="学校账号只能看到所绑定学校的数据；绑定教育集团时可看到集团内各校",
    )
    group = st.selectbox(
        "或绑定教育集团（仅学校账号）",
        groups,
        index=None,
        placeholder="不绑定教育集团",
        key=f"{prefix}_group",
    )
    return school, group


def accounts_section(ctx: page.PageContext) -> list[str]:
    """The accounts as a table (and the last action's notice); returns the user names."""
    with cache.connection(ctx.db) as con:
        accounts = users.list_users(con)
    notice = st.session_state.pop(NOTICE, None)
    if notice:
        st.success(notice)
    st.subheader("现有账号")
    st.caption(
        "角色：领导可查看看板；分析员可查看并上传数据；管理员另可撤销批次、管理账号、查看审计日志；"
        "学校账号绑定一所学校（或一个教育集团），只能查看本校的情况、上传本校的数据。"
    )
    if accounts:
        st.dataframe(pl.DataFrame(accounts), hide_index=True, width="stretch")
    else:
        st.info("还没有任何账号。")
    return [str(u["用户名"]) for u in accounts]


def add_form(ctx: page.PageContext) -> None:
    with st.form("add_user", clear_on_submit=True):
        st.markdown("**添加账号**")
        new_name = st.text_input("用户名", key="add_username")
        new_role = st.selectbox("角色", roles.ROLES, key="add_role")
        school, group = _binding_pickers(ctx, "add")
        new_pw = st.text_input(
            "初始密码", type="password", key="add_password", help=f"至少 {roles.MIN_PASSWORD_LENGTH} 位"
        )
        new_pw2 = st.text_input("再输入一次", type="password", key="add_password2")
        one_time = st.checkbox("首次登录时须修改密码", value=True, key="add_must_change")
        if st.form_submit_button("添加", type="primary"):
            if new_pw != new_pw2:
                st.error("两次输入的密码不一致。")
            elif _act(
                ctx,
                f"已添加账号 {new_name.strip()}（{new_role}）。",
                _add,
                new_name,
                new_pw,
                new_role,
                one_time,
                school_code=school,
                education_group=group,
            ):
                st.rerun()


def reset_form(ctx: page.PageContext, usernames: list[str]) -> None:
    with st.form("reset_password", clear_on_submit=True):
        st.markdown("**重置密码**（同时解除锁定）")
        who = st.selectbox("账号", usernames, key="reset_username", index=None, placeholder="选择账号")
        pw = st.text_input(
            "新密码", type="password", key="reset_password", help=f"至少 {roles.MIN_PASSWORD_LENGTH} 位"
        )
        pw2 = st.text_input("再输入一次", type="password", key="reset_password2")
        if st.form_submit_button("重置密码"):
            if not who:
                st.error("请选择账号。")
            elif pw != pw2:
                st.error("两次输入的密码不一致。")
            elif _act(ctx, f"已重置 {who} 的密码，并解除锁定；该账号下次登录时须修改密码。", _reset, who, pw):
                st.rerun()


def role_form(ctx: page.PageContext, usernames: list[str]) -> None:
    """更改角色 (and a 学校 account's binding); written to the audit log by engine.users.set_role."""
    with st.form("change_role", clear_on_submit=True):
        st.markdown("**更改角色或绑定学校**")
        who = st.selectbox("账号", usernames, key="role_username", index=None, placeholder="选择账号")
        role = st.selectbox("新角色", roles.ROLES, key="role_role")
        school, group = _binding_pickers(ctx, "role")
        if st.form_submit_button("更改"):
            if not who:
                st.error("请选择账号。")
            elif _act(
                ctx,
                f"已把 {who} 的角色改为{role}。",
                users.set_role,
                who,
                role,
                school_code=school if role == roles.ROLE_SCHOOL else None,
                education_group=group if role == roles.ROLE_SCHOOL else None,
            ):
                st.rerun()


def delete_section(ctx: page.PageContext, usernames: list[str]) -> None:
    st.subheader("删除账号")
    others = [u for u in usernames if u != ctx.user.username]
    target = st.selectbox("账号", others, key="delete_username", index=None, placeholder="选择要删除的账号")
    st.caption("不能删除当前登录的账号，也不能删除最后一个管理员。")
    confirm = st.checkbox("我确认删除该账号", key="delete_confirm", disabled=target is None)
    clicked = st.button("删除账号", key="delete_user", disabled=not (target and confirm))
    if clicked and target and _act(ctx, f"已删除账号 {target}。", users.remove_user, target):
        st.rerun()
