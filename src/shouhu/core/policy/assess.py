"""单个儿童的认定：`assess_case` 求值规则集、写出原因说明、找出“下一次变化”。"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from shouhu.core.identity import is_valid_id_number
from shouhu.core.policy.dates import add_months, birthday
from shouhu.core.policy.explain import explain_reason
from shouhu.core.policy.interpret import Ctx, FactRow, evaluate, evidence
from shouhu.core.policy.model import (
    CATEGORY_LABELS,
    STATUS_LABELS,
    Assessment,
    CaseInput,
    NextChange,
    Reason,
    Subsidy,
)
from shouhu.core.policy.params import PolicyParams, load_params
from shouhu.core.policy.rules import RuleSet, ruleset
from shouhu.core.policy.thresholds import ADULT_AGE, LOST_CONTACT_MONTHS
from shouhu.core.policy.vocabulary import FACT_LABELS, RESTRICTION_TYPES, SUBJECT_LABELS
from shouhu.core.policy.wording import date_text, fact_phrase


def assess_case(case: CaseInput, *, params: PolicyParams | None = None) -> Assessment:
    """按 docs/rules.md 认定一个儿童。params 省略时用包内参数（params/*.toml）。"""
    params = params or load_params()
    rules = ruleset()
    ctx = _evaluate(rules, case, case.as_of, params)
    env = ctx.env
    labels = tuple(s for s in str(env["labels"]).split(";") if s)
    return Assessment(
        case_id=case.case_id,
        as_of=case.as_of,
        status=str(env["status"]),
        category=_opt_str(env["category"]),
        orphan_type=_opt_str(env["orphan_type"]),
        reviews_per_year=_int(env["reviews_per_year"]),
        labels=labels,
        reasons=_reasons(rules, ctx),
        next_change=_next_change(rules, case, ctx, params),
        subsidy=_subsidy(ctx),
        param_region=ctx.params.region,
    )


def decide(
    case: CaseInput, on: date, *, params: PolicyParams | None = None
) -> tuple[str, str | None]:
    """只要 (status, category)，不写说明：供批量对照和下一次变化使用。"""
    ctx = _evaluate(ruleset(), case, on, params or load_params(), only=DECISION)
    return str(ctx.env["status"]), _opt_str(ctx.env["category"])


DECISION = ("status", "category")


def _evaluate(
    rules: RuleSet,
    case: CaseInput,
    on: date,
    params: PolicyParams,
    *,
    only: tuple[str, ...] | None = None,
) -> Ctx:
    return evaluate(rules, case, on, params.resolve(case.region, on), only=only)


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _opt_str(value: object) -> str | None:
    return None if value is None else str(value)


def _reasons(rules: RuleSet, ctx: Ctx) -> tuple[Reason, ...]:
    out = []
    for rule in rules.reasons:
        if ctx.env[f"reason__{rule.code}"] is True:
            rows = evidence(ctx, rule.evidence) if rule.evidence is not None else ()
            out.append(explain_reason(rule, rows, ctx))
    return tuple(out)


def _subsidy(ctx: Ctx) -> Subsidy | None:
    basis, rate, fen = (
        ctx.env[k] for k in ("subsidy_basis", "subsidy_rate", "subsidy_monthly_fen")
    )
    if basis is None or not isinstance(fen, int) or rate is None:
        return None
    entry = ctx.params.entries[f"subsidy_fen.{rate}"]
    return Subsidy(
        basis=str(basis), monthly_fen=fen, example=entry.example, source=entry.citation()
    )


# ---------------------------------------------------------------- 下一次变化


def _candidates(case: CaseInput, ctx: Ctx, params: PolicyParams) -> list[date]:
    """结论可能变化的日期：事实的起止、证件到期次日、失联满6个月、18周岁生日、参数调整。"""
    dates: set[date] = set(params.boundaries(case.region))
    for rows in ctx.facts.values():
        for row in rows:
            dates.update(_fact_dates(row))
    id_number = case.child.id_number
    if id_number and is_valid_id_number(id_number, today=date.max):
        # 号码里的出生日期晚于 as_of 时号码暂不合格，到那天才参与出生日期核对
        dates.add(date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14])))
    born = ctx.env["birth"]
    if isinstance(born, date):
        dates.add(birthday(born, ADULT_AGE))
        until = ctx.params.values["past_18_in_school.until_age"]
        if isinstance(until, int):
            dates.add(birthday(born, until))
    return sorted(d for d in dates if d > ctx.as_of)


def _fact_dates(row: FactRow) -> list[date]:
    f = row.fact
    found = [d for d in (f.date, f.start, f.end) if d is not None]
    if f.valid_until is not None and f.valid_until < date.max:
        found.append(f.valid_until + timedelta(days=1))
    if f.type == "lost_contact" and f.start is not None:
        found.append(add_months(f.start, LOST_CONTACT_MONTHS))
    return found


def _next_change(
    rules: RuleSet, case: CaseInput, ctx: Ctx, params: PolicyParams
) -> NextChange | None:
    now = (ctx.env["status"], ctx.env["category"])
    for day in _candidates(case, ctx, params):
        later = _evaluate(rules, case, day, params, only=DECISION)
        status, category = later.env["status"], later.env["category"]
        if (status, category) != now:
            what = _events(day, ctx, params, case)
            outcome = STATUS_LABELS[str(status)] + (
                f"（{CATEGORY_LABELS[str(category)]}）" if category else ""
            )
            text = f"自{date_text(day)}起，{what}，结论将变为“{outcome}”"
            return NextChange(day, str(status), _opt_str(category), text)
    return None


def _events(day: date, ctx: Ctx, params: PolicyParams, case: CaseInput) -> str:
    events = []
    for rows in ctx.facts.values():
        for row in rows:
            events.extend(_fact_events(row, day))
    born = ctx.env["birth"]
    if isinstance(born, date) and birthday(born, ADULT_AGE) == day:
        events.append(f"儿童年满{ADULT_AGE}周岁")
    if day in params.boundaries(case.region):
        events.append("地区政策参数调整")
    return "、".join(events) or "情况变化"


# 事实在结束那天发生了什么
_END_EVENTS = {
    "imprisoned": "刑满释放",
    "lost_contact": "恢复联系",
    "declared_dead": "的死亡宣告被撤销",
    "declared_missing": "的失踪宣告被撤销",
    "guardianship_revoked": "恢复监护资格",
    "deported": "返回",
}


def _fact_events(row: FactRow, day: date) -> list[str]:
    f, who = row.fact, SUBJECT_LABELS[row.subject]
    out = []
    if day == f.date:
        out.append(f"{who}{fact_phrase(f.type)}")
    if day == f.start:
        out.append(f"{who}开始{fact_phrase(f.type)}")
    if f.end == day:
        ended = "期满" if f.type in RESTRICTION_TYPES else "结束"
        out.append(who + _END_EVENTS.get(f.type, FACT_LABELS[f.type] + ended))
    if f.valid_until is not None and f.valid_until + timedelta(days=1) == day:
        out.append(f"{who}的残疾人证有效期届满")
    if f.type == "lost_contact" and f.start and add_months(f.start, LOST_CONTACT_MONTHS) == day:
        out.append(f"{who}失联满{LOST_CONTACT_MONTHS}个月")
    return out


# ---------------------------------------------------------------- JSON


def assessment_to_json(a: Assessment) -> dict[str, Any]:
    """docs/formats/assess.md 的结果对象，另加 next_change、subsidy、param_region。"""
    return {
        "case_id": a.case_id,
        "as_of": a.as_of.isoformat(),
        "status": a.status,
        "category": a.category,
        "orphan_type": a.orphan_type,
        "reviews_per_year": a.reviews_per_year,
        "labels": list(a.labels),
        "reasons": [
            {
                "code": r.code,
                "text": r.text,
                "facts": list(r.facts),
                "clause": r.clause,
                "documents": list(r.documents),
            }
            for r in a.reasons
        ],
        "next_change": None
        if a.next_change is None
        else {
            "date": a.next_change.date.isoformat(),
            "status": a.next_change.status,
            "category": a.next_change.category,
            "text": a.next_change.text,
        },
        "subsidy": None
        if a.subsidy is None
        else {
            "basis": a.subsidy.basis,
            "monthly_fen": a.subsidy.monthly_fen,
            "example": a.subsidy.example,
            "source": a.subsidy.source,
        },
        "param_region": a.param_region,
    }
