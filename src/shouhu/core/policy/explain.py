"""原因的中文说明：经办人员可以照着念给家庭听；需核实时说明缺什么、哪份材料能解决。"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from shouhu.core.policy.dates import add_months, birthday
from shouhu.core.policy.interpret import NO_FACT, Ctx, FactRow, compiled
from shouhu.core.policy.model import Reason
from shouhu.core.policy.predicates import RESTRICTION_MONTHS, in_force
from shouhu.core.policy.rules import ReasonRule
from shouhu.core.policy.vocabulary import (
    ABSENCE_TYPES,
    BIRTH_DOCUMENTS,
    DISABILITY_CATEGORY_LABELS,
    FACT_CLAUSES,
    FACT_DOCUMENTS,
    FACT_LABELS,
    FIELD_LABELS,
    MISSING_FIELDS,
    PARENTS,
    RESTRICTION_TYPES,
    SUBJECT_LABELS,
)

_LEVEL_LABELS = {"1": "一", "2": "二", "3": "三", "4": "四"}
_OTHER = {"father": "mother", "mother": "father"}


def _d(value: date | None) -> str:
    return value.isoformat() if value else "（日期不详）"


def _span(row: FactRow) -> str:
    f = row.fact
    if f.life:
        return f"无期，自{_d(f.start)}起"
    return f"{_d(f.start)}至{_d(f.end)}" if f.end else f"自{_d(f.start)}起"


def describe(row: FactRow, as_of: date) -> str:
    """一条事实的中性描述（不判断是否符合）。"""
    who, f, label = SUBJECT_LABELS[row.subject], row.fact, FACT_LABELS[row.fact.type]
    t = f.type
    if t == "severe_disability":
        level = f"{_LEVEL_LABELS.get(f.level or '', '等级不详')}级" if f.level else "等级不详的"
        category = DISABILITY_CATEGORY_LABELS.get(f.category or "", "")
        until = f"，有效期至{f.valid_until.isoformat()}" if f.valid_until else ""
        return f"{who}持{level}{category}残疾人证{until}"
    if t == "severe_illness":
        return f"{who}患{f.disease or '病种不详的疾病'}"
    if t in RESTRICTION_TYPES:
        return f"{who}{label}（{_span(row)}）"
    if t == "lost_contact":
        since = f"自{f.start.isoformat()}起" if f.start else ""
        found = f"，{f.end.isoformat()}恢复联系" if f.end else ""
        return f"{who}{since}失去联系{found}"
    if t in (
        "institutional_care",
        "in_school",
        "low_income",
        "extreme_poverty",
        "poverty_monitoring",
    ):
        return f"{who}{label}（{_span(row)}）"
    if t == "hiv_infected":
        return f"{who}{label}"
    return f"{who}于{_d(f.date)}{label}" + (f"（{f.end.isoformat()}撤销/恢复）" if f.end else "")


def qualifying_text(row: FactRow, as_of: date) -> str:
    """一条符合条件的事实的说明。"""
    f, who = row.fact, SUBJECT_LABELS[row.subject]
    if f.type == "severe_disability":
        return describe(row, as_of) + "，属重残（一、二级或三、四级精神、智力残疾）"
    if f.type == "severe_illness":
        basis = "经核实属重病" if f.qualifying else "在本地重病目录内"
        return f"{who}患重病（{f.disease or '病种未填'}，{basis}）"
    if f.type in RESTRICTION_TYPES:
        term = "无期" if f.life else f"期限{RESTRICTION_MONTHS}个月以上"
        return f"{who}{FACT_LABELS[f.type]}，{term}（{_span(row)}）"
    if f.type == "lost_contact" and f.start:
        reached = add_months(f.start, RESTRICTION_MONTHS)
        since, reached_on = f.start.isoformat(), reached.isoformat()
        return f"{who}自{since}起失去联系，{reached_on}已满{RESTRICTION_MONTHS}个月"
    return describe(row, as_of)


def why_not(row: FactRow, ctx: Ctx) -> str:
    """一条父母事实为什么不构成条件（用于“不符合”的说明）。"""
    ctx.fact = row
    active = compiled(in_force(row.fact.type))(ctx)
    ctx.fact = NO_FACT
    f = row.fact
    if active is not True:
        return f"{describe(row, ctx.as_of)}，{_lapse(row, ctx.as_of)}"
    if f.type in RESTRICTION_TYPES:
        return f"{describe(row, ctx.as_of)}，期限不足{RESTRICTION_MONTHS}个月"
    if f.type == "lost_contact" and f.start:
        reached = add_months(f.start, RESTRICTION_MONTHS).isoformat()
        return f"{describe(row, ctx.as_of)}，尚未满{RESTRICTION_MONTHS}个月（{reached}满）"
    if f.type == "severe_disability":
        return f"{describe(row, ctx.as_of)}，不属于重残"
    if f.type == "severe_illness":
        why = "经核实不属于重病" if f.qualifying is False else "不在本地重病目录内"
        return f"{describe(row, ctx.as_of)}，{why}"
    return describe(row, ctx.as_of)


def _lapse(row: FactRow, as_of: date) -> str:
    """事实为什么在 as_of 不生效：已结束（刑满释放、恢复联系、证件到期……）或尚未开始。"""
    f = row.fact
    begin = f.start or f.date
    if begin is not None and begin > as_of:
        return f"{begin.isoformat()}才开始"
    if f.valid_until is not None and f.valid_until < as_of:
        return f"残疾人证已于{f.valid_until.isoformat()}到期"
    if f.end is not None and f.end <= as_of:
        ended = {"imprisoned": "刑满释放", "lost_contact": "恢复联系", "deported": "返回"}.get(
            f.type, "结束"
        )
        return f"已于{f.end.isoformat()}{ended}"
    return f"在{as_of.isoformat()}是否有效无法确定（记录缺少日期）"


def _documents(rows: tuple[FactRow, ...]) -> tuple[str, ...]:
    docs: dict[str, None] = {}
    for row in rows:
        for doc in FACT_DOCUMENTS.get(row.fact.type, ()):
            docs[doc] = None
    return tuple(docs)


def _missing_text(field: str, rows: tuple[FactRow, ...], ctx: Ctx) -> str:
    if field == "birth_date":
        return "缺少出生日期，身份证号也无法读出出生日期：无法判断是否未满18周岁"
    parts = []
    for row in rows:
        lacking = FIELD_LABELS[field]
        if field == "end" and row.fact.type in RESTRICTION_TYPES:
            lacking = "截止日期（也未注明无期）"
        parts.append(f"{describe(row, ctx.as_of)}：记录缺少{lacking}")
    return "；".join(parts) + "。按符合、不符合两种情况判定结论不同，需补充材料后认定"


def _parent_state(parent: str, ctx: Ctx) -> str:
    env, who = ctx.env, SUBJECT_LABELS[parent]
    if getattr(ctx.case, parent) is None:
        return f"{who}情况未登记"
    if env[f"{parent}_absent"] is True:
        return f"{who}死亡或失踪"
    if env[f"{parent}_condition"] is True:
        return f"{who}符合重残、重病、服刑在押等情形之一"
    rows = [r for r in ctx.facts.get(parent, ()) if r.fact.type in FACT_LABELS]
    if not rows:
        return f"{who}无登记的死亡、失踪或其他情形"
    return f"{who}无符合条件的情形（" + "；".join(why_not(r, ctx) for r in rows) + "）"


def _no_condition_text(ctx: Ctx) -> str:
    states = "；".join(_parent_state(p, ctx) for p in PARENTS)
    return f"父母双方不同时符合孤儿或事实无人抚养儿童的条件：{states}"


def _birth_refs(ctx: Ctx) -> tuple[str, ...]:
    return ("child.birth_date",) if ctx.case.child.birth_date else ("child.id_number",)


@dataclass(frozen=True, slots=True)
class _Draft:
    text: str
    refs: tuple[str, ...]
    documents: tuple[str, ...] = ()
    clause: str | None = None


def _aged_out(rows: tuple[FactRow, ...], ctx: Ctx) -> _Draft:
    born = ctx.env["birth"]
    assert isinstance(born, date)
    turned = birthday(born, 18).isoformat()
    return _Draft(f"儿童出生于{born.isoformat()}，已于{turned}年满18周岁", _birth_refs(ctx))


def _mismatch(rows: tuple[FactRow, ...], ctx: Ctx) -> _Draft:
    given, from_id = ctx.case.child.birth_date, ctx.env["id_birth_date"]
    assert from_id is None or isinstance(from_id, date)
    text = f"填报的出生日期（{_d(given)}）与身份证号中的出生日期（{_d(from_id)}）不一致"
    return _Draft(text, ("child.birth_date", "child.id_number"), BIRTH_DOCUMENTS)


def _conflict(parent: str) -> Callable[[tuple[FactRow, ...], Ctx], _Draft]:
    def draft(rows: tuple[FactRow, ...], ctx: Ctx) -> _Draft:
        died = ctx.env[f"{parent}_death_date"]
        assert died is None or isinstance(died, date)
        later = "；".join(describe(r, ctx.as_of) for r in rows if r.fact.type != "deceased")
        who = SUBJECT_LABELS[parent]
        text = f"{who}的死亡日期为{_d(died)}，但另有晚于死亡日期开始的记录：{later}"
        text += "。记录互相矛盾，需核实"
        return _Draft(text, _refs(rows), _documents(rows))

    return draft


def _missing(field: str) -> Callable[[tuple[FactRow, ...], Ctx], _Draft]:
    def draft(rows: tuple[FactRow, ...], ctx: Ctx) -> _Draft:
        if not rows:
            return _Draft(_missing_text(field, rows, ctx), _birth_refs(ctx), BIRTH_DOCUMENTS)
        clauses = dict.fromkeys(
            FACT_CLAUSES[r.fact.type] for r in rows if r.fact.type in FACT_CLAUSES
        )
        clause = "policy §4.6；" + "、".join(clauses)
        return _Draft(_missing_text(field, rows, ctx), _refs(rows), _documents(rows), clause)

    return draft


def _other_parent(rows: tuple[FactRow, ...], ctx: Ctx) -> _Draft:
    known = "father" if ctx.case.father is not None else "mother"
    other = SUBJECT_LABELS[_OTHER[known]]
    facts = "；".join(qualifying_text(r, ctx.as_of) for r in rows)
    text = (
        f"只登记了{SUBJECT_LABELS[known]}的情况（{facts}），{other}情况不明；"
        f"需由经办人员核实{other}的情况后认定"
    )
    docs = ("出生医学证明", "户口簿", f"{other}死亡、失踪或符合其他情形的证明材料")
    return _Draft(text, _refs(rows), docs)


def _parents_unknown(rows: tuple[FactRow, ...], ctx: Ctx) -> _Draft:
    facts = "；".join(describe(r, ctx.as_of) for r in rows)
    return _Draft(f"儿童系查找不到生父母的未成年人（{facts}），属孤儿", _refs(rows))


def _plain(rows: tuple[FactRow, ...], ctx: Ctx) -> _Draft:
    return _Draft("；".join(describe(r, ctx.as_of) for r in rows), _refs(rows))


def _qualifying(rows: tuple[FactRow, ...], ctx: Ctx) -> _Draft:
    return _Draft("；".join(qualifying_text(r, ctx.as_of) for r in rows), _refs(rows))


def _no_condition(rows: tuple[FactRow, ...], ctx: Ctx) -> _Draft:
    return _Draft(_no_condition_text(ctx), _refs(rows))


def _refs(rows: tuple[FactRow, ...]) -> tuple[str, ...]:
    return tuple(r.ref for r in rows)


_DRAFTS: dict[str, Callable[[tuple[FactRow, ...], Ctx], _Draft]] = {
    "aged_out": _aged_out,
    "birth_date_mismatch": _mismatch,
    "other_parent_unknown": _other_parent,
    "no_qualifying_condition": _no_condition,
    "parents_unknown": _parents_unknown,
    "child_deceased": _plain,
    "adopted": _plain,
    "institutional_care": _plain,
    **{f"conflict_{p}": _conflict(p) for p in PARENTS},
    **{f"missing_{f}": _missing(f) for f in (*MISSING_FIELDS, "birth_date")},
    **{f"{p}_{t}": _plain for p in PARENTS for t in ABSENCE_TYPES},
}


def explain_reason(rule: ReasonRule, rows: tuple[FactRow, ...], ctx: Ctx) -> Reason:
    """一个适用的原因 → 中文说明、用到的事实、条款、能核实的材料。"""
    draft = _DRAFTS.get(rule.code, _qualifying)(rows, ctx)
    return Reason(
        code=rule.code,
        text=draft.text,
        facts=draft.refs,
        clause=draft.clause or rule.clause,
        documents=draft.documents,
    )
