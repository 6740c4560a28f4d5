"""系统接口凭证：签发（令牌只显示一次，带有效期）、验证、吊销。

令牌形如 `shouhu_<前缀>_<密钥>`：前缀（8 位十六进制）用来查找凭证，整个令牌的 SHA-256 与库中
所存比较（常量时间）。库里没有令牌本身，泄露数据库不会泄露令牌。每张凭证都有有效期（到期日
当天北京时间 24 时止，最长 MAX_VALIDITY_DAYS 天），过期的和吊销的一样被拒绝。
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from shouhu.core.catalog import Catalog, catalog_load
from shouhu.core.errors import DomainError, ErrorCode, InvalidInput
from shouhu.web.accounts.agencies import agency_items
from shouhu.web.accounts.models import Agency, SystemCredential, User
from shouhu.web.accounts.permissions import Role
from shouhu.web.accounts.rates import rate_hit
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import Action, ObjectType, Purpose
from shouhu.web.audit.services import audit_record
from shouhu.web.headers import fingerprint_normal

TOKEN_PREFIX = "shouhu_"
# 最近使用时间不必每次调用都写：一分钟内的重复调用不再更新，免得每个请求都写库。
LAST_USED_RESOLUTION = timedelta(minutes=1)
DEFAULT_VALIDITY_DAYS = 365
MAX_VALIDITY_DAYS = 3 * 365 + 1  # 三年：对方系统至少每三年换一次令牌
EXPIRING_SOON = timedelta(days=30)


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
    own = {item.code for item in agency_items(agency)}
    foreign = [code for code in codes if code not in own]
    if foreign:
        raise InvalidInput(f"数据项 {'、'.join(foreign)} 不是{agency.name}报送的数据项。")
    return codes


def _checked_purposes(purposes: Iterable[str]) -> list[str]:
    codes = list(dict.fromkeys(code.strip() for code in purposes if code.strip()))
    known = catalog_load().purposes
    wrong = [code for code in codes if code not in known or known[code].kind != "share"]
    if wrong:
        raise InvalidInput(f"{'、'.join(wrong)} 不是推送名单的用途。")
    return codes


def default_expiry() -> date:
    return timezone.localdate() + timedelta(days=DEFAULT_VALIDITY_DAYS)


def expiry_end(day: date) -> datetime:
    """到期日当天结束的时刻（北京时间次日 0 时），存为带时区的时间。"""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def expiry_day(expires_at: datetime) -> date:
    """有效期的最后一天（北京时间）：expires_at 是它次日的 0 时。"""
    return (timezone.localtime(expires_at) - timedelta(microseconds=1)).date()


def _checked_expiry(day: date) -> datetime:
    today = timezone.localdate()
    if day < today:
        raise InvalidInput("有效期不能早于今天。")
    if day > today + timedelta(days=MAX_VALIDITY_DAYS):
        raise InvalidInput(f"有效期最长三年（至 {today + timedelta(days=MAX_VALIDITY_DAYS)}）。")
    return expiry_end(day)


def credential_create(
    *,
    ctx: RequestContext,
    name: str,
    agency: Agency,
    item_codes: Iterable[str],
    expires_on: date | None = None,
    actor: str = "",
    share_purposes: Iterable[str] = (),
) -> IssuedCredential:
    """签发凭证（含一个不能登录的服务账户），审计；返回的令牌只此一次可见。

    一张凭证或报送数据（item_codes），或接收推送名单、报反馈（share_purposes，服务账户是
    部门用户），不兼做两件事。expires_on 为有效期的最后一天（缺省一年）。"""
    name = name.strip()[:100]
    if not name:
        raise InvalidInput("请填写凭证名称（如对方系统的名称）。")
    purposes = _checked_purposes(share_purposes)
    wanted = [code for code in item_codes if code.strip()]
    if purposes and wanted:
        raise InvalidInput("一张凭证或用于报送数据，或用于接收推送名单，请分别签发。")
    codes = [] if purposes else _checked_items(agency, item_codes)
    expires_at = _checked_expiry(expires_on or default_expiry())
    prefix = secrets.token_hex(4)
    while SystemCredential.objects.filter(token_prefix=prefix).exists():
        prefix = secrets.token_hex(4)
    token = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        account = User(
            username=f"api-{prefix}",
            full_name=name,
            role=Role.DEPARTMENT_USER if purposes else Role.DATA_SUBMITTER,
            agency=agency,
            division_id=agency.division_id,
        )
        account.set_unusable_password()
        account.save()
        credential = SystemCredential.objects.create(
            name=name,
            agency=agency,
            item_codes=codes,
            share_purposes=purposes,
            account=account,
            token_prefix=prefix,
            token_sha256=token_sha256(token),
            created_by=ctx.user,
            expires_at=expires_at,
        )
        audit_record(
            ctx=ctx,
            action=Action.CREATE,
            object_type=ObjectType.CREDENTIAL,
            object_id=credential.pk,
            detail={
                "prefix": prefix,
                "agency": agency.pk,
                "items": codes,
                "share_purposes": purposes,
                "expires_at": expires_at.isoformat(),
            },
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


REFUSALS = {
    "revoked": "接口凭证已吊销，请联系管理员重新签发。",
    "expired": "接口凭证已过期，请联系管理员重新签发。",
    "client_cert_missing": (
        "该接口凭证绑定了客户端证书：请求未带经校验的客户端证书，请配置证书后重试。"
    ),
    "client_cert_mismatch": "该接口凭证绑定了客户端证书：请求所带的证书与绑定的不符。",
}


def credential_bind(
    *, ctx: RequestContext, credential: SystemCredential, fingerprint: str, actor: str = ""
) -> SystemCredential:
    """把凭证绑定到一张客户端证书（SHA-256 指纹；空串为解除绑定）。记审计（只记指纹）。"""
    normal = fingerprint_normal(fingerprint) if fingerprint else ""
    if fingerprint and not normal:
        raise InvalidInput("证书指纹应为 SHA-256（64 位十六进制，可带冒号）。")
    with transaction.atomic():
        before = credential.client_cert_sha256
        credential.client_cert_sha256 = normal
        credential.save(update_fields=["client_cert_sha256"])
        audit_record(
            ctx=ctx,
            action=Action.UPDATE,
            object_type=ObjectType.CREDENTIAL,
            object_id=credential.pk,
            detail={"prefix": credential.token_prefix, "client_cert_sha256": normal,
                    "before": before},
            actor_username=actor,
        )  # fmt: skip
    return credential


def client_cert_check(credential: SystemCredential, presented: str) -> str:
    """绑定了证书的凭证：请求带来的（受信任代理校验过的）证书指纹须相同。通过为空串，否则为
    拒绝原因（client_cert_missing / client_cert_mismatch）。"""
    expected = credential.client_cert_sha256
    if not expected:
        return ""
    if not presented:
        return "client_cert_missing"
    return "" if hmac.compare_digest(expected, presented) else "client_cert_mismatch"


@dataclass(frozen=True)
class TokenCheck:
    """验证结果：why 为空即通过；否则说明原因（malformed / unknown / revoked / expired）。
    认出了凭证但拒绝时（吊销、过期），credential 仍给出，供审计记下是哪一张。"""

    credential: SystemCredential | None
    why: str = ""

    @property
    def message(self) -> str:
        return REFUSALS.get(self.why, "接口凭证无效。")


def credential_state(credential: SystemCredential, now: datetime | None = None) -> str:
    """active / expiring（30 天内到期）/ expired / revoked。"""
    now = now or timezone.now()
    if credential.revoked_at is not None:
        return "revoked"
    if credential.expires_at <= now:
        return "expired"
    return "expiring" if credential.expires_at - now <= EXPIRING_SOON else "active"


CREDENTIAL_STATES = {
    "active": "有效",
    "expiring": "即将到期",
    "expired": "已过期",
    "revoked": "已吊销",
}


def credential_authenticate(token: str, client_cert: str = "") -> TokenCheck:
    """按前缀找到凭证，常量时间比较哈希；吊销的、过期的不通过；绑定了客户端证书的，client_cert
    （受信任代理校验过的证书指纹）须与绑定的相同。通过时更新最近使用时间。"""
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
    if credential.expires_at <= timezone.now():
        return TokenCheck(credential, "expired")
    if why := client_cert_check(credential, client_cert):
        return TokenCheck(credential, why)
    _touch(credential)
    credential_throttle(credential)
    return TokenCheck(credential)


def credential_throttle(credential: SystemCredential) -> None:
    """每个凭证每分钟至多 API_LIMIT_PER_MINUTE 次调用；超过的答 429（每分钟第一次超过时记审计）。"""
    limit = settings.API_LIMIT_PER_MINUTE
    count = rate_hit(key=f"credential:{credential.pk}", window=timedelta(minutes=1))
    if count <= limit:
        return
    if count == limit + 1:
        audit_record(
            ctx=RequestContext(user=credential.account, client_ip="", purpose=Purpose.SUBMISSION),
            action=Action.DENY,
            object_type=ObjectType.CREDENTIAL,
            object_id=credential.token_prefix,
            detail={"why": "rate_limit", "limit": limit},
        )
    raise DomainError(
        f"调用太频繁：每个接口凭证每分钟最多 {limit} 次，请稍后再试。", code=ErrorCode.TOO_MANY
    )


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
