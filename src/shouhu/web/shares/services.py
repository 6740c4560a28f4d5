"""推送名单的写操作：发布名单（全量或变动）、记录部门的逐人反馈（网页、上传的名单、接口）。

每次写都在同一事务里记审计；反馈或者整批记入，或者一行也不记。
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from shouhu.core.catalog import catalog_load
from shouhu.core.errors import InvalidInput
from shouhu.web import access
from shouhu.web.accounts.models import Agency
from shouhu.web.accounts.permissions import Role
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import Action, ObjectType
from shouhu.web.audit.services import audit_record
from shouhu.web.cases.models import Case, CaseStatus
from shouhu.web.registry.models import Division
from shouhu.web.shares.fields import case_values, granted_fields
from shouhu.web.shares.models import (
    ChangeKind,
    Channel,
    FeedbackBatch,
    Outcome,
    ShareEntry,
    ShareFeedback,
    ShareFeedbackEarlier,
    ShareList,
)
from shouhu.web.shares.scopes import cases_for_purpose

DUE_DAYS: Final = 15  # 部门收到名单后 15 天内逐人反馈
MAX_REFERENCE: Final = 60
MAX_REASON: Final = 200
BATCH: Final = 2000


@dataclass(frozen=True)
class FeedbackInput:
    outcome: str
    done_on: date | None = None
    reference: str = ""
    reason: str = ""


def feedback_problem(feedback: FeedbackInput, *, today: date) -> tuple[str, str] | None:
    """反馈哪里不对：（字段, 中文说明）；没问题时 None。"""
    if feedback.outcome not in Outcome.values:
        return "outcome", "应为“已办理”“不适用”或“未能办理”"
    if feedback.outcome == Outcome.DONE and feedback.done_on is None:
        return "done_on", "已办理的须填办理日期"
    if feedback.done_on is not None and feedback.done_on > today:
        return "done_on", "办理日期不能晚于今天"
    if feedback.outcome == Outcome.COULD_NOT and not feedback.reason.strip():
        return "reason", "未能办理的须写明原因"
    if len(feedback.reference) > MAX_REFERENCE:
        return "reference", f"办理编号不超过 {MAX_REFERENCE} 个字"
    if len(feedback.reason) > MAX_REASON:
        return "reason", f"原因不超过 {MAX_REASON} 个字"
    return None


# ---------------------------------------------------------------- 发布


def roll_of(agency: Agency, purpose: str) -> dict[int, tuple[int, int]]:
    """部门名下现在有哪些儿童：儿童 → （个案, 新增那一行）。按名单顺序，新增加入、停止移出。"""
    roll: dict[int, tuple[int, int]] = {}
    entries = ShareEntry.objects.filter(share_list__agency=agency, share_list__purpose=purpose)
    ordered = entries.order_by("share_list__number", "pk")
    for child_id, case_id, entry_id, change in ordered.values_list(
        "child_id", "case_id", "pk", "change"
    ):
        if change == ChangeKind.ENROL:
            roll[child_id] = (case_id, entry_id)
        else:
            roll.pop(child_id, None)
    return roll


def share_list_publish(
    *, ctx: RequestContext, division: Division, agency: Agency, purpose: str
) -> ShareList:
    """发布下一份名单：第一份全量，以后只列上一份以来的新增和停止。没有变动时不发布。"""
    share = catalog_load().purposes.get(purpose)
    if share is None or share.kind != "share":
        raise InvalidInput("请选择推送用途。")
    if agency.division_id != division.pk:
        raise InvalidInput("只能推送给本县（区、旗）的部门。")
    fields = granted_fields(agency, purpose)
    if not fields:
        raise InvalidInput(f"{agency.name}没有“{share.label}”推送名单的授权，不能推送。")
    published = share_list_publish_if_changed(
        ctx=ctx, division=division, agency=agency, purpose=purpose, fields=fields, empty_full=True
    )
    if published is None:
        last = ShareList.objects.filter(agency=agency, purpose=purpose).order_by("-number").first()
        number = last.number if last else 0
        raise InvalidInput(f"上一份名单（第 {number} 份）以来没有新增或停止的儿童，不必发布。")
    return published


def share_list_publish_if_changed(
    *,
    ctx: RequestContext,
    division: Division,
    agency: Agency,
    purpose: str,
    fields: list[str],
    empty_full: bool = False,
) -> ShareList | None:
    """发布下一份名单（fields 是现在获授权的字段）；上一份以来没有变动时不发布，返回 None。
    第一份（全量）没有一名儿童时，只有 empty_full（经办人员手动发布）才发布。"""
    with transaction.atomic():
        Agency.objects.select_for_update().filter(pk=agency.pk).first()  # 编号依次，不重号
        return _publish(ctx, division, agency, purpose, fields, empty_full)


def _publish(
    ctx: RequestContext,
    division: Division,
    agency: Agency,
    purpose: str,
    fields: list[str],
    empty_full: bool,
) -> ShareList | None:
    roll = roll_of(agency, purpose)
    active = Case.objects.filter(status=CaseStatus.ACTIVE, division__path__startswith=division.path)
    chosen = cases_for_purpose(active, purpose, timezone.localdate())
    current = dict(chosen.values_list("child_id", "pk"))
    enrol = [case_id for child, case_id in current.items() if child not in roll]
    exits = [case_id for child, (case_id, _) in roll.items() if child not in current]
    last = ShareList.objects.filter(agency=agency, purpose=purpose).order_by("-number").first()
    if not enrol and not exits and (last is not None or not empty_full):
        return None
    today = timezone.localdate()
    share_list = ShareList.objects.create(
        division=division, agency=agency, purpose=purpose, number=last.number + 1 if last else 1,
        full=last is None, fields=fields, published_by=ctx.user,
        due_on=today + timedelta(days=DUE_DAYS), enrol_count=len(enrol), exit_count=len(exits),
    )  # fmt: skip
    cases = (
        Case.objects.filter(pk__in=[*exits, *enrol])
        .select_related("child__division")
        .prefetch_related("care_arrangements")
        .order_by("child__division_id", "child__name", "pk")
    )
    leaving = set(exits)
    receiver = access.disclosure_for_agency(agency, Role.DEPARTMENT_USER)
    entries = [
        ShareEntry(share_list=share_list, case=case, child_id=case.child_id,
                   change=ChangeKind.EXIT if case.pk in leaving else ChangeKind.ENROL,
                   data=case_values(case, fields, receiver))
        for case in cases.iterator(chunk_size=BATCH)
    ]  # fmt: skip
    entries.sort(key=lambda e: e.change != ChangeKind.EXIT)  # 停止的在前：先停办
    ShareEntry.objects.bulk_create(entries, batch_size=BATCH)
    audit_record(
        ctx=ctx, action=Action.CREATE, object_type=ObjectType.SHARE_LIST, object_id=share_list.pk,
        detail={"agency": agency.pk, "purpose": purpose, "number": share_list.number,
                "enrol": len(enrol), "exit": len(exits), "fields": fields},
    )  # fmt: skip
    return share_list


# ---------------------------------------------------------------- 反馈


def _apply(
    ctx: RequestContext,
    share_list: ShareList,
    rows: Mapping[int, FeedbackInput],
    channel: str,
    batch: FeedbackBatch | None,
) -> int:
    """把反馈记到名单行上：新的新建，改了的换成新的一条，相同的不动。返回新记或改动的行数。

    改动的先把原来那条（谁、何时、什么）抄进 ShareFeedbackEarlier，再删后建；不用 bulk_update：
    它为每一列拼一个逐行的 CASE，十万行时要几分钟。"""
    now = timezone.now()
    existing = {
        entry_id: (pk, (outcome, done_on, reference, reason))
        for pk, entry_id, outcome, done_on, reference, reason in ShareFeedback.objects.filter(
            entry__share_list=share_list
        ).values_list("pk", "entry_id", "outcome", "done_on", "reference", "reason")
    }
    fresh: list[ShareFeedback] = []
    replaced: list[int] = []
    for entry_id, given in rows.items():
        values = (given.outcome, given.done_on, given.reference.strip(), given.reason.strip())
        found = existing.get(entry_id)
        if found is not None and found[1] == values:
            continue
        if found is not None:
            replaced.append(found[0])
        outcome, done_on, reference, reason = values
        fresh.append(ShareFeedback(
            entry_id=entry_id, outcome=outcome, done_on=done_on, reference=reference,
            reason=reason, channel=channel, batch=batch, recorded_at=now, recorded_by=ctx.user,
        ))  # fmt: skip
    _move_to_earlier(replaced, now, ctx.user.pk if ctx.user else None)
    ShareFeedback.objects.bulk_create(fresh, batch_size=BATCH)
    return len(fresh)


# 改正前的反馈照原样抄过去的列（两张表同名）
_KEPT_COLUMNS: Final = ("entry_id", "outcome", "done_on", "reference", "reason", "channel",
                        "batch_id", "recorded_at", "recorded_by_id")  # fmt: skip


def _move_to_earlier(ids: list[int], now: datetime, user_id: int | None) -> None:
    """被改掉的反馈整行抄进 ShareFeedbackEarlier，再删去：每批一句 INSERT … SELECT、一句 DELETE，
    行不经 Python（十万行时逐个建对象要多花八秒，bench/outbound）。"""
    qn = connection.ops.quote_name
    kept = ", ".join(qn(c) for c in _KEPT_COLUMNS)
    earlier, current = qn(ShareFeedbackEarlier._meta.db_table), qn(ShareFeedback._meta.db_table)
    moment = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {earlier} ({kept}, {qn('replaced_at')}, {qn('replaced_by_id')})"
                f" SELECT {kept}, %s, %s FROM {current} WHERE {qn('id')} IN ({marks})",
                [moment, user_id, *chunk],
            )
            cursor.execute(f"DELETE FROM {current} WHERE {qn('id')} IN ({marks})", chunk)


def share_feedback_record(
    *, ctx: RequestContext, share_list: ShareList, entry_ids: list[int], feedback: FeedbackInput
) -> int:
    """网页上勾选的几名儿童，记同一个反馈。返回新记或改动的人数。"""
    problem = feedback_problem(feedback, today=timezone.localdate())
    if problem is not None:
        raise InvalidInput(problem[1] + "。")
    ids = list(share_list.entries.filter(pk__in=entry_ids[:10_000]).values_list("pk", flat=True))
    if not ids:
        raise InvalidInput("请至少勾选一名儿童。")
    with transaction.atomic():
        changed = _apply(ctx, share_list, dict.fromkeys(ids, feedback), Channel.WEB, None)
        audit_record(
            ctx=ctx, action=Action.CREATE, object_type=ObjectType.SHARE_FEEDBACK,
            object_id=share_list.pk,
            detail={"channel": Channel.WEB, "rows": len(ids), "changed": changed},
        )  # fmt: skip
    return changed


@dataclass(frozen=True)
class BatchOutcome:
    batch: FeedbackBatch
    duplicate: bool  # 同一文件或同一幂等键此前已记入：这次没有再记


def feedback_batch_earlier(
    share_list: ShareList, *, channel: str, content_sha256: str, idempotency_key: str
) -> FeedbackBatch | None:
    batches = FeedbackBatch.objects.filter(share_list=share_list)
    if idempotency_key:
        return batches.filter(idempotency_key=idempotency_key).first()
    if channel == Channel.FILE:
        return batches.filter(channel=channel, content_sha256=content_sha256).first()
    return None


def feedback_batch_store(
    *,
    ctx: RequestContext,
    share_list: ShareList,
    channel: str,
    rows: Mapping[int, FeedbackInput],
    content_sha256: str,
    filename: str = "",
    idempotency_key: str = "",
) -> BatchOutcome:
    """一批已校验过的反馈（上传的名单或接口提交），整批记入；同一文件、同一幂等键只记一次。"""
    key = {"channel": channel, "content_sha256": content_sha256, "idempotency_key": idempotency_key}
    earlier = feedback_batch_earlier(share_list, **key)
    if earlier is not None:
        return BatchOutcome(earlier, duplicate=True)
    try:
        with transaction.atomic():
            batch = FeedbackBatch.objects.create(
                share_list=share_list, filename=filename[:200], rows=len(rows),
                recorded_by=ctx.user, channel=channel, content_sha256=content_sha256,
                idempotency_key=idempotency_key,
            )  # fmt: skip
            batch.changed = _apply(ctx, share_list, rows, channel, batch)
            batch.save(update_fields=["changed"])
            audit_record(
                ctx=ctx, action=Action.CREATE, object_type=ObjectType.SHARE_FEEDBACK,
                object_id=share_list.pk,
                detail={"channel": channel, "batch": batch.pk, "rows": len(rows),
                        "changed": batch.changed},
            )  # fmt: skip
    except IntegrityError:  # 同时提交的同一批：另一次已经记入
        earlier = feedback_batch_earlier(share_list, **key)
        if earlier is None:
            raise
        return BatchOutcome(earlier, duplicate=True)
    return BatchOutcome(batch, duplicate=False)
