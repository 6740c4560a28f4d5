"""账户管理：开设、变更角色和辖区、停用、启用、解锁、重置密码和动态验证码。每次都记入审计日志。

开设账户和重置密码都由系统生成一个临时密码，只显示这一次，由管理员当面或电话交给本人；
本人下次登录须先改密码（`must_change_password`）。审计日志里没有密码，也没有姓名。
谁可以改谁（辖区、三员）由访问层（`shouhu.web.access.admin`）判断；这里检查账户本身是否成立。
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from shouhu.core.errors import InvalidInput
from shouhu.web.accounts.models import Agency, SignInFailure, User
from shouhu.web.accounts.permissions import LEVEL_WORDS, RIGHTS, ROSTER_LEVELS, Right, Role
from shouhu.web.accounts.second_factor import second_factor_reset
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import Action, ObjectType
from shouhu.web.audit.services import audit_record
from shouhu.web.registry.models import Division

# 临时密码：去掉易混的 0/O、1/l/I，12 位约 70 比特，足够撑到本人第一次登录改掉它。
PASSWORD_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"
PASSWORD_LENGTH = 12
USERNAME_MIN = 3
FULL_NAME_MAX = 50


@dataclass(frozen=True)
class IssuedPassword:
    """开设账户或重置密码的结果：password 只在此刻可见，库里只有它的哈希。"""

    user: User
    password: str


def temporary_password() -> str:
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))


# Django 的密码规则各有错误代码；中文说明在这里写定（Django 的中文译文不全）。
PASSWORD_RULES = {
    "password_too_short": "太短，至少 {min_length} 位",
    "password_too_common": "太常见，容易被猜中",
    "password_too_similar": "与用户名或姓名太像",
    "password_entirely_numeric": "不能全是数字",
}


def password_problems(password: str, user: User | None = None) -> str:
    """密码规则（settings.AUTH_PASSWORD_VALIDATORS）不通过的中文说明；通过时为空串。"""
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return "；".join(_rule_text(error) for error in exc.error_list) + "。"
    return ""


def _rule_text(error: ValidationError) -> str:
    template = PASSWORD_RULES.get(error.code or "", "不合密码规则")
    return template.format(**(error.params or {}))


# ---------------------------------------------------------------- 账户本身是否成立


def _checked_username(username: str) -> str:
    username = username.strip()
    if len(username) < USERNAME_MIN or len(username) > 150 or not username.isascii():
        raise InvalidInput("用户名应为 3–150 个英文字母、数字或 @ . + - _ 符号。")
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError:
        raise InvalidInput("用户名只能包含英文字母、数字和 @ . + - _ 符号。") from None
    if username.startswith("api-"):
        raise InvalidInput("以“api-”开头的用户名留给接口凭证的服务账户。")
    if User.objects.filter(username__iexact=username).exists():
        raise InvalidInput(f"用户名 {username} 已被使用，请换一个。")
    return username


def _checked_email(email: str) -> str:
    """提醒邮件的收件地址（可空：不收邮件，待办照常在首页）。"""
    email = email.strip()
    if not email:
        return ""
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidInput("电子邮箱的格式不对，应如 zhangsan@mzj.gov.cn。") from None
    return email


def _checked_full_name(full_name: str) -> str:
    full_name = " ".join(full_name.split())
    if not full_name:
        raise InvalidInput("请填写本人的真实姓名。")
    if len(full_name) > FULL_NAME_MAX:
        raise InvalidInput(f"姓名不能超过 {FULL_NAME_MAX} 个字。")
    return full_name


def check_assignment(*, role: str, division: Division, agency: Agency | None) -> None:
    """角色、辖区和部门是否相配：儿童主任在村（居），督导员在乡镇（街道），
    数据报送员须属于某个部门，部门须在辖区的本级或上级。"""
    if role not in Role.values:
        raise InvalidInput("请从列表中选择角色。")
    level = ROSTER_LEVELS.get(Role(role))
    if level is not None and division.level != level:
        wanted = LEVEL_WORDS[level]
        raise InvalidInput(f"{Role(role).label}的辖区应为{wanted}一级，{division.name}不是。")
    if role in RIGHTS[Right.SUBMIT] and agency is None:
        raise InvalidInput("数据报送员须属于一个部门，请选择所属部门。")
    if agency is not None and not division.path.startswith(agency.division.path):
        raise InvalidInput(f"所属部门{agency.name}不在{division.name}的本级或上级，请核对。")


# ---------------------------------------------------------------- 开设与变更


def account_create(
    *,
    ctx: RequestContext,
    username: str,
    full_name: str,
    role: str,
    division: Division,
    agency: Agency | None,
    password: str | None = None,
    actor: str = "",
    email: str = "",
) -> IssuedPassword:
    """开设账户。不给密码时生成临时密码，本人首次登录须修改；给了密码（演示、运维）须合规则。"""
    username = _checked_username(username)
    full_name = _checked_full_name(full_name)
    check_assignment(role=role, division=division, agency=agency)
    user = User(username=username, full_name=full_name, role=role, division=division, agency=agency,
                email=_checked_email(email))  # fmt: skip
    issued = password or temporary_password()
    problems = password_problems(issued, user)
    if problems:
        raise InvalidInput(f"密码不合要求：{problems}")
    user.set_password(issued)
    user.must_change_password = password is None
    with transaction.atomic():
        user.save()
        _audit(ctx, Action.CREATE, user, actor, role=role, division=division.code,
               agency=agency.pk if agency else None)  # fmt: skip
    return IssuedPassword(user, issued)


def account_update(
    *,
    ctx: RequestContext,
    user: User,
    full_name: str,
    role: str,
    division: Division,
    agency: Agency | None,
    actor: str = "",
    email: str | None = None,
) -> User:
    """改姓名、邮箱、角色、辖区或所属部门；改了什么记入审计（代码，不含姓名和邮箱）。"""
    full_name = _checked_full_name(full_name)
    mail = user.email if email is None else _checked_email(email)
    check_assignment(role=role, division=division, agency=agency)
    before = {"role": user.role, "division": user.division_id, "agency": user.agency_id}
    after = {"role": role, "division": division.code, "agency": agency.pk if agency else None}
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    renamed = full_name != user.full_name
    new_email = mail != user.email
    if not changes and not renamed and not new_email:
        return user
    with transaction.atomic():
        user.full_name, user.role, user.division, user.agency = full_name, role, division, agency
        user.email = mail
        user.save(update_fields=["full_name", "role", "division", "agency", "email"])
        _audit(ctx, Action.UPDATE, user, actor, renamed=renamed, email_changed=new_email,
               **changes)  # fmt: skip
    return user


def account_disable(*, ctx: RequestContext, user: User, actor: str = "") -> User:
    """停用：不能再登录，已登录的会话下一次请求即失效；数据和审计记录都保留。"""
    return _set_active(ctx, user, False, actor)


def account_enable(*, ctx: RequestContext, user: User, actor: str = "") -> User:
    return _set_active(ctx, user, True, actor)


def _set_active(ctx: RequestContext, user: User, active: bool, actor: str) -> User:
    if user.is_active == active:
        return user
    with transaction.atomic():
        user.is_active = active
        user.save(update_fields=["is_active"])
        _audit(ctx, Action.UPDATE if active else Action.CLOSE, user, actor,
               change="enable" if active else "disable")  # fmt: skip
    return user


def account_unlock(*, ctx: RequestContext, user: User, actor: str = "") -> User:
    """解除因登录失败太多而加的限制：这个账户名的失败记录清空（各地址的限流随之解除）。"""
    with transaction.atomic():
        user.locked_until = None
        user.save(update_fields=["locked_until"])
        SignInFailure.objects.filter(username=user.username.lower()).delete()
        _audit(ctx, Action.UPDATE, user, actor, change="unlock")
    return user


def account_password_reset(*, ctx: RequestContext, user: User, actor: str = "") -> IssuedPassword:
    """重置为临时密码（只显示这一次）：旧密码和已登录的会话随即失效，锁定解除，
    本人下次登录须先改密码。"""
    issued = temporary_password()
    with transaction.atomic():
        user.set_password(issued)
        user.must_change_password = True
        user.locked_until = None
        user.save(update_fields=["password", "must_change_password", "locked_until"])
        SignInFailure.objects.filter(username=user.username.lower()).delete()
        _audit(ctx, Action.UPDATE, user, actor, change="password_reset")
    return IssuedPassword(user, issued)


def account_second_factor_reset(*, ctx: RequestContext, user: User, actor: str = "") -> User:
    """重置动态验证码（手机丢了、换了）：密钥和恢复码作废，本人下次登录重新登记。"""
    return second_factor_reset(ctx=ctx, user=user, actor=actor)


def _audit(ctx: RequestContext, action: str, user: User, actor: str, **detail: Any) -> None:
    audit_record(
        ctx=ctx,
        action=action,
        object_type=ObjectType.USER,
        object_id=user.pk,
        detail=detail,
        actor_username=actor,
    )


def is_locked(user: User) -> bool:
    return user.locked_until is not None and user.locked_until > timezone.now()
