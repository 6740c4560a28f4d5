"""规则变更模拟页面的读取：表单（可选运行、可改参数及其现行值）、模拟列表、各县对比、逐人明细。

查询集都已经过访问层（access.simulations）；这里只取数、转成中文显示。参数代码只作表单
字段名，页面上显示的是中文名和中文取值。
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime

from django.core.paginator import Paginator
from django.db.models import Case, QuerySet, Value, When
from django.utils import timezone

from shouhu.core.findings import KIND_LABELS, reason_label
from shouhu.core.policy import load_params
from shouhu.core.policy.params import PARAM_SPECS, ParamValue
from shouhu.core.policy.variant import (
    VARIANT_PARAMS,
    names_change_text,
    names_edit,
    variant_label,
)
from shouhu.core.policy.vocabulary import SCHOOL_LEVEL_LABELS, STATUS_LABELS
from shouhu.web.access.disclosure import Disclosure, category_text, disclosure_for
from shouhu.web.accounts.models import User
from shouhu.web.audit.models import Purpose
from shouhu.web.comparison.models import (
    ComparisonRun,
    RuleSimulation,
    RunStatus,
    SimulationChild,
    SimulationCounty,
    SimulationEffect,
)
from shouhu.web.comparison.simulations import KINDS
from shouhu.web.registry.selectors import id_number_display

PAGE_SIZE = 25
KIND_COLUMNS = tuple((kind, KIND_LABELS[kind]) for kind in KINDS)


@dataclass(frozen=True)
class RunChoice:
    pk: int
    label: str


@dataclass(frozen=True)
class ParamField:
    name: str  # 表单字段名（不显示）
    label: str
    kind: str  # flag | number | levels | names（清单按“增加”“删去”两栏改）
    value: str  # 现行值（数字、“是/否”；清单为项数）
    chosen: tuple[str, ...] = ()  # 学段：现行选中的代码
    options: tuple[tuple[str, str], ...] = ()  # 学段：(代码, 中文名)
    add: str = ""  # 清单：“增加”“删去”两栏（表单被退回时保留）
    remove: str = ""


def run_choices(runs: QuerySet[ComparisonRun]) -> list[RunChoice]:
    recent = runs.select_related("division").order_by("-created_at")[:50]
    return [RunChoice(r.pk, f"#{r.pk} {r.division.name} 基准日 {r.as_of:%Y-%m-%d}") for r in recent]


def _field(name: str, value: ParamValue) -> ParamField:
    kind = PARAM_SPECS[name].kind
    label = variant_label(name)
    if kind == "flag":
        return ParamField(name, label, "flag", "是" if value else "否")
    if kind in ("count", "age"):
        return ParamField(name, label, "number", str(value))
    items = tuple(value) if isinstance(value, tuple) else ()
    if name == "past_18_in_school.levels":
        return ParamField(name, label, "levels", "", items, tuple(SCHOOL_LEVEL_LABELS.items()))
    return ParamField(name, label, "names", str(len(items)))


def _current(run: ComparisonRun | None) -> Mapping[str, ParamValue]:
    """运行基准日、运行地区的现行参数（没有选运行时按全国默认、今天）。"""
    region = run.division.code[:6] if run else None
    on = run.as_of if run else timezone.localdate()
    return load_params().resolve(region, on).values


def _as_posted(field: ParamField, post: Mapping[str, list[str]]) -> ParamField:
    """被退回的表单照用户填的显示（不必重填）；清单的增删两栏另由模板取 posted。"""
    name = field.name
    if field.kind == "levels" and f"{name}:shown" in post:
        return replace(field, chosen=tuple(post.get(name, [])))
    if field.kind in ("flag", "number") and post.get(name):
        return replace(field, value=post[name][-1])
    if field.kind == "names":
        add, remove = post.get(f"{name}:add", [""])[-1], post.get(f"{name}:remove", [""])[-1]
        return replace(field, add=add, remove=remove)
    return field


def param_fields(
    run: ComparisonRun | None, post: Mapping[str, list[str]] | None = None
) -> list[ParamField]:
    """可改的参数及其现行值（表单被退回时为用户填的值）。"""
    values = _current(run)
    fields = [_field(name, values[name]) for name in VARIANT_PARAMS]
    return [_as_posted(f, post) for f in fields] if post else fields


def variant_from_post(post: dict[str, list[str]], run: ComparisonRun) -> dict[str, object]:
    """表单 → {参数: 文字或清单}（校验在服务里）。学段是多选框，没有勾选也是一个取值（空）；
    清单由现行目录加“增加”栏、减“删去”栏得出，两栏都空就不改。"""
    raw: dict[str, object] = {}
    values = _current(run)
    for name in VARIANT_PARAMS:
        kind = PARAM_SPECS[name].kind
        if name == "past_18_in_school.levels":
            if f"{name}:shown" in post:  # 多选框全不勾时表单不带这一项：另有标记说明它在表单上
                raw[name] = post.get(name, [])
        elif kind == "names":
            current = values[name]
            edited = names_edit(
                name,
                current if isinstance(current, tuple) else (),
                (post.get(f"{name}:add") or [""])[-1],
                (post.get(f"{name}:remove") or [""])[-1],
            )
            if edited is not None:
                raw[name] = edited
        elif name in post:
            raw[name] = post[name][-1]
    return raw


def _value_text(name: str, value: object, current: Mapping[str, ParamValue]) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        if name == "past_18_in_school.levels":
            return "、".join(SCHOOL_LEVEL_LABELS.get(str(v), str(v)) for v in value)
        before = current.get(name)
        return names_change_text(before if isinstance(before, tuple) else (), value)
    return str(value)


@dataclass(frozen=True)
class SimulationRow:
    pk: int
    name: str
    run_pk: int
    division_name: str
    as_of: date
    status: str
    status_label: str
    message: str
    created_at: datetime
    started_by: str
    changes: tuple[tuple[str, str], ...]  # (参数中文名, 拟议值)
    newly_eligible: int | None
    no_longer_eligible: int | None


def simulation_row(s: RuleSimulation) -> SimulationRow:
    done = s.status == RunStatus.DONE
    current = _current(s.run)
    return SimulationRow(
        pk=s.pk,
        name=s.name,
        run_pk=s.run_id,
        division_name=s.division.name,
        as_of=s.run.as_of,
        status=s.status,
        status_label=RunStatus(s.status).label,
        message=s.message,
        created_at=s.created_at,
        started_by=str(s.started_by) if s.started_by else "系统",
        changes=tuple(
            (variant_label(k), _value_text(k, v, current)) for k, v in s.overrides.items()
        ),
        newly_eligible=s.totals.get("newly_eligible") if done else None,
        no_longer_eligible=s.totals.get("no_longer_eligible") if done else None,
    )


def simulation_list(simulations: QuerySet[RuleSimulation]) -> list[SimulationRow]:
    recent = simulations.select_related("run__division", "division", "started_by").order_by(
        "-created_at"
    )
    return [simulation_row(s) for s in recent[:30]]


@dataclass(frozen=True)
class CountyRow:
    name: str
    counts: tuple[tuple[str, int, int], ...]  # (类型中文名, 现行, 拟议)
    newly_eligible: int
    no_longer_eligible: int
    changed: int


def county_rows(simulation: RuleSimulation, subtree: str) -> list[CountyRow]:
    """各县对比（只有数字），只列用户辖区子树内的县。"""
    found = SimulationCounty.objects.filter(
        simulation=simulation, division__path__startswith=subtree
    ).select_related("division")
    return [
        CountyRow(
            name=c.division.name,
            counts=tuple(
                (label, int(c.before.get(k, 0)), int(c.after.get(k, 0)))
                for k, label in KIND_COLUMNS
            ),
            newly_eligible=c.newly_eligible,
            no_longer_eligible=c.no_longer_eligible,
            changed=c.changed,
        )
        for c in found.order_by("division_id")
    ]


@dataclass(frozen=True)
class ChildRow:
    name: str
    id_display: str
    division_name: str
    effect: str
    effect_label: str
    before: str
    after: str
    before_reasons: tuple[str, ...]
    after_reasons: tuple[str, ...]


def _side(disclosure: Disclosure, kind: str, decision: str, category: str) -> str:
    """一侧的结论：发现类型 · 认定结论 · 类别（按授权：`access.category_text`）；没有发现时说
    台账与规则一致。"""
    if not kind:
        return "无比对发现（台账与规则一致）"
    shown = category_text(disclosure, category)
    parts = [KIND_LABELS.get(kind, ""), STATUS_LABELS.get(decision, ""), shown]
    return " · ".join(p for p in parts if p)


def _child_row(disclosure: Disclosure, c: SimulationChild) -> ChildRow:
    return ChildRow(
        name=c.person.name,
        id_display=id_number_display(user=disclosure.user, id_number=c.person.id_number),
        division_name=c.division.name,
        effect=c.effect,
        effect_label=SimulationEffect(c.effect).label,
        before=_side(disclosure, c.before_kind, c.before_decision, c.before_category),
        after=_side(disclosure, c.after_kind, c.after_decision, c.after_category),
        before_reasons=tuple(reason_label(str(r)) for r in c.before_reasons),
        after_reasons=tuple(reason_label(str(r)) for r in c.after_reasons),
    )


def _ordered(children: QuerySet[SimulationChild], effect: str) -> QuerySet[SimulationChild]:
    if effect in SimulationEffect.values:
        children = children.filter(effect=effect)
    # 新符合、不再符合的在前，其余结论或理由有变的在后
    first = Case(When(effect=SimulationEffect.CHANGED, then=Value(1)), default=Value(0))
    return children.select_related("person", "division").order_by(
        "county_id", first, "effect", "pk"
    )


@dataclass(frozen=True)
class ChildPage:
    rows: tuple[ChildRow, ...]
    effect: str
    total: int
    page: int
    num_pages: int


def child_page(
    *, user: User, children: QuerySet[SimulationChild], effect: str, page: int
) -> ChildPage:
    paginator = Paginator(_ordered(children, effect), PAGE_SIZE)
    current = paginator.get_page(page)
    disclosure = disclosure_for(user, purpose=Purpose.STATISTICS)
    rows = tuple(_child_row(disclosure, c) for c in current.object_list)
    return ChildPage(rows, effect, paginator.count, current.number, paginator.num_pages)


EXPORT_HEADER = (
    "姓名", "身份证号", "区划", "影响", "现行参数下", "现行原因", "拟议参数下", "拟议原因",
)  # fmt: skip


def child_export_rows(
    *, user: User, children: QuerySet[SimulationChild], effect: str
) -> list[tuple[object, ...]]:
    """与页面同样筛选、同样脱敏的全部逐人明细（不分页）。"""
    disclosure = disclosure_for(user, purpose=Purpose.STATISTICS)
    rows = (_child_row(disclosure, c) for c in _ordered(children, effect))
    return [
        (r.name, r.id_display, r.division_name, r.effect_label, r.before,
         "；".join(r.before_reasons), r.after, "；".join(r.after_reasons))
        for r in rows
    ]  # fmt: skip


EFFECTS = tuple(SimulationEffect.choices)
