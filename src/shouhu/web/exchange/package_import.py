"""Importing an offline package (离线交换包): verify and decrypt it, then store it like any file.

The package's id is the submission's idempotency key (`package:<uuid>`), unique per agency in
the database. The replay check and the store run in one transaction, and a concurrent second
import of the same package, which the unique key turns into a duplicate, is refused as a
replay too — so a package is imported at most once, and a refused one stores nothing but an
audit entry saying why (the package's hash and the reason; never its content).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import transaction

from shouhu.core.errors import InvalidInput, NotFound
from shouhu.core.exchange.package import (
    OpenedPackage,
    PackageRefused,
    RefusalReason,
    package_open,
)
from shouhu.core.exchange.package_keys import (
    PrivateKeys,
    TrustStore,
    private_keys_load,
    trust_load,
)
from shouhu.web.accounts.models import Agency
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import Action, ObjectType
from shouhu.web.audit.services import audit_record
from shouhu.web.exchange.models import Channel, Submission
from shouhu.web.exchange.services import IngestResult, submission_ingest

KEY_PREFIX = "package:"


def package_idempotency_key(package_id: str) -> str:
    return KEY_PREFIX + package_id


def package_seen(package_id: str) -> bool:
    return Submission.objects.filter(idempotency_key=package_idempotency_key(package_id)).exists()


def package_import(
    *,
    ctx: RequestContext,
    data: bytes,
    trust: TrustStore,
    recipient_key: PrivateKeys,
    progress: Callable[[int], None] | None = None,
) -> IngestResult:
    """Verify, decrypt and store one package. Raises PackageRefused (nothing stored) or
    NotFound when the sending agency is not on the platform."""
    try:
        return _import(ctx, data, trust, recipient_key, progress)
    except PackageRefused as exc:
        audit_record(
            ctx=ctx,
            action=Action.DENY,
            object_type=ObjectType.OFFLINE_PACKAGE,
            object_id=hashlib.sha256(data).hexdigest(),
            detail={"refused": exc.reason.value},
        )
        raise


def _import(
    ctx: RequestContext,
    data: bytes,
    trust: TrustStore,
    recipient_key: PrivateKeys,
    progress: Callable[[int], None] | None,
) -> IngestResult:
    with transaction.atomic():
        opened = package_open(data, trust=trust, recipient=recipient_key, seen=package_seen)
        key = package_idempotency_key(opened.header.package_id)
        result = submission_ingest(
            ctx=ctx,
            agency=_sender_agency(opened),
            item_code=opened.header.item_code,
            period=opened.header.period,
            channel=Channel.PACKAGE,
            filename=opened.header.filename,
            data=opened.content,
            progress=progress,
            idempotency_key=key,
            submitted_at=opened.header.created_at,
        )
        if result.duplicate and result.submission and result.submission.idempotency_key == key:
            # imported meanwhile by another transaction: the same refusal as a sequential replay
            raise PackageRefused(RefusalReason.REPLAYED, f"包编号 {opened.header.package_id}")
    return result


def _sender_agency(opened: OpenedPackage) -> Agency:
    sender = opened.header.sender
    agency = Agency.objects.filter(
        agency_type=sender.agency_type, division_id=sender.division_code
    ).first()
    if agency is None:
        raise NotFound(
            f"平台上没有发送部门（{sender.label}），请先建立该部门再导入。未导入任何数据。"
        )
    return agency


def package_keys_configured() -> tuple[TrustStore, PrivateKeys]:
    """The platform's trust store and its own private key, for the web page's package upload.

    From settings PACKAGE_TRUST_DIR (the senders' *.pub.pem) and PACKAGE_KEY_FILE (the key made
    by `shouhu package keygen` for the receiving civil-affairs bureau).
    """
    trust_dir = getattr(settings, "PACKAGE_TRUST_DIR", "")
    key_file = getattr(settings, "PACKAGE_KEY_FILE", "")
    if not trust_dir or not key_file:
        raise InvalidInput(
            "平台尚未配置离线交换包密钥（SHOUHU_PACKAGE_KEY_FILE、SHOUHU_PACKAGE_TRUST_DIR），"
            "请联系管理员"
        )
    if not Path(key_file).is_file():
        raise InvalidInput("平台的离线交换包私钥文件不存在，请联系管理员")
    return trust_load(Path(trust_dir)), private_keys_load(Path(key_file).read_bytes())
