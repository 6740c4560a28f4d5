"""One domain error hierarchy with enum codes; only the web layer maps them to HTTP."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    INVALID_ID_NUMBER = "invalid_id_number"
    INVALID_DIVISION = "invalid_division"
    INVALID_INPUT = "invalid_input"
    NOT_FOUND = "not_found"
    PERMISSION_DENIED = "permission_denied"
    CONFLICT = "conflict"
    UNAUTHENTICATED = "unauthenticated"
    TOO_LARGE = "too_large"
    TOO_MANY = "too_many"  # 一段时间内的请求次数超过限额


class DomainError(Exception):
    """A domain rule was broken. `message` is Chinese and safe to show (no personal data)."""

    code: ErrorCode = ErrorCode.INVALID_INPUT

    def __init__(self, message: str, *, code: ErrorCode | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class InvalidInput(DomainError):
    code = ErrorCode.INVALID_INPUT


class NotFound(DomainError):
    code = ErrorCode.NOT_FOUND


class PermissionDenied(DomainError):
    code = ErrorCode.PERMISSION_DENIED
