"""原因的中文说明：经办人员可以照着念给家庭听；需核实时说明缺什么、哪份材料能解决。"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from shouhu.core.policy import thresholds
from shouhu.core.policy.dates import add_months, birthday
from shouhu.core.policy.interpret import NO_FACT, Ctx, FactRow, compiled
from shouhu.core.policy.model import Fact, Reason
from shouhu.core.policy.predicates import in_force
from shouhu.core.policy.rules import ReasonRule
from shouhu.core.policy.thresholds import ADULT_AGE, LOST_CONTACT_MONTHS, restriction_term_text
from shouhu.core.policy.vocabulary import (
    ABSENCE_TYPES,
    BIRTH_DOCUMENTS,
    CHILD_FIELDS,
    DISABILITY_CATEGORY_LABELS,
    DISABILITY_LEVEL_LABELS,
    FACT_CLAUSES,
    FACT_DOCUMENTS,
    FACT_LABELS,
    MISSING_FIELDS,
    PARENT_FIELDS,
    PARENTS,
    RESTRICTION_TYPES,
    SCHOOL_LEVEL_LABELS,
    SUBJECT_LABELS,
)
from shouhu.core.policy.wording import date_text, fact_phrase, field_label

_OTHER = {"father": "mother", "mother": "father"}
# 以一个日期（date）记的事实：死亡、宣告、撤销监护资格、遣送出境、收养、查找不到生父母
_DATED_TYPES = frozenset(
    t for t, fields in {**PARENT_FIELDS, **CHILD_FIELDS}.items() if "start" not in fields
) - {"hiv_infected"}
# 有 date 和可选 end 的事实：end 那天发生了什么（“父亲……，2025年1月1日恢复监护资格”）
_UNDONE = {
    "declared_dead": "撤销死亡宣告",
    "declared_missing": "撤销失踪宣告",
    "guardianship_revoked": "恢复监护资格",
    "deported": "返回",
}


def _period(start: date | None, end: date | None) -> str:
    """2025年1月10日至2031年1月9日 / 自2025年1月10日起 / 开始日期不详，至…… / 起止日期不详。"""
    if start and end:
        return f"{date_text(start)}至{date_text(end)}"
    if start:
        return f"自{date_text(start)}起"
    if end:
        return f"开始日期不详，至{date_text(end)}"
    return "起止日期不详"


def _restriction_period(f: Fact) -> str:
    if f.life:
        return f"无期徒刑，自{date_text(f.start)}起" if f.start else "无期徒刑"
    return _period(f.start, f.end)


def _disability(who: str, f: Fact) -> str:
    level = DISABILITY_LEVEL_LABELS.get(f.level or "", "")
    kind = DISABILITY_CATEGORY_LABELS.get(f.category or "", "残疾")
    until = f"，有效期至{date_text(f.valid_until)}" if f.valid_until else ""
    return f"{who}持{level}{kind}人证{until}"


def _span_fact(who: str, f: Fact) -> str:
    detail = _period(f.start, f.end)
    if f.type == "in_school" and f.level:
        detail = f"{SCHOOL_LEVEL_LABELS.get(f.level, f.level)}，{detail}"
    return f"{who}{fact_phrase(f.type)}（{detail}）"


def _dated_fact(who: str, f: Fact) -> str:
    if f.type == "parents_unknown":
        registered = f"{date_text(f.date)}登记" if f.date else "登记日期不详"
        return f"{who}查找不到生父母（{registered}）"
    undone = f"，{date_text(f.end)}{_UNDONE.get(f.type, '结束')}" if f.end else ""
    if f.date is None:
        return f"{who}{fact_phrase(f.type)}（日期不详）{undone}"
    return f"{who}于{date_text(f.date)}{fact_phrase(f.type)}{undone}"


def describe(row: FactRow, as_of: date) -> str:
    """一条事实的中性描述（不判断是否符合），日期都写成“2026年8月15日”。"""
    who, f = SUBJECT_LABELS[row.subject], row.fact
    if f.type == "severe_disability":
        return _disability(who, f)
    if f.type == "severe_illness":
        return f"{who}患{f.disease or '病种不详的疾病'}"
    if f.type in RESTRICTION_TYPES:
        return f"{who}{FACT_LABELS[f.type]}（{_restriction_period(f)}）"
    if f.type == "lost_contact":
        since = f"自{date_text(f.start)}起" if f.start else ""
        found = f"，{date_text(f.end)}恢复联系" if f.end else ""
        return f"{who}{since}失去联系{found}"
    if f.type == "hiv_infected":
        return f"{who}{FACT_LABELS[f.type]}"
    if f.type in _DATED_TYPES:
        return _dated_fact(who, f)
    return _span_fact(who, f)


def qualifying_text(row: FactRow, as_of: date) -> str:
    """一条符合条件的事实的说明，门槛取自 thresholds.py。"""
    f, who = row.fact, SUBJECT_LABELS[row.subject]
    if f.type == "severe_disability":
        return f"{describe(row, as_of)}，属于重残（{thresholds.SEVERE_DISABILITY.text()}）"
    if f.type == "severe_illness":
        basis = "经核实属于重病" if f.qualifying else "在本地重病目录内"
        return f"{who}患{f.disease or '重病'}，{basis}"
    if f.type in RESTRICTION_TYPES:
        term = "刑期" if f.type == "imprisoned" else "期限"
        if f.life:
            return f"{who}{FACT_LABELS[f.type]}，无期徒刑（自{date_text(f.start)}起）"
        period = _period(f.start, f.end)
        return f"{who}{FACT_LABELS[f.type]}，{term}{restriction_term_text()}（{period}）"
    if f.type == "lost_contact" and f.start:
        reached = date_text(add_months(f.start, LOST_CONTACT_MONTHS))
        since = date_text(f.start)
        return f"{who}自{since}起失去联系，到{reached}已满{LOST_CONTACT_MONTHS}个月"
    return describe(row, as_of)


def why_not(row: FactRow, ctx: Ctx) -> str:
    """一条父母事实为什么不构成条件（用于“不符合”的说明）。"""
    ctx.fact = row
    active = compiled(in_force(row.fact.type))(ctx)
    ctx.fact = NO_FACT
    f, text = row.fact, describe(row, ctx.as_of)
    if active is not True:
        lapse = _lapse(row, ctx.as_of)
        return f"{text}，{lapse}" if lapse else text
    if f.type in RESTRICTION_TYPES:
        term = "刑期" if f.type == "imprisoned" else "期限"
        return f"{text}，{term}不足{thresholds.RESTRICTION_MONTHS}个月"
    if f.type == "lost_contact" and f.start:
        reached = date_text(add_months(f.start, LOST_CONTACT_MONTHS))
        return f"{text}，尚未满{LOST_CONTACT_MONTHS}个月（{reached}满）"
    if f.type == "severe_disability":
        return f"{text}，不属于重残（重残指{thresholds.SEVERE_DISABILITY.text()}）"
    if f.type == "severe_illness":
        why = "经核实不属于重病" if f.qualifying is False else "不在本地重病目录内"
        return f"{text}，{why}"
    return text


def _lapse(row: FactRow, as_of: date) -> str:
    """事实为什么在 as_of 不生效：尚未开始、已结束（刑满释放、证件过期……）。

    describe 里已说出结束的（恢复联系、撤销宣告……）不再重复。
    """
    f = row.fact
    begin = f.start or f.date
    if begin is not None and begin > as_of:
        return "尚未开始"
    if f.valid_until is not None and f.valid_until < as_of:
        return "残疾人证已过有效期"
    if f.end is not None and f.end <= as_of:
        if f.type in RESTRICTION_TYPES:
            return "已刑满释放" if f.type == "imprisoned" else "已期满"
        return "" if f.type in _UNDONE or f.type == "lost_contact" else "已结束"
    return f"{date_text(as_of)}是否仍有效无法确定（记录缺少日期）"


def _documents(rows: tuple[FactRow, ...]) -> tuple[str, ...]:
    docs: dict[str, None] = {}
    for row in rows:
        for doc in FACT_DOCUMENTS.get(row.fact.type, ()):
            docs[doc] = None
    return tuple(docs)


def _missing_text(field: str, rows: tuple[FactRow, ...], ctx: Ctx) -> str:
    if field == "birth_date":
        return f"缺少出生日期，身份证号也无法读出出生日期，无法判断是否未满{ADULT_AGE}周岁"
    parts = []
    for row in rows:
        lacking = field_label(row.fact.type, field)
        if field == "end" and row.fact.type == "imprisoned":
            lacking += "，也未注明是否无期徒刑"
        parts.append(f"{describe(row, ctx.as_of)}：记录缺少{lacking}")
    return "；".join(parts) + "。按符合、不符合两种情况判定，结论不同，需补充材料后认定"


def _parent_state(parent: str, ctx: Ctx) -> str:
    env, who = ctx.env, SUBJECT_LABELS[parent]
    if getattr(ctx.case, parent) is None:
        return f"{who}情况未登记"
    if env[f"{parent}_absent"] is True:
        return f"{who}已死亡或失踪"
    if env[f"{parent}_condition"] is True:
        return f"{who}符合重残、重病、服刑在押等情形之一"
    rows = [r for r in ctx.facts.get(parent, ()) if r.fact.type in FACT_LABELS]
    if not rows:
        return f"{who}无登记的死亡、失踪或其他情形"
    return "；".join(why_not(r, ctx) for r in rows)


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
    turned = date_text(birthday(born, ADULT_AGE))
    text = f"儿童出生于{date_text(born)}，已于{turned}年满{ADULT_AGE}周岁"
    return _Draft(text, _birth_refs(ctx))


def _mismatch(rows: tuple[FactRow, ...], ctx: Ctx) -> _Draft:
    given, from_id = ctx.case.child.birth_date, ctx.env["id_birth_date"]
    assert from_id is None or isinstance(from_id, date)
    given_text, id_text = date_text(given), date_text(from_id)
    text = f"填报的出生日期（{given_text}）与身份证号中的出生日期（{id_text}）不一致"
    return _Draft(text, ("child.birth_date", "child.id_number"), BIRTH_DOCUMENTS)


def _conflict(parent: str) -> Callable[[tuple[FactRow, ...], Ctx], _Draft]:
    def draft(rows: tuple[FactRow, ...], ctx: Ctx) -> _Draft:
        died = ctx.env[f"{parent}_death_date"]
        assert died is None or isinstance(died, date)
        later = "；".join(describe(r, ctx.as_of) for r in rows if r.fact.type != "deceased")
        who = SUBJECT_LABELS[parent]
        text = f"{who}的死亡日期为{date_text(died)}，但另有在此之后开始的记录：{later}。"
        text += "记录互相矛盾，需核实后认定"
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
        f"只登记了{SUBJECT_LABELS[known]}的情况：{facts}。"
        f"{other}情况不明，需由经办人员核实{other}的情况后认定"
    )
    docs = ("出生医学证明", "户口簿", f"{other}死亡、失踪或符合其他情形的证明材料")
    return _Draft(text, _refs(rows), docs)


def _parents_unknown(rows: tuple[FactRow, ...], ctx: Ctx) -> _Draft:
    when = "、".join(date_text(r.fact.date) for r in rows)
    return _Draft(f"儿童系查找不到生父母的未成年人（{when}登记），属于孤儿", _refs(rows))


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
