"""Who may do what: the roles, their rights and the password rules, as data.

The engine stores accounts (engine/users.py); every page and action asks `require` before it acts, on
the server, never only by hiding a link.
"""

from __future__ import annotations

from dataclasses import dataclass

from oversight.contract.errors import AccessDenied

ROLE_LEADER, ROLE_ANALYST, ROLE_ADMIN, ROLE_SCHOOL = "领导", "分析员", "管理员", "学校"
ROLES: tuple[str, ...] = (ROLE_LEADER, ROLE_ANALYST, ROLE_ADMIN, ROLE_SCHOOL)
#: English names a script may use for the roles (oversight users add NAME --role leader)
ROLE_ALIASES: dict[str, str] = {
    "leader": ROLE_LEADER,
    "analyst": ROLE_ANALYST,
    "admin": ROLE_ADMIN,
    "school": ROLE_SCHOOL,
}


def role_named(name: str) -> str:
    """A role from its Chinese name or its English alias (unknown names are returned as given, for
    the caller's own Chinese refusal)."""
    return ROLE_ALIASES.get(name.strip().lower(), name.strip())


#: what each role may do; a district role holds every right of the district roles before it. A 学校
#: account views and uploads too, but only inside its scope (User.scope) and only on SCHOOL_PAGES: no
#: rollback, no accounts, no audit log, no page that lists the district's schools.
RIGHTS: dict[str, tuple[str, ...]] = {
    ROLE_LEADER: ("view",),
    ROLE_ANALYST: ("view", "upload", "tasks", "rectify"),
    ROLE_ADMIN: ("view", "upload", "rollback", "accounts", "audit", "tasks", "rectify"),
    ROLE_SCHOOL: ("view", "upload", "rectify"),
}
RIGHT_LABELS = {
    "view": "查看看板",
    "upload": "上传数据",
    "rollback": "撤销批次",
    "accounts": "管理账号",
    "audit": "查看审计日志",
    "tasks": "发布报送任务、整改立项和销号",
    "rectify": "填写整改措施",
}

#: The pages (by their title, as page.page_setup and the sidebar name them) a 学校 account may open.
#: Deny by default: a page not listed here refuses a scoped account before it reads anything, so a new
#: page is closed to schools until its author has made every list, chart and download on it read
#: through the scope and adds its title here.
SCHOOL_PAGES: frozenset[str] = frozenset({"总览", "学校画像", "数据上传", "修改密码", "报送任务", "整改台账"})
SCHOOL_PAGE_REFUSAL = (
    "学校账号无权打开本页：本页列出全区各校。学校账号只能查看本校的情况（总览、学校画像）和上传本校数据。"
)

MAX_FAILED_ATTEMPTS = 5
#: a login lasts this long after its last use (a working day and the evening)...
SESSION_HOURS = 12
#: ...and never longer than this after the password was typed
SESSION_MAX_DAYS = 7
#: the browser's cookie holding the login's token (HttpOnly, set by oversight/app/asgi.py)
SESSION_COOKIE = "oversight_session"
LOCK_MINUTES = 15
MIN_PASSWORD_LENGTH = 8
#: seconds added per consecutive failure before answering, so guessing gets slower
FAILURE_DELAY_STEP = 0.5


@dataclass(frozen=True)
class User:
    """An account as the database holds it now.

    `scope`: the school codes a 学校 account may see (its own school, or the schools of its 教育集团),
    read from the account by engine.users, never from a URL, query parameter or widget. None for the
    district roles (the whole district). A 学校 account always has a scope: built without one it gets
    the empty scope, so it sees nothing rather than everything (deny by default).
    """

    username: str
    role: str
    scope: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if self.role == ROLE_SCHOOL and self.scope is None:
            object.__setattr__(self, "scope", ())
        elif self.scope is not None:
            object.__setattr__(self, "scope", tuple(sorted(set(self.scope))))

    @property
    def is_school(self) -> bool:
        """A scoped account: everything it reads is limited to `scope`."""
        return self.scope is not None

    def can(self, right: str) -> bool:
        return right in RIGHTS.get(self.role, ())

    def may_open(self, page_title: str) -> bool:
        """Whether this account may open a page at all (the page's own right is checked as well)."""
        return not self.is_school or page_title in SCHOOL_PAGES


def require(user: User | None, right: str) -> User:
    """Raise AccessDenied unless `user` holds `right`; the one check every page and action calls."""
    if user is None:
        raise AccessDenied("请先登录。")
    if not user.can(right):
        raise AccessDenied(f"当前账号（{user.role}）无权{RIGHT_LABELS.get(right, right)}，请联系管理员。")
    return user
