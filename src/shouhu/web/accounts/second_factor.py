"""动态验证码（第二因素，TOTP，RFC 6238）和恢复码。

民政经办、三员（系统管理员、安全管理员、安全审计员）登录须在密码之外再输手机身份验证器上的
六位验证码（等保 2.0 三级 8.1.4.1“两种或两种以上组合的鉴别技术”；ASVS L2 V2.8）。

- 密钥用 AES-GCM 加密存放，密钥由 SECRET_KEY 派生：只拿到数据库的人算不出验证码。换了
  SECRET_KEY，已登记的验证码全部失效，须由管理员重置、本人重新登记。
- 同一时间步（30 秒）的验证码只接受一次，防止被人在旁边看见后立即重放。
- 恢复码 10 个，每个用一次；库里只有带密钥的 HMAC-SHA256（60 比特的随机码，加上只在服务器
  上的密钥，拿到数据库也无从穷举）。
- 管理员重置（手机丢了、换了）后，本人下次登录重新登记；重置记入审计。
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from io import BytesIO

import pyotp
import segno
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from shouhu.core.errors import InvalidInput
from shouhu.web.accounts.models import RecoveryCode, SecondFactor, User
from shouhu.web.accounts.permissions import Role
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import Action, ObjectType
from shouhu.web.audit.services import audit_record

# 须用动态验证码登录的角色：能读写儿童档案的经办，和三员。
REQUIRED_ROLES = frozenset({Role.CASEWORKER, Role.ADMINISTRATOR, Role.SECURITY_ADMIN, Role.AUDITOR})
ISSUER = "守护"
RECOVERY_CODES = 10
RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # 32 个，去掉易混的 0/O、1/I
RECOVERY_LENGTH = 12  # 60 比特


def second_factor_required(user: User) -> bool:
    return user.role in REQUIRED_ROLES


def second_factor_enrolled(user: User) -> bool:
    return SecondFactor.objects.filter(user=user, confirmed_at__isnull=False).exists()


# ---------------------------------------------------------------- 密钥的加密存放


def _key(purpose: str) -> bytes:
    return hashlib.sha256(f"shouhu:{purpose}:{settings.SECRET_KEY}".encode()).digest()


def _seal(secret: str) -> str:
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(_key("totp")).encrypt(nonce, secret.encode(), b"totp")
    return base64.b64encode(nonce + sealed).decode()


def _open(sealed: str) -> str:
    raw = base64.b64decode(sealed)
    return AESGCM(_key("totp")).decrypt(raw[:12], raw[12:], b"totp").decode()


# ---------------------------------------------------------------- 登记


def second_factor_begin(*, user: User) -> str:
    """登记的第一步：给出（或沿用未确认的）密钥。刷新页面不换密钥，已扫的码仍然有效。"""
    existing = SecondFactor.objects.filter(user=user).first()
    if existing is not None and existing.confirmed_at is None:
        return _open(existing.secret_sealed)
    if existing is not None:
        raise InvalidInput("已登记过动态验证码；如需重新登记，请联系系统管理员重置。")
    secret = pyotp.random_base32()
    SecondFactor.objects.create(user=user, secret_sealed=_seal(secret), created_at=timezone.now())
    return secret


def second_factor_confirm(*, ctx: RequestContext, user: User, code: str) -> list[str]:
    """输对验证码即启用，发 10 个恢复码（只显示这一次）。记入审计。"""
    factor = SecondFactor.objects.filter(user=user, confirmed_at__isnull=True).first()
    if factor is None or not _accept(factor, code):
        raise InvalidInput("验证码不对：请输入身份验证器上正在显示的六位数字。")
    with transaction.atomic():
        factor.confirmed_at = timezone.now()
        factor.save(update_fields=["confirmed_at"])
        codes = _recovery_codes_issue(user)
        _audit(ctx, user, "second_factor_enrol", "")
    return codes


def second_factor_enrol_known(*, user: User, secret: str) -> None:
    """演示账户：用公开的、固定的密钥直接登记（shouhu demo 打印）。只供演示。"""
    SecondFactor.objects.update_or_create(
        user=user,
        defaults={
            "secret_sealed": _seal(secret),
            "created_at": timezone.now(),
            "confirmed_at": timezone.now(),
        },
    )


def provisioning_uri(*, user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """二维码，SVG 文本（直接嵌在页面里，不请求任何外部服务）。"""
    out = BytesIO()
    segno.make(uri, error="m").save(
        out, kind="svg", scale=5, border=2, xmldecl=False, svgns=True, title="动态验证码二维码"
    )
    return out.getvalue().decode()


# ---------------------------------------------------------------- 验证


def second_factor_check(*, user: User, code: str) -> bool:
    """登录时的验证码：对且未用过（前后各容一个时间步的钟差）。"""
    factor = SecondFactor.objects.filter(user=user, confirmed_at__isnull=False).first()
    return factor is not None and _accept(factor, code)


def _accept(factor: SecondFactor, code: str) -> bool:
    code = "".join(code.split())
    if len(code) != 6 or not code.isdigit():
        return False
    totp = pyotp.TOTP(_open(factor.secret_sealed))
    now = timezone.now()
    for drift in (0, -1, 1):
        step = totp.timecode(now) + drift
        if hmac.compare_digest(totp.generate_otp(step), code):
            # 原子地推进 last_step：并发提交同一验证码时只有一个成功。
            won = SecondFactor.objects.filter(pk=factor.pk, last_step__lt=step).update(
                last_step=step
            )
            return won == 1
    return False


def totp_now(secret: str) -> str:
    """当前的验证码（演示命令和测试用）。"""
    return pyotp.TOTP(secret).now()


# ---------------------------------------------------------------- 恢复码


def _recovery_hmac(user: User, code: str) -> str:
    normal = "".join(code.split()).replace("-", "").upper()
    message = f"{user.pk}:{normal}".encode()
    return hmac.new(_key("recovery"), message, hashlib.sha256).hexdigest()


def _recovery_codes_issue(user: User) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes = [
        "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
        for _ in range(RECOVERY_CODES)
    ]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(user=user, code_hmac=_recovery_hmac(user, code)) for code in codes
    )
    return [f"{code[:4]}-{code[4:8]}-{code[8:]}" for code in codes]


def recovery_code_use(*, user: User, code: str) -> bool:
    """用掉一个恢复码：对且没用过时为真（原子地标记，同一个码不会被用两次）。"""
    if len("".join(code.split()).replace("-", "")) != RECOVERY_LENGTH:
        return False
    used = RecoveryCode.objects.filter(
        user=user, code_hmac=_recovery_hmac(user, code), used_at__isnull=True
    ).update(used_at=timezone.now())
    return used == 1


def recovery_codes_left(*, user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


# ---------------------------------------------------------------- 重置


def second_factor_reset(*, ctx: RequestContext, user: User, actor: str = "") -> User:
    """管理员重置：密钥和恢复码作废，本人下次登录重新登记。记入审计。"""
    with transaction.atomic():
        SecondFactor.objects.filter(user=user).delete()
        RecoveryCode.objects.filter(user=user).delete()
        _audit(ctx, user, "second_factor_reset", actor)
    return user


def _audit(ctx: RequestContext, user: User, change: str, actor: str) -> None:
    audit_record(
        ctx=ctx,
        action=Action.UPDATE,
        object_type=ObjectType.USER,
        object_id=user.pk,
        detail={"change": change},
        actor_username=actor,
    )
