"""比对发现和比对运行：只有民政经办读、处理发现；经办和系统管理员发起比对、看运行记录。"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import QuerySet

from shouhu.core.errors import PermissionDenied
from shouhu.web.access._gate import Limit, acting_user, deny, fetch_or_deny, limit_check, require
from shouhu.web.access.persons import division_in_scope, subtree
from shouhu.web.accounts.models import User
from shouhu.web.accounts.permissions import Right, may
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import Action, ObjectType
from shouhu.web.comparison.models import ComparisonRun, Finding
from shouhu.web.exchange.models import Fact
from shouhu.web.registry.models import Division

NOT_FOUND_FINDING = "未找到该比对发现，或您无权查看。"
NOT_FOUND_RUN = "未找到该比对运行，或您无权查看。"


def findings_visible_to(user: User) -> QuerySet[Finding]:
    """Findings about the user's subtree (a finding's division is the child's, or for a record
    that matched nobody, the run's), for the roles that work the findings queue."""
    if not may(user, Right.READ_FINDINGS):
        return Finding.objects.none()
    return Finding.objects.filter(division__path__startswith=subtree(user))


def access_finding(ctx: RequestContext, finding_id: object, *, for_write: bool = False) -> Finding:
    """The finding if the user may read it (and, `for_write`, act on it); else NotFound, the
    same for "missing" and "not yours" (audited)."""
    user = acting_user(ctx)
    finding = fetch_or_deny(
        ctx,
        queryset=Finding.objects.select_related("run", "person__division", "case", "division"),
        visible=findings_visible_to(user),
        pk=finding_id,
        object_type=ObjectType.FINDING,
        message=NOT_FOUND_FINDING,
    )
    if for_write and not may(user, Right.WRITE_CASES):
        deny(ctx, ObjectType.FINDING, finding.pk, "read_only_role")
        raise PermissionDenied("您的角色不能处理比对发现。")
    return finding


def access_finding_record(ctx: RequestContext, finding: Finding, fact_id: object) -> Fact:
    """比对发现所用的一条记录（发现已经过 access_finding）。未能关联的记录没有“人”可据以划定
    辖区，能看到这条发现的人就能看到它的记录；不在发现里的记录与不存在的一样答复（审计）。"""
    return fetch_or_deny(
        ctx,
        queryset=Fact.objects.select_related("agency", "person"),
        visible=Fact.objects.filter(pk__in=finding.fact_ids),
        pk=fact_id,
        object_type=ObjectType.FACT,
        message="未找到该记录，或它不属于这条比对发现。",
    )


# 比对发现列表的翻页次数限额（每页 25 条，带姓名和身份证号）：与人员查询同一做法，数审计日志。
FINDING_LIST_LIMITS: tuple[Limit, ...] = (
    (timedelta(minutes=1), 30, "每分钟"),
    (timedelta(days=1), 1000, "每天"),
)


def access_findings_queue(ctx: RequestContext) -> QuerySet[Finding]:
    """The findings the user may list; a role that works no findings is refused (audited), and
    so is a page past the user's limit (FINDING_LIST_LIMITS)."""
    user = require(ctx, Right.READ_FINDINGS, ObjectType.FINDING_LIST, "您的角色不能查看比对发现。")
    limit_check(
        ctx,
        user,
        limits=FINDING_LIST_LIMITS,
        counted=(Action.VIEW, ObjectType.FINDING_LIST),
        refused=ObjectType.FINDING_LIST,
        what="翻页",
    )
    return findings_visible_to(user)


def runs_visible_to(user: User) -> QuerySet[ComparisonRun]:
    """Runs over a division of the user's subtree (the run record holds counts, no names)."""
    if not may(user, Right.START_RUNS):
        return ComparisonRun.objects.none()
    return ComparisonRun.objects.filter(division__path__startswith=subtree(user))


def access_run_list(ctx: RequestContext) -> QuerySet[ComparisonRun]:
    user = require(
        ctx, Right.START_RUNS, ObjectType.COMPARISON_RUN_LIST, "您的角色不能使用数据比对。"
    )
    return runs_visible_to(user)


def access_run(ctx: RequestContext, run_id: object) -> ComparisonRun:
    user = acting_user(ctx)
    return fetch_or_deny(
        ctx,
        queryset=ComparisonRun.objects.select_related("division"),
        visible=runs_visible_to(user),
        pk=run_id,
        object_type=ObjectType.COMPARISON_RUN,
        message=NOT_FOUND_RUN,
    )


def access_run_start(ctx: RequestContext, division_code: object) -> Division:
    """The division a new run may cover: the user's own or one below it, for the run starters."""
    require(ctx, Right.START_RUNS, ObjectType.COMPARISON_RUN, "您的角色不能发起数据比对。")
    return division_in_scope(ctx, division_code)
