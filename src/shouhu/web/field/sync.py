"""离线记录上传：手机上记下的一条探访、核查或强制报告，联网后传到这里，只记一次。

- 每条记录带手机生成的编号（UUID）：回执表上唯一，重复上传答“已同步”，不再记；两次上传同时到达
  时数据库的唯一约束拦下后一次（整个事务回滚，照片文件删掉）。
- 每条记录带它记录时个案的版本（`package.case_version`）：服务器上的版本变了（儿童转走、风险等级
  即探访计划改了、个案终止）答冲突，附服务器现在的样子；儿童主任看过两边后可以“仍按我的提交”
  （force），或在手机上明确放弃。儿童已不在本人辖区时也是冲突，但不能强行提交。
- 格式不对、内容不对答中文说明，什么也不写。
- 每条同步记入审计：手机上记录的时间和上传时间（另有各服务自己的新增记录）。
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final

from django.db import IntegrityError, transaction
from django.utils import timezone

from shouhu.core.errors import InvalidInput, NotFound
from shouhu.web import access
from shouhu.web.accounts.permissions import Right
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import Action, ObjectType
from shouhu.web.audit.services import audit_record
from shouhu.web.cases import register_risk, registers, reports, reviews, visits
from shouhu.web.cases.models import Case, Visit
from shouhu.web.cases.register_models import RegisterEntry
from shouhu.web.field.models import RecordKind, SyncReceipt
from shouhu.web.field.package import case_state, case_version, entry_state, entry_version
from shouhu.web.field.photos import photos_check, photos_discard, photos_store

RIGHTS: Final = {
    RecordKind.VISIT: Right.RECORD_VISITS,
    RecordKind.REVIEW: Right.RECORD_REVIEWS,
    RecordKind.REPORT: Right.REPORT_CHILD,
}
FORMAT: Final = "离线应用上传的记录格式不对（{}），请更新离线应用后重试。"
GONE: Final = "这名儿童已不在您的辖区（可能已转到别的村），或个案已不存在。"


@dataclass(frozen=True)
class FieldRecord:
    ref: uuid.UUID
    kind: str
    case_id: int | None  # 个案的记录；没有个案的名册儿童的记录带 entry_id
    base: str  # 记录时个案的版本
    recorded_at: datetime  # 手机上记录的时间
    force: bool
    data: dict[str, Any]
    by: str = ""  # 在手机上记录的人（账户名）：只能由本人上传
    entry_id: int | None = None


@dataclass(frozen=True)
class SyncOutcome:
    status: str  # synced | duplicate | conflict
    object_id: int | None = None
    theirs: list[list[str]] = field(default_factory=list)
    may_force: bool = True
    message: str = ""


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key, "")
    if not isinstance(value, str):
        raise InvalidInput(FORMAT.format(f"“{key}”应是文字"))
    return value


def _moment(value: object, what: str) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput(f"{what}不对，请重新填写（年-月-日 时:分）。") from None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def record_parse(raw: str) -> FieldRecord:
    """上传的一条记录（JSON）；缺项、类型不对时答中文说明。"""
    try:
        found = json.loads(raw)
    except ValueError:
        raise InvalidInput(FORMAT.format("不是有效的 JSON")) from None
    if not isinstance(found, dict) or not isinstance(found.get("data"), dict):
        raise InvalidInput(FORMAT.format("缺少记录内容"))
    try:
        ref = uuid.UUID(str(found.get("ref", "")))
    except ValueError:
        raise InvalidInput(FORMAT.format("记录编号不对")) from None
    kind, case_id, entry_id = found.get("kind"), found.get("case"), found.get("entry")
    if kind not in RecordKind.values:
        raise InvalidInput(FORMAT.format("记录类别不对"))
    if [_an_id(case_id), _an_id(entry_id)].count(True) != 1:
        raise InvalidInput(FORMAT.format("缺少个案编号"))
    if entry_id is not None and kind == RecordKind.REVIEW:
        raise InvalidInput("没有个案的名册儿童不做核查：探访就是核实。")
    recorded = _moment(found.get("recorded_at"), "手机上的记录时间")
    if recorded is None:
        raise InvalidInput(FORMAT.format("缺少记录时间"))
    return FieldRecord(ref=ref, kind=kind, case_id=case_id, base=str(found.get("base", "")),
                       recorded_at=recorded, force=found.get("force") is True,
                       data=found["data"], by=str(found.get("by", "")),
                       entry_id=entry_id)  # fmt: skip


def _an_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _visit_input(record: FieldRecord) -> visits.VisitInput:
    data = record.data
    raw = data.get("checks")
    checks_in = raw if isinstance(raw, dict) else {}
    checks = {}
    for code in visits.CHECKS:
        item = checks_in.get(code)
        item = item if isinstance(item, dict) else {}
        checks[code] = visits.Check(_text(item, "status"), _text(item, "note"))
    return visits.VisitInput(
        visited_at=_moment(data.get("visited_at"), "探访时间"), place=_text(data, "place"),
        seen=_text(data, "seen"), checks=checks, notes=_text(data, "notes"),
        client_ref=str(record.ref),
    )  # fmt: skip


def _report_input(record: FieldRecord) -> reports.ReportInput:
    data = record.data
    return reports.ReportInput(
        reporter_kind=_text(data, "reporter_kind"), reporter_org=_text(data, "reporter_org"),
        reporter_name=_text(data, "reporter_name"), reporter_phone=_text(data, "reporter_phone"),
        seen_at=_moment(data.get("seen_at"), "发现的时间"), what_seen=_text(data, "what_seen"),
        reported_at=record.recorded_at,
    )  # fmt: skip


def _visit(ctx: RequestContext, case: Case, record: FieldRecord) -> int:
    return visits.visit_record(ctx=ctx, case=case, data=_visit_input(record)).pk


def _review(ctx: RequestContext, case: Case, record: FieldRecord) -> int:
    data = record.data
    try:
        day: date | None = date.fromisoformat(_text(data, "reviewed_on"))
    except ValueError:
        day = None
    review = reviews.review_record(
        ctx=ctx, case=case, reviewed_on=day, outcome=_text(data, "outcome"),
        note=_text(data, "note"),
    )  # fmt: skip
    return review.pk


def _report(ctx: RequestContext, case: Case, record: FieldRecord) -> int:
    return reports.mandatory_report_create(ctx=ctx, case=case, data=_report_input(record)).pk


SAVERS: Final = {RecordKind.VISIT: _visit, RecordKind.REVIEW: _review, RecordKind.REPORT: _report}


def _entry_visit(ctx: RequestContext, entry: RegisterEntry, record: FieldRecord) -> int:
    return registers.register_visit_record(ctx=ctx, entry=entry, data=_visit_input(record)).pk


def _entry_report(ctx: RequestContext, entry: RegisterEntry, record: FieldRecord) -> int:
    report = register_risk.child_report_create(ctx=ctx, child=entry.child,
                                               data=_report_input(record))  # fmt: skip
    return report.pk


ENTRY_SAVERS: Final = {RecordKind.VISIT: _entry_visit, RecordKind.REPORT: _entry_report}


def _earlier(ctx: RequestContext, record: FieldRecord) -> SyncOutcome | None:
    receipt = SyncReceipt.objects.filter(client_ref=record.ref).first()
    if receipt is None:
        return None
    if receipt.user_id != (ctx.user.pk if ctx.user else None) or receipt.kind != record.kind:
        raise InvalidInput("这条记录的编号已被另一条记录使用，请在离线应用里放弃它后重新记录。")
    return SyncOutcome(status="duplicate", object_id=receipt.object_id)


@dataclass(frozen=True)
class _Target:
    """一条记录写到哪里：个案，或没有个案的名册儿童的登记。"""

    save: Callable[[], int]  # 写入记录，答它的编号
    version: str
    state: Callable[[], list[list[str]]]  # 冲突时服务器上的样子
    changed: str
    receipt: dict[str, Case | RegisterEntry]  # 回执的外键
    about: dict[str, int]  # 审计里的编号


def _case_target(ctx: RequestContext, record: FieldRecord) -> _Target:
    case = access.access_case_work(ctx, record.case_id, RIGHTS[RecordKind(record.kind)])
    return _Target(
        save=lambda: SAVERS[RecordKind(record.kind)](ctx, case, record),
        version=case_version(case),
        state=lambda: case_state(case, _disclosure(ctx)),
        changed="您记录之后，服务器上这名儿童的个案有了变化。",
        receipt={"case": case}, about={"case": case.pk},
    )  # fmt: skip


def _entry_target(ctx: RequestContext, record: FieldRecord) -> _Target:
    """没有个案的名册儿童的探访、强制报告：记在名册登记上，版本、回执、照片同个案的一样。"""
    entry = access.access_register_entry(ctx, record.entry_id,
                                         right=RIGHTS[RecordKind(record.kind)])  # fmt: skip
    return _Target(
        save=lambda: ENTRY_SAVERS[RecordKind(record.kind)](ctx, entry, record),
        version=entry_version(entry),
        state=lambda: entry_state(entry, _disclosure(ctx)),
        changed="您记录之后，服务器上这名儿童的名册登记有了变化。",
        receipt={"entry": entry}, about={"register_entry": entry.pk},
    )  # fmt: skip


def _disclosure(ctx: RequestContext) -> access.Disclosure:
    assert ctx.user is not None  # 访问层已确认
    return access.disclosure_for(ctx.user)


def field_record_sync(
    *, ctx: RequestContext, record: FieldRecord, photos: list[bytes]
) -> SyncOutcome:
    """记下手机上传的一条记录：重复的答已同步，版本变了的答冲突，其余在一个事务里写入。"""
    if record.by and ctx.user is not None and record.by != ctx.user.username:
        raise InvalidInput("这条记录是另一名用户在这部手机上记录的，须由记录人本人登录后同步。")
    earlier = _earlier(ctx, record)
    if earlier is not None:
        return earlier
    if photos and record.kind != RecordKind.VISIT:
        raise InvalidInput("只有探访可以带照片。")
    photos_check(photos)
    try:
        target = (_entry_target if record.entry_id is not None else _case_target)(ctx, record)
    except NotFound:
        return SyncOutcome(status="conflict", theirs=[["所在村（居）", GONE]], may_force=False,
                           message=GONE)  # fmt: skip
    if target.version != record.base and not record.force:
        return SyncOutcome(status="conflict", theirs=target.state(), message=target.changed)
    written: list[Path] = []
    try:
        with transaction.atomic():
            object_id = target.save()
            SyncReceipt.objects.create(
                client_ref=record.ref, kind=record.kind, object_id=object_id, **target.receipt,
                user=ctx.user, recorded_at=record.recorded_at, forced=record.force,
            )  # fmt: skip
            if photos:
                photos_store(Visit.objects.get(pk=object_id), photos, written)
            _audit(ctx, record, target.about, object_id, len(photos))
    except IntegrityError:  # 同一条记录的另一次上传先到了一步
        photos_discard(written)
        again = _earlier(ctx, record)
        if again is None:
            raise
        return again
    except BaseException:
        photos_discard(written)
        raise
    return SyncOutcome(status="synced", object_id=object_id)


def _audit(
    ctx: RequestContext, record: FieldRecord, about: dict[str, int], object_id: int, photos: int
) -> None:
    audit_record(
        ctx=ctx, action=Action.CREATE, object_type=ObjectType.FIELD_SYNC, object_id=str(record.ref),
        detail={"kind": record.kind, "object": object_id, **about, "photos": photos,
                "recorded_at": record.recorded_at.isoformat(),
                "uploaded_at": timezone.now().isoformat(), "forced": record.force},
    )  # fmt: skip
