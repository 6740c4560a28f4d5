"""规则变更模拟：民政经办（本县）和领导（所辖地区）发起、看各县前后对比；逐人明细含儿童身份，
只给能读比对发现的民政经办，并按辖区子树划定。"""

from __future__ import annotations

from django.db.models import QuerySet

from shouhu.web.access._gate import acting_user, fetch_or_deny, limit_check, require
from shouhu.web.access.findings import FINDING_LIST_LIMITS
from shouhu.web.access.persons import subtree
from shouhu.web.accounts.models import User
from shouhu.web.accounts.permissions import Right, may
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import Action, ObjectType
from shouhu.web.comparison.models import (
    ComparisonRun,
    RuleSimulation,
    RunStatus,
    SimulationChild,
)

NOT_FOUND_SIMULATION = "未找到该规则变更模拟，或您无权查看。"
NOT_FOUND_RUN = "未找到该比对运行，或它不能用于模拟。"


def simulation_runs_visible_to(user: User) -> QuerySet[ComparisonRun]:
    """可作模拟快照的运行：辖区子树内已完成的正式运行。"""
    if not may(user, Right.SIMULATE_RULES):
        return ComparisonRun.objects.none()
    return ComparisonRun.objects.filter(
        division__path__startswith=subtree(user), status=RunStatus.DONE, simulation=False
    )


def simulations_visible_to(user: User) -> QuerySet[RuleSimulation]:
    if not may(user, Right.SIMULATE_RULES):
        return RuleSimulation.objects.none()
    return RuleSimulation.objects.filter(division__path__startswith=subtree(user))


def access_simulation_list(ctx: RequestContext) -> QuerySet[RuleSimulation]:
    user = require(
        ctx, Right.SIMULATE_RULES, ObjectType.RULE_SIMULATION, "您的角色不能使用规则变更模拟。"
    )
    return simulations_visible_to(user)


def access_simulation_run(ctx: RequestContext, run_id: object) -> ComparisonRun:
    user = require(
        ctx, Right.SIMULATE_RULES, ObjectType.RULE_SIMULATION, "您的角色不能使用规则变更模拟。"
    )
    return fetch_or_deny(
        ctx,
        queryset=ComparisonRun.objects.select_related("division"),
        visible=simulation_runs_visible_to(user),
        pk=run_id,
        object_type=ObjectType.COMPARISON_RUN,
        message=NOT_FOUND_RUN,
    )


def access_simulation(ctx: RequestContext, simulation_id: object) -> RuleSimulation:
    user = acting_user(ctx)
    return fetch_or_deny(
        ctx,
        queryset=RuleSimulation.objects.select_related("run", "division", "started_by"),
        visible=simulations_visible_to(user),
        pk=simulation_id,
        object_type=ObjectType.RULE_SIMULATION,
        message=NOT_FOUND_SIMULATION,
    )


def may_read_simulation_children(user: User) -> bool:
    return may(user, Right.READ_FINDINGS) and may(user, Right.SIMULATE_RULES)


def access_simulation_children(
    ctx: RequestContext, simulation: RuleSimulation
) -> QuerySet[SimulationChild]:
    """逐人明细（模拟已经过 access_simulation）：只给民政经办，子树内的儿童；翻页限额同比对发现。"""
    user = require(
        ctx, Right.READ_FINDINGS, ObjectType.RULE_SIMULATION, "逐人明细只有民政经办可以查看。"
    )
    limit_check(
        ctx,
        user,
        limits=FINDING_LIST_LIMITS,
        counted=(Action.VIEW, ObjectType.RULE_SIMULATION),
        refused=ObjectType.RULE_SIMULATION,
        what="翻页",
    )
    return SimulationChild.objects.filter(
        simulation=simulation, division__path__startswith=subtree(user)
    )
