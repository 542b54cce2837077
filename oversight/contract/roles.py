"""Who may do what: the roles, their rights and the password rules, as data.

The engine stores accounts (engine/users.py); every page and action asks `require` before it acts, on
the server, never only by hiding a link.
"""

from __future__ import annotations

from dataclasses import dataclass

from oversight.contract.errors import AccessDenied

ROLE_LEADER, ROLE_ANALYST, ROLE_ADMIN = "领导", "分析员", "管理员"
ROLES: tuple[str, ...] = (ROLE_LEADER, ROLE_ANALYST, ROLE_ADMIN)
#: English names a script may use for the roles (oversight users add NAME --role leader)
ROLE_ALIASES: dict[str, str] = {"leader": ROLE_LEADER, "analyst": ROLE_ANALYST, "admin": ROLE_ADMIN}


def role_named(name: str) -> str:
    """A role from its Chinese name or its English alias (unknown names are returned as given, for
    the caller's own Chinese refusal)."""
    return ROLE_ALIASES.get(name.strip().lower(), name.strip())


#: what each role may do; a role holds every right of the roles before it in ROLES
RIGHTS: dict[str, tuple[str, ...]] = {
    ROLE_LEADER: ("view",),
    ROLE_ANALYST: ("view", "upload"),
    ROLE_ADMIN: ("view", "upload", "rollback", "accounts"),
}
RIGHT_LABELS = {"view": "查看看板", "upload": "上传数据", "rollback": "撤销批次", "accounts": "管理账号"}

MAX_FAILED_ATTEMPTS = 5
LOCK_MINUTES = 15
MIN_PASSWORD_LENGTH = 8
#: seconds added per consecutive failure before answering, so guessing gets slower
FAILURE_DELAY_STEP = 0.5


@dataclass(frozen=True)
class User:
    username: str
    role: str

    def can(self, right: str) -> bool:
        return right in RIGHTS.get(self.role, ())


def require(user: User | None, right: str) -> User:
    """Raise AccessDenied unless `user` holds `right`; the one check every page and action calls."""
    if user is None:
        raise AccessDenied("请先登录。")
    if not user.can(right):
        raise AccessDenied(f"当前账号（{user.role}）无权{RIGHT_LABELS.get(right, right)}，请联系管理员。")
    return user
