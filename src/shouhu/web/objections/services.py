"""疑义的写操作：提出、核实无误、更正、不予采纳、撤回。每一步与其审计记录在同一事务中。

审计说明里只有编号和结论代码，没有理由和答复的原文（其中可能写了姓名、号码）。
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Final

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from shouhu.core.catalog import FieldType
from shouhu.core.catalog.facts import DATE_ORDER, ValueKind, fact_fields, field_kind
from shouhu.core.errors import DomainError, ErrorCode, InvalidInput
from shouhu.core.exchange.records import record_digest
from shouhu.core.policy.vocabulary import FACT_FIELDS, FIELD_LABELS
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import Action, ObjectType
from shouhu.web.audit.services import audit_record
from shouhu.web.exchange.items import catalog_for
from shouhu.web.exchange.models import Fact
from shouhu.web.exchange.sealing import fact_row_seal
from shouhu.web.notify import Notice, emails_of, notices_send_on_commit, platform_link
from shouhu.web.objections.models import Objection, ObjectionStatus

ANSWER_WORKING_DAYS: Final = 5  # 答复期限：提出后 5 个工作日
MAX_TEXT: Final = 1000
# 可更正的事实字段：事实的全部字段（docs/rules.md §2）；某类型可带哪些由 fact_fields(type) 决定。
CORRECTABLE: Final = FACT_FIELDS
ALREADY_ANSWERED: Final = "该疑义已经办结，不能再次答复。"


class Conflict(DomainError):
    code = ErrorCode.CONFLICT


def build_due_on(raised_on: date, working_days: int = ANSWER_WORKING_DAYS) -> date:
    """提出日之后第 n 个工作日（周一至周五；法定节假日和调休尚未计入）。"""
    day = raised_on
    left = working_days
    while left > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return day


def _text(value: str, what: str) -> str:
    text = value.strip()
    if not text:
        raise InvalidInput(f"请填写{what}。")
    if len(text) > MAX_TEXT:
        raise InvalidInput(f"{what}不能超过 {MAX_TEXT} 字。")
    return text


def objection_raise(*, ctx: RequestContext, fact: Fact, reason: str) -> Objection:
    """对一条当前有效的事实提出疑义（`fact` 须已经过 access.access_fact）。"""
    assert ctx.user is not None
    reason = _text(reason, "疑义理由")
    if not fact.is_current:
        raise InvalidInput("该事实已被更正，请对最新版本提出疑义。")
    now = timezone.now()
    try:
        with transaction.atomic():
            objection = Objection.objects.create(
                fact=fact,
                agency_id=fact.agency_id,
                reason=reason,
                raised_by=ctx.user,
                raised_at=now,
                due_on=build_due_on(timezone.localdate(now)),
            )
            audit_record(
                ctx=ctx,
                action=Action.CREATE,
                object_type=ObjectType.OBJECTION,
                object_id=objection.pk,
                detail={"fact": fact.pk, "agency": fact.agency_id, "due_on": str(objection.due_on)},
            )
    except IntegrityError:
        raise Conflict("您对这条事实已有一条待校核的疑义，请等待答复。") from None
    return objection


def _locked_open(objection: Objection) -> Objection:
    locked = Objection.objects.select_for_update().get(pk=objection.pk)
    if locked.status != ObjectionStatus.OPEN:
        raise Conflict(ALREADY_ANSWERED)
    return locked


def _close(
    ctx: RequestContext, objection: Objection, status: str, reply: str, extra: dict[str, Any]
) -> Objection:
    now = timezone.now()
    objection.status = status
    objection.reply = reply
    objection.answered_by = ctx.user
    objection.answered_at = objection.resolved_at = now
    objection.save(
        update_fields=["status", "reply", "answered_by", "answered_at", "resolved_at", "correction"]
    )
    audit_record(
        ctx=ctx,
        action=Action.UPDATE,
        object_type=ObjectType.OBJECTION,
        object_id=objection.pk,
        detail={"resolution": status, "fact": objection.fact_id, **extra},
    )
    _answered_notify(objection)
    return objection


def _answered_notify(objection: Objection) -> None:
    """告诉提出人：疑义有了答复（只有编号和结论，事实的内容登录后看）。"""
    raiser = objection.raised_by
    link = reverse("objection_detail", args=[objection.pk])
    outcome = objection.get_status_display()
    subject = f"【守护】您提出的疑义（编号 {objection.pk}）已答复：{outcome}"
    body = (f"您提出的疑义（编号 {objection.pk}）部门已答复，结论为“{outcome}”。\n\n"
            f"请登录平台查看答复：{platform_link(link)}\n\n本通知不含任何个人信息。")  # fmt: skip
    notices_send_on_commit([Notice("objection_answered", emails_of([raiser]), subject, body,
                                   users=(raiser.pk,), link=link)])  # fmt: skip


def objection_confirm(*, ctx: RequestContext, objection: Objection, reply: str) -> Objection:
    """提供部门核实：信息无误，事实不变。须附答复。"""
    reply = _text(reply, "答复")
    with transaction.atomic():
        return _close(ctx, _locked_open(objection), ObjectionStatus.CONFIRMED, reply, {})


def objection_reject(*, ctx: RequestContext, objection: Objection, reply: str) -> Objection:
    """不予采纳（如不属于本部门的信息）：须写明理由。"""
    reply = _text(reply, "不予采纳的理由")
    with transaction.atomic():
        return _close(ctx, _locked_open(objection), ObjectionStatus.REJECTED, reply, {})


def objection_withdraw(*, ctx: RequestContext, objection: Objection) -> Objection:
    """提出人撤回：没有答复，只有办结时间。"""
    with transaction.atomic():
        locked = _locked_open(objection)
        locked.status = ObjectionStatus.WITHDRAWN
        locked.resolved_at = timezone.now()
        locked.save(update_fields=["status", "resolved_at"])
        audit_record(
            ctx=ctx,
            action=Action.CLOSE,
            object_type=ObjectType.OBJECTION,
            object_id=locked.pk,
            detail={"resolution": ObjectionStatus.WITHDRAWN, "fact": locked.fact_id},
        )
    return locked


@dataclass(frozen=True)
class FactChanges:
    """更正后的字段值（只含提交了的字段；None 表示清空）。"""

    values: dict[str, object]


def objection_correct(
    *, ctx: RequestContext, objection: Objection, reply: str, changes: FactChanges
) -> Objection:
    """更正：写入新版本（同部门、同来源记录号、版本号加一），旧版本保留并标为非当前。"""
    reply = _text(reply, "更正说明")
    with transaction.atomic():
        locked = _locked_open(objection)
        old = Fact.objects.select_for_update().get(pk=locked.fact_id)
        if not old.is_current:
            raise Conflict(
                "这条事实在疑义提出后已被重新报送更正，请核对最新版本：如无误请选择“核实无误”。"
            )
        new = _fact_version(old, _checked_changes(old, changes))
        locked.correction = new
        audit_record(
            ctx=ctx,
            action=Action.CREATE,
            object_type=ObjectType.FACT,
            object_id=new.pk,
            detail={"supersedes": old.pk, "version": new.version, "objection": locked.pk},
        )
        return _close(ctx, locked, ObjectionStatus.CORRECTED, reply, {"new_fact": new.pk})


def _checked_changes(old: Fact, changes: FactChanges) -> dict[str, object]:
    allowed = fact_fields(old.type)
    unknown = [name for name in changes.values if name not in allowed or name not in CORRECTABLE]
    if unknown:
        raise InvalidInput(f"这类事实没有可更正的字段 {'、'.join(unknown)}。")
    merged = {name: getattr(old, name) for name in CORRECTABLE if name in allowed}
    merged.update(changes.values)
    for first, later in DATE_ORDER:
        a, b = merged.get(first), merged.get(later)
        if isinstance(a, date) and isinstance(b, date) and b < a:
            raise InvalidInput(f"「{FIELD_LABELS[later]}」不能早于「{FIELD_LABELS[first]}」。")
    if all(getattr(old, name) == value for name, value in merged.items()):
        raise InvalidInput("更正后的内容与原记录相同；如原记录无误，请选择“核实无误”。")
    return merged


def _fact_version(old: Fact, values: dict[str, object]) -> Fact:
    """与报送入库写版本的方式一致：先把旧版本标为非当前（“一条记录只有一个当前版本”的约束），
    再写新版本；record_sha256 按新内容用读文件时的同一函数计算。"""
    Fact.objects.filter(pk=old.pk).update(is_current=False)
    fields = {
        field.attname: getattr(old, field.attname)
        for field in Fact._meta.concrete_fields
        if field.attname not in _NOT_COPIED
    }
    fields.update({name: _stored(name, value) for name, value in values.items()})
    with contextlib.suppress(DomainError):  # 数据目录里没有的数据项：没有要加密的字段
        fact_row_seal(catalog_for(old.agency).item(old.item_code), fields)
    return Fact.objects.create(
        **fields,
        submission_id=None,
        record_sha256=_digest(old, values),
        version=old.version + 1,
        supersedes=old,
        is_current=True,
    )


# A new version gets its own identity, provenance and version fields; everything else (the
# subject as the department wrote it, the link to the person, the item) carries over.
_NOT_COPIED: Final = frozenset(
    {
        "id",
        "submission_id",
        "record_sha256",
        "recorded_at",
        "version",
        "supersedes_id",
        "is_current",
    }
)


def _stored(name: str, value: object) -> object:
    """文本字段在模型里不能为 NULL：清空即空串。"""
    if value is None and name in ("level", "category", "disease"):
        return ""
    return value


def _digest(old: Fact, values: dict[str, object]) -> str:
    """新内容的 record_sha256，与读文件时 record_digest 的输入同形（日期为 date、整数等级为 int），
    这样部门日后报送同样内容的记录时被认作“未变”，不再多出一个版本。"""
    subject = {
        key: value
        for key, value in (
            ("id_number", old.subject_id_number),
            ("name", old.subject_name),
            ("gender", old.subject_gender),
            ("birth_date", old.subject_birth_date),
            ("division_code", old.subject_division_code),
        )
        if value not in (None, "")
    }
    fact: dict[str, object] = {"type": old.type}
    for name, value in values.items():
        if value is None or value == "":
            continue
        is_int = name == "level" and field_kind(old.type, name) is ValueKind.INT
        fact[name] = int(str(value)) if is_int and str(value).isdigit() else value
    return record_digest(old.item_code, old.source_record_id, subject, fact, _typed_extra(old))


def _typed_extra(old: Fact) -> dict[str, object]:
    """附加信息在库中是 JSON（日期存为文本）；按数据项的字段类型还原日期。"""
    extra = dict(old.extra or {})
    try:
        item = catalog_for(old.agency).item(old.item_code)
    except DomainError:
        return extra
    dates = {spec.key for spec in item.fields if spec.type is FieldType.DATE}
    for key, value in extra.items():
        if key in dates and isinstance(value, str):
            with contextlib.suppress(ValueError):  # 不是 ISO 日期：按原样计入哈希
                extra[key] = date.fromisoformat(value)
    return extra
