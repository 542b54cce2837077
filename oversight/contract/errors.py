"""Typed errors with a Chinese title and message, so every surface shows a sentence, not a traceback."""

from __future__ import annotations


class OversightError(Exception):
    """An error the user can act on. `title` is a short Chinese heading, `message` says what to do."""

    title = "操作失败"

    def __init__(self, message: str, title: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if title:
            self.title = title

    def __str__(self) -> str:
        return f"{self.title}：{self.message}"


class StoreBusy(OversightError):
    title = "数据库正忙"


class StoreError(OversightError):
    title = "数据库错误"


class UsageError(OversightError):
    title = "用法错误"


class AccessDenied(OversightError):
    title = "无权操作"
