"""数据比对的写操作：发起一次运行（排入后台任务），以及经办人员对比对发现的确认与驳回、
核查结果，为未能关联的记录选定是谁（或记下户籍中没有此人），从发现向报送部门提出疑义。

执行见 execute.py（后台任务、命令行和演示都调用它）。每个操作在同一事务里写审计日志；
审计只记编号、代码和字数，不记理由原文。
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from shouhu.core.errors import DomainError, ErrorCode, InvalidInput
from shouhu.core.findings import CHECK_OUTCOMES_CHOSEN, MATCHED, NO_MATCH
from shouhu.web.accounts.models import User
from shouhu.web.accounts.permissions import Right, roles_with
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import Action, ObjectType, Purpose
from shouhu.web.audit.services import audit_record
from shouhu.web.cases.services import (
    case_change_category,
    case_close,
    case_open,
    written_reason,
)
from shouhu.web.comparison.models import (
    ComparisonRun,
    Finding,
    FindingKind,
    FindingStatus,
    RunStatus,
)
from shouhu.web.comparison.selectors import exit_reason_codes
from shouhu.web.comparison.stale import comparison_runs_stale_fail
from shouhu.web.exchange.linking import fact_link_manual
from shouhu.web.exchange.models import Fact
from shouhu.web.jobs.registry import JobKind
from shouhu.web.jobs.services import job_enqueue
from shouhu.web.objections.models import Objection
from shouhu.web.objections.services import objection_raise
from shouhu.web.registry.models import Division, DivisionLevel, Person

ENGINES = ("duckdb", "spark")
ALREADY_RESOLVED = "该比对发现已处理过，请刷新后再看。"
SIMULATION_NOT_ACTIONABLE = "这是模拟运行（基准日在发起当天之后）的发现，只供参考，不能据此办理。"


# ---------------------------------------------------------------- 发起


def comparison_run_start(
    *,
    ctx: RequestContext,
    division: Division,
    as_of: date,
    engine: str = "duckdb",
    background: bool = True,
) -> ComparisonRun:
    """为一个辖区子树发起比对（权限由 access.access_run_start 先查）。

    background：排入后台任务（网页）；False 时只建运行记录，由调用者当场执行（命令行、演示）。
    同一子树、同一基准日已有排队或运行中的运行时不重复发起，返回那一个（连点两次按钮）。
    """
    if engine not in ENGINES:
        raise InvalidInput(f"比对引擎应为 {' / '.join(ENGINES)}。")
    comparison_runs_stale_fail()  # 被杀掉的命令行运行不能一直挡着新的运行
    with transaction.atomic():
        if background:
            pending = ComparisonRun.objects.filter(
                division=division, as_of=as_of, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]
            ).first()
            if pending is not None:
                return pending
        run = ComparisonRun.objects.create(
            as_of=as_of,
            division=division,
            started_by=ctx.user,
            settings={"engine": engine},
            simulation=as_of > timezone.localdate(),
        )
        if background:
            run.job = job_enqueue(
                kind=JobKind.COMPARISON_RUN, payload={"run_id": run.pk}, created_by=ctx.user
            )
            run.save(update_fields=["job"])
        audit_record(
            ctx=ctx,
            action=Action.CREATE,
            object_type=ObjectType.COMPARISON_RUN,
            object_id=run.pk,
            detail={
                "division": division.code,
                "as_of": as_of.isoformat(),
                "engine": engine,
                "simulation": run.simulation,
            },
        )
    return run


# ---------------------------------------------------------------- 确认与驳回


def _conflict(message: str) -> DomainError:
    return DomainError(message, code=ErrorCode.CONFLICT)


def _locked_open(finding: Finding) -> Finding:
    locked = (
        Finding.objects.select_for_update(of=("self",))
        .select_related("person", "case", "run")
        .filter(pk=finding.pk)
        .first()
    )
    if locked is None or locked.status != FindingStatus.OPEN:
        raise _conflict(ALREADY_RESOLVED)
    if locked.run.simulation:
        raise InvalidInput(SIMULATION_NOT_ACTIONABLE)
    return locked


def _act(
    ctx: RequestContext, finding: Finding, reason: str, reason_code: str
) -> tuple[Any, str, str]:
    """按发现类型办理台账，返回 (个案, 原因代码, 书面说明)。"""
    if finding.kind == FindingKind.ENROL:
        if finding.person is None or not finding.category:
            raise InvalidInput("该发现没有可纳入的儿童或类别。")
        case = case_open(
            ctx=ctx,
            child=finding.person,
            category=finding.category,
            orphan_type=finding.orphan_type,
            note=reason,
        )
        return case, "", reason.strip()
    if finding.kind == FindingKind.EXIT:
        if finding.case is None:
            raise InvalidInput("该发现没有对应的个案。")
        if reason_code not in exit_reason_codes(finding):
            raise InvalidInput("请选择终止原因。")
        case = case_close(ctx=ctx, case=finding.case, reason_code=reason_code, reason=reason)
        return case, reason_code, reason.strip()
    if finding.kind == FindingKind.CHANGE:
        if finding.case is None or not finding.category:
            raise InvalidInput("该发现没有对应的个案或新类别。")
        case = case_change_category(
            ctx=ctx,
            case=finding.case,
            category=finding.category,
            orphan_type=finding.orphan_type,
            note=reason,
        )
        return case, "", reason.strip()
    # 需人工核查、无法匹配：记下核查结果（选一种，并写明），不改台账
    if reason_code not in CHECK_OUTCOMES_CHOSEN:
        raise InvalidInput("请选择核查结果。")
    return None, reason_code, written_reason(reason, what="核查结果")


def finding_confirm(
    *, ctx: RequestContext, finding: Finding, reason: str = "", reason_code: str = ""
) -> Finding:
    """确认一条发现：应纳 → 开个案；应退 → 终止个案（须书面理由和原因代码）；类别变更 → 改类别；
    需核查、无法匹配 → 记下核查结果（须填写）。台账、发现和审计在同一事务里。"""
    with transaction.atomic():
        locked = _locked_open(finding)
        case, code, text = _act(ctx, locked, reason, reason_code)
        _resolve(ctx, locked, case=case, code=code, text=text)
    return locked


def _resolve(ctx: RequestContext, locked: Finding, *, case: Any, code: str, text: str) -> None:
    """办结（已在事务里、已加锁）：记下结果、办理人和时间，写审计。"""
    locked.status, locked.resolved_by, locked.resolved_at = (
        FindingStatus.CONFIRMED,
        ctx.user,
        timezone.now(),
    )
    locked.resolution_code, locked.resolution_reason = code, text
    locked.outcome_case = case
    locked.save(
        update_fields=[
            "status",
            "resolved_by",
            "resolved_at",
            "resolution_code",
            "resolution_reason",
            "outcome_case",
        ]
    )
    audit_record(
        ctx=ctx,
        action=Action.UPDATE,
        object_type=ObjectType.FINDING,
        object_id=locked.pk,
        detail={
            "resolution": "confirmed",
            "kind": locked.kind,
            "case": case.pk if case else None,
            "reason_code": code,
            "reason_chars": len(text),
        },
    )


# ---------------------------------------------------------------- 未能关联的记录


def _unlinked_record(locked: Finding, fact: Fact) -> None:
    if fact.pk not in locked.fact_ids:
        raise InvalidInput("这条记录不属于该比对发现。")
    if fact.person_id is not None and fact.link_method == "manual":
        raise InvalidInput("这条记录已人工关联过。")


def finding_record_match(
    *, ctx: RequestContext, finding: Finding, fact: Fact, person: Person, reason: str = ""
) -> Finding:
    """认定记录说的是 person（调用方已核对用户能看到这个人）：记录人工关联；发现里再没有未关联
    的记录时，发现以“已人工关联”办结——下次比对按关联后的记录重新认定。"""
    with transaction.atomic():
        locked = _locked_open(finding)
        _unlinked_record(locked, fact)
        fact_link_manual(ctx=ctx, fact=fact, person=person)
        unlinked = Fact.objects.filter(pk__in=locked.fact_ids, person__isnull=True).exists()
        if not unlinked:
            text = reason.strip() or "已人工关联，下次比对按关联后的记录重新认定。"
            _resolve(ctx, locked, case=None, code=MATCHED, text=written_reason(text))
    return locked


def finding_record_none(
    *, ctx: RequestContext, finding: Finding, fact: Fact, reason: str
) -> tuple[Finding, Objection]:
    """户籍中没有这条记录说的人：向报送部门提出疑义（理由即疑义内容），发现以“户籍中没有此人”
    办结。两件事在同一事务里，任一不成则都不做。"""
    text = written_reason(reason, what="户籍中没有此人的说明")
    with transaction.atomic():
        locked = _locked_open(finding)
        _unlinked_record(locked, fact)
        objection = objection_raise(ctx=ctx, fact=fact, reason=text)
        _resolve(ctx, locked, case=None, code=NO_MATCH, text=text)
    return locked, objection


def finding_record_object(
    *, ctx: RequestContext, finding: Finding, fact: Fact, reason: str
) -> Objection:
    """从比对发现向报送部门就其中一条记录提出疑义；发现仍待处理（等部门答复后再办）。"""
    if fact.pk not in finding.fact_ids:
        raise InvalidInput("这条记录不属于该比对发现。")
    return objection_raise(ctx=ctx, fact=fact, reason=reason)


def finding_dismiss(*, ctx: RequestContext, finding: Finding, reason: str) -> Finding:
    """驳回一条发现（如经核实数据有误）：须书面说明理由；不改台账。"""
    text = written_reason(reason, what="驳回比对发现")
    with transaction.atomic():
        locked = _locked_open(finding)
        locked.status, locked.resolved_by, locked.resolved_at = (
            FindingStatus.DISMISSED,
            ctx.user,
            timezone.now(),
        )
        locked.resolution_reason = text
        locked.save(update_fields=["status", "resolved_by", "resolved_at", "resolution_reason"])
        audit_record(
            ctx=ctx,
            action=Action.UPDATE,
            object_type=ObjectType.FINDING,
            object_id=locked.pk,
            detail={"resolution": "dismissed", "kind": locked.kind, "reason_chars": len(text)},
        )
    return locked


def comparison_runs_monthly(*, period: str) -> list[int]:
    """定时比对：period（YYYY-MM）这个月，为每个有在职民政经办人员的县区发起一次正式运行，
    基准日为上月最后一天（部门按月报送的是上个月的数据）。同一县、同一基准日已有的不重复发起。"""
    year, month = (int(part) for part in period.split("-"))
    as_of = date(year, month, 1) - timedelta(days=1)
    counties = _counties_with_caseworkers()
    ctx = RequestContext(user=None, client_ip="", purpose=Purpose.COMPARISON)
    started = []
    for county in counties:
        if ComparisonRun.objects.filter(division=county, as_of=as_of, simulation=False).exists():
            continue
        run = comparison_run_start(ctx=ctx, division=county, as_of=as_of)
        started.append(run.pk)
    return started


def _counties_with_caseworkers() -> list[Division]:
    paths = User.objects.filter(is_active=True, role__in=roles_with(Right.WRITE_CASES)).values_list(
        "division__path", flat=True
    )
    codes = {code for path in paths for code in path.strip("/").split("/")}
    return list(
        Division.objects.filter(code__in=codes, level=DivisionLevel.COUNTY).order_by("code")
    )
