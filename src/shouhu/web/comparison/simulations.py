"""规则变更模拟（issue 13 第7项）：一套拟议参数在一次已完成的正式运行的数据快照上算一遍。

同一快照（运行记录创建时刻的户籍、台账、事实，见 export.py）先按现行参数、再按拟议参数各跑
一次比对引擎，两次只差参数；只存差异——各县各类发现的条数（现行 → 拟议）、新符合和不再符合
条件的人数，以及结论或理由有变的儿童。不写比对发现，不动个案，页面上没有办理按钮。

审计用途为统计分析（statistics）：发起和完成各记一条，只有编号、参数名和计数。
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
from django.db import transaction
from django.utils import timezone

from shouhu.core.errors import DomainError, InvalidInput
from shouhu.core.policy import PolicyParams, load_params
from shouhu.core.policy.params import ParamValue
from shouhu.core.policy.variant import params_with_variant, variant_check
from shouhu.engine.comparison import CompareResult, CompareSettings, compare_tables
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import Action, ObjectType, Purpose
from shouhu.web.audit.services import audit_record
from shouhu.web.comparison.export import ExportedTables, comparison_tables_get
from shouhu.web.comparison.models import (
    ComparisonRun,
    RuleSimulation,
    RunStatus,
    SimulationChild,
    SimulationCounty,
    SimulationEffect,
)
from shouhu.web.jobs.registry import JobKind
from shouhu.web.jobs.services import job_enqueue
from shouhu.web.registry.models import Division, DivisionLevel, Person

logger = logging.getLogger(__name__)
KINDS = ("enrol", "exit", "change", "review")
NOT_A_WORK_RUN = "只能在已完成的正式比对运行上模拟（模拟运行和未完成的运行不行）。"
NOTHING_CHANGED = "拟议参数与该运行基准日的现行参数相同：请至少修改一项。"
FAILED_MESSAGE = "模拟出错，系统将自动重试；如仍失败请联系管理员。"


# ---------------------------------------------------------------- 发起


def _changed(run: ComparisonRun, overrides: Mapping[str, ParamValue]) -> dict[str, Any]:
    """去掉与运行基准日现行值相同的项；存成 JSON（清单为列表）。"""
    current = load_params().resolve(run.division.code[:6], run.as_of).values
    changed = {name: value for name, value in overrides.items() if current[name] != value}
    if not changed:
        raise InvalidInput(NOTHING_CHANGED)
    return {k: list(v) if isinstance(v, tuple) else v for k, v in changed.items()}


def rule_simulation_start(
    *, ctx: RequestContext, run: ComparisonRun, name: str, raw: Mapping[str, object]
) -> RuleSimulation:
    """在 run（已经过 access_simulation_run）的快照上模拟拟议参数 raw，排入后台任务。"""
    title = name.strip()
    if not title or len(title) > 60:
        raise InvalidInput("请填写方案名称（60字以内），如“在校延续保障到22周岁”。")
    if run.status != RunStatus.DONE or run.simulation:
        raise InvalidInput(NOT_A_WORK_RUN)
    overrides = _changed(run, variant_check(raw))
    with transaction.atomic():
        simulation = RuleSimulation.objects.create(
            run=run, division=run.division, name=title, overrides=overrides, started_by=ctx.user
        )
        simulation.job = job_enqueue(
            kind=JobKind.RULE_SIMULATION,
            payload={"simulation_id": simulation.pk},
            created_by=ctx.user,
        )
        simulation.save(update_fields=["job"])
        audit_record(
            ctx=ctx,
            action=Action.CREATE,
            object_type=ObjectType.RULE_SIMULATION,
            object_id=simulation.pk,
            detail={"run": run.pk, "params": sorted(overrides)},
        )
    return simulation


# ---------------------------------------------------------------- 执行


def rule_simulation_execute(simulation_id: int) -> RuleSimulation:
    """两次比对、存差异。已完成的直接返回；输入错误使模拟失败并说明，其他异常失败后再抛出
    （由后台任务重试，从头再算，结果相同）。"""
    simulation = RuleSimulation.objects.select_related("run__division", "division").get(
        pk=simulation_id
    )
    if simulation.status == RunStatus.DONE:
        return simulation
    RuleSimulation.objects.filter(pk=simulation.pk).update(status=RunStatus.RUNNING)
    try:
        _simulate(simulation)
    except DomainError as exc:
        _fail(simulation, exc.message)
    except Exception as exc:
        logger.error("规则变更模拟 %s 出错：%s", simulation.pk, type(exc).__name__)
        _fail(simulation, FAILED_MESSAGE)
        raise
    simulation.refresh_from_db()
    return simulation


def _fail(simulation: RuleSimulation, message: str) -> None:
    RuleSimulation.objects.filter(pk=simulation.pk).exclude(status=RunStatus.DONE).update(
        status=RunStatus.FAILED, message=message[:200], finished_at=timezone.now()
    )


def _compare(run: ComparisonRun, tables: ExportedTables, params: PolicyParams) -> CompareResult:
    settings = CompareSettings(
        engine=str(run.settings.get("engine", "duckdb")), region=run.division.code[:6]
    )
    return compare_tables(
        registry=tables.registry,
        register=tables.register,
        facts=tables.facts,
        as_of=run.as_of,
        settings=settings,
        params=params,
    )


def _simulate(simulation: RuleSimulation) -> None:
    run = simulation.run
    tables = comparison_tables_get(division=run.division, snapshot_at=run.created_at)
    current = load_params()
    proposed = params_with_variant(
        current, simulation.division.code[:6], variant_check(simulation.overrides)
    )
    before, after = _compare(run, tables, current), _compare(run, tables, proposed)
    diff = simulation_diff(before.findings, after.findings, tables)
    _write(simulation, diff, before.params_version, after.params_version)


# ---------------------------------------------------------------- 差异


@dataclass(frozen=True)
class ChildDiff:
    person: int
    effect: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@dataclass(frozen=True)
class Diff:
    children: list[ChildDiff]
    before: dict[int, Counter[str]]  # Person.pk → 该人在现行参数下的发现类型（计数用）
    after: dict[int, Counter[str]]


def _by_child(findings: pa.Table, tables: ExportedTables) -> dict[int, dict[str, Any]]:
    """子树内儿童的发现（未能关联的记录与参数无关，不比）。"""
    rows: dict[int, dict[str, Any]] = {}
    for row in findings.to_pylist():
        person = tables.person_pks.get(str(row.get("child_id_number") or ""))
        if row["kind"] in KINDS and person in tables.in_scope:
            rows[person] = row
    return rows


def _state(row: dict[str, Any] | None, active: bool) -> str:
    """有发现看发现的结论；没有发现即台账与规则一致：在保为符合，不在保为不符合。"""
    if row is not None:
        return str(row.get("status") or "")
    return "eligible" if active else "not_eligible"


def _same(a: dict[str, Any] | None, b: dict[str, Any] | None) -> bool:
    keys = ("kind", "status", "category", "orphan_type", "reasons")
    if a is None or b is None:
        return a is b
    return all(a.get(k) == b.get(k) for k in keys)


def _effect(before: str, after: str) -> str:
    if before != "eligible" and after == "eligible":
        return SimulationEffect.NEWLY_ELIGIBLE
    if before == "eligible" and after != "eligible":
        return SimulationEffect.NO_LONGER_ELIGIBLE
    return SimulationEffect.CHANGED


def simulation_diff(before: pa.Table, after: pa.Table, tables: ExportedTables) -> Diff:
    """两套参数下的发现 → 结论或理由不同的儿童，和各人的发现类型（供按县计数）。"""
    rows_b, rows_a = _by_child(before, tables), _by_child(after, tables)
    active = {
        tables.person_pks.get(str(r["child_id_number"]))
        for r in tables.register.to_pylist()
        if r["status"] == "active"
    }
    children = []
    for person in sorted(set(rows_b) | set(rows_a)):
        b, a = rows_b.get(person), rows_a.get(person)
        if _same(b, a):
            continue
        effect = _effect(_state(b, person in active), _state(a, person in active))
        children.append(ChildDiff(person, effect, b, a))
    return Diff(
        children=children,
        before={p: Counter([r["kind"]]) for p, r in rows_b.items()},
        after={p: Counter([r["kind"]]) for p, r in rows_a.items()},
    )


# ---------------------------------------------------------------- 写入


def _counties(persons: set[int]) -> tuple[dict[int, str], dict[int, str]]:
    """Person.pk → (所在区划, 所在县区)。"""
    located = dict(Person.objects.filter(pk__in=persons).values_list("pk", "division_id"))
    paths = dict(
        Division.objects.filter(code__in=set(located.values())).values_list("code", "path")
    )
    codes = {code for path in paths.values() for code in path.split("/") if code}
    counties = set(
        Division.objects.filter(code__in=codes, level=DivisionLevel.COUNTY).values_list(
            "code", flat=True
        )
    )
    county_of = {}
    for pk, code in located.items():
        found = [c for c in paths[code].split("/") if c in counties]
        county_of[pk] = found[0] if found else code
    return located, county_of


def _split(text: object) -> list[str]:
    return [part for part in str(text or "").split(";") if part]


def _child_row(
    simulation: RuleSimulation, c: ChildDiff, located: dict[int, str], county: dict[int, str]
) -> SimulationChild:
    b, a = c.before or {}, c.after or {}
    return SimulationChild(
        simulation=simulation,
        person_id=c.person,
        division_id=located[c.person],
        county_id=county[c.person],
        effect=c.effect,
        before_kind=b.get("kind") or "",
        after_kind=a.get("kind") or "",
        before_decision=b.get("status") or "",
        after_decision=a.get("status") or "",
        before_category=b.get("category") or "",
        after_category=a.get("category") or "",
        before_reasons=_split(b.get("reasons")),
        after_reasons=_split(a.get("reasons")),
    )


def _county_rows(
    simulation: RuleSimulation, diff: Diff, children: list[SimulationChild], county: dict[int, str]
) -> list[SimulationCounty]:
    rows: dict[str, SimulationCounty] = {}

    def row(code: str) -> SimulationCounty:
        return rows.setdefault(
            code,
            SimulationCounty(
                simulation=simulation,
                division_id=code,
                before=dict.fromkeys(KINDS, 0),
                after=dict.fromkeys(KINDS, 0),
            ),
        )

    for side, found in (("before", diff.before), ("after", diff.after)):
        for person, kinds in found.items():
            target = getattr(row(county[person]), side)
            for kind, n in kinds.items():
                target[kind] += n
    for child in children:
        r = row(child.county_id)
        r.changed += 1
        r.newly_eligible += child.effect == SimulationEffect.NEWLY_ELIGIBLE
        r.no_longer_eligible += child.effect == SimulationEffect.NO_LONGER_ELIGIBLE
    return [rows[code] for code in sorted(rows)]


def _totals(counties: list[SimulationCounty]) -> dict[str, Any]:
    totals: dict[str, Any] = {"before": dict.fromkeys(KINDS, 0), "after": dict.fromkeys(KINDS, 0)}
    for c in counties:
        for kind in KINDS:
            totals["before"][kind] += c.before[kind]
            totals["after"][kind] += c.after[kind]
    for field in ("newly_eligible", "no_longer_eligible", "changed"):
        totals[field] = sum(getattr(c, field) for c in counties)
    return totals


def _write(simulation: RuleSimulation, diff: Diff, before: str, after: str) -> None:
    """一个事务：删掉该模拟已有的差异、写入新的、标为已完成并记审计。"""
    located, county = _counties(set(diff.before) | set(diff.after))
    children = [_child_row(simulation, c, located, county) for c in diff.children]
    counties = _county_rows(simulation, diff, children, county)
    totals = _totals(counties)
    with transaction.atomic():
        locked = RuleSimulation.objects.select_for_update().get(pk=simulation.pk)
        if locked.status == RunStatus.DONE:
            return
        SimulationChild.objects.filter(simulation=locked).delete()
        SimulationCounty.objects.filter(simulation=locked).delete()
        SimulationCounty.objects.bulk_create(counties)
        SimulationChild.objects.bulk_create(children, batch_size=1000)
        RuleSimulation.objects.filter(pk=locked.pk).update(
            status=RunStatus.DONE,
            message="",
            finished_at=timezone.now(),
            totals=totals,
            params_before=before[:64],
            params_after=after[:64],
        )
        audit_record(
            ctx=RequestContext(
                user=simulation.started_by, client_ip="", purpose=Purpose.STATISTICS
            ),
            action=Action.CREATE,
            object_type=ObjectType.RULE_SIMULATION,
            object_id=simulation.pk,
            detail={"totals": totals, "params": [before[:16], after[:16]]},
            actor_username="system",
        )
