"""系统接口凭证：签发（令牌只显示一次）、验证、吊销。

令牌形如 `shouhu_<前缀>_<密钥>`：前缀（8 位十六进制）用来查找凭证，整个令牌的 SHA-256 与库中
所存比较（常量时间）。库里没有令牌本身，泄露数据库不会泄露令牌。
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from shouhu.core.catalog import Catalog, catalog_load
from shouhu.core.errors import InvalidInput
from shouhu.web.accounts.models import Agency, SystemCredential, User
from shouhu.web.accounts.permissions import Role
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import Action, ObjectType
from shouhu.web.audit.services import audit_record

TOKEN_PREFIX = "shouhu_"
# 最近使用时间不必每次调用都写：一分钟内的重复调用不再更新，免得每个请求都写库。
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedCredential:
    credential: SystemCredential
    token: str  # 只在签发时出现这一次


def agency_catalog(agency: Agency) -> Catalog:
    """部门所在地区生效的数据目录（县级区划代码，叠加省、市的增删）。"""
    return catalog_load(agency.division_id[:6])


def token_sha256(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _checked_items(agency: Agency, item_codes: Iterable[str]) -> list[str]:
    codes = list(dict.fromkeys(code.strip() for code in item_codes if code.strip()))
    if not codes:
        raise InvalidInput("请至少指定一个数据项。")
    own = {item.code for item in agency_catalog(agency).items_for(agency.agency_type)}
    foreign = [code for code in codes if code not in own]
    if foreign:
        raise InvalidInput(f"数据项 {'、'.join(foreign)} 不是{agency.name}报送的数据项。")
    return codes


def credential_create(
    *, ctx: RequestContext, name: str, agency: Agency, item_codes: Iterable[str], actor: str = ""
) -> IssuedCredential:
    """签发凭证（含一个不能登录的服务账户），审计；返回的令牌只此一次可见。"""
    name = name.strip()[:100]
    if not name:
        raise InvalidInput("请填写凭证名称（如对方系统的名称）。")
    codes = _checked_items(agency, item_codes)
    prefix = secrets.token_hex(4)
    while SystemCredential.objects.filter(token_prefix=prefix).exists():
        prefix = secrets.token_hex(4)
    token = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        account = User(
            username=f"api-{prefix}",
            full_name=name,
            role=Role.DATA_SUBMITTER,
            agency=agency,
            division_id=agency.division_id,
        )
        account.set_unusable_password()
        account.save()
        credential = SystemCredential.objects.create(
            name=name,
            agency=agency,
            item_codes=codes,
            account=account,
            token_prefix=prefix,
            token_sha256=token_sha256(token),
            created_by=ctx.user,
        )
        audit_record(
            ctx=ctx,
            action=Action.CREATE,
            object_type=ObjectType.CREDENTIAL,
            object_id=credential.pk,
            detail={"prefix": prefix, "agency": agency.pk, "items": codes},
            actor_username=actor,
        )
    return IssuedCredential(credential, token)


def credential_revoke(
    *, ctx: RequestContext, credential: SystemCredential, actor: str = ""
) -> SystemCredential:
    """吊销：此后该令牌的每次调用都得到 401；服务账户同时停用。已吊销的再吊销不变。"""
    if credential.revoked_at is not None:
        return credential
    with transaction.atomic():
        credential.revoked_at = timezone.now()
        credential.save(update_fields=["revoked_at"])
        User.objects.filter(pk=credential.account_id).update(is_active=False)
        audit_record(
            ctx=ctx,
            action=Action.CLOSE,
            object_type=ObjectType.CREDENTIAL,
            object_id=credential.pk,
            detail={"prefix": credential.token_prefix},
            actor_username=actor,
        )
    return credential


@dataclass(frozen=True)
class TokenCheck:
    """验证结果：credential 为空时 why 说明原因（missing / malformed / unknown / revoked）。"""

    credential: SystemCredential | None
    why: str = ""


def credential_authenticate(token: str) -> TokenCheck:
    """按前缀找到凭证，常量时间比较哈希；吊销的不通过。通过时更新最近使用时间。"""
    prefix = _prefix_of(token)
    if prefix is None:
        return TokenCheck(None, "malformed")
    credential = (
        SystemCredential.objects.filter(token_prefix=prefix)
        .select_related("agency__division", "account__agency", "account__division")
        .first()
    )
    if credential is None or not hmac.compare_digest(credential.token_sha256, token_sha256(token)):
        return TokenCheck(None, "unknown")
    if credential.revoked_at is not None or not credential.account.is_active:
        return TokenCheck(credential, "revoked")
    _touch(credential)
    return TokenCheck(credential)


def _prefix_of(token: str) -> str | None:
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    prefix, _, secret = token[len(TOKEN_PREFIX) :].partition("_")
    if len(prefix) != 8 or not secret:
        return None
    return prefix


def _touch(credential: SystemCredential) -> None:
    now = timezone.now()
    last = credential.last_used_at
    if last is None or now - last >= LAST_USED_RESOLUTION:
        SystemCredential.objects.filter(pk=credential.pk).update(last_used_at=now)
        credential.last_used_at = now
