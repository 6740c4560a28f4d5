"""个案的文书：从个案（已经过访问层）取数据，填成 `forms_pdf` 的数据类，再排成 PDF。

- 终止保障告知书：已终止的个案（终止理由、日期、照料人）；
- 审批表：保障中的个案（类别、据以认定的事实、照料人），三级意见留空在纸上签；
- 附件1 回执单、附件2 认定表：父或母有失联记录的儿童。

身份证号按查看人的权限（县级经办看完整号码，其他角色脱敏）；父母的事实按共享授权的程度
（`access.fact_level`，用途为该文书的用途）：看不到的不写，只能看概况的只写情形，不写详情。
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from types import MappingProxyType
from typing import Final

from django.utils import timezone

from shouhu.core.errors import InvalidInput
from shouhu.core.policy.vocabulary import FACT_LABELS
from shouhu.core.policy.wording import reason_label
from shouhu.web import access
from shouhu.web.accounts.models import User
from shouhu.web.audit.models import Purpose
from shouhu.web.cases import forms_pdf as fp
from shouhu.web.cases.application_models import (
    Application,
    ApplicationKind,
    Decision,
    Stage,
    TerminationNotice,
)
from shouhu.web.cases.forms_pdf.layout import date_text
from shouhu.web.cases.models import CareArrangement, Case, CaseStatus, Placement
from shouhu.web.exchange.choices import UNUSABLE_ACCEPTANCE
from shouhu.web.exchange.models import Fact
from shouhu.web.registry.models import Division, DivisionLevel, ParentLink, Person
from shouhu.web.registry.selectors import id_number_display

FORMS: Final = MappingProxyType(
    {
        "termination": "终止保障告知书",
        "approval": "基本生活保障审批表",
        "lost_receipt": "儿童父母失联查找情况回执单",
        "lost_finding": "儿童父母失联情况认定表",
    }
)
# 每份文书是哪项工作用的：审批表和两个附件用于资格确认，终止告知书是核查的结果。导出的用途、
# 审计的用途和父母事实能看到的程度（共享授权按用途）都取这一个。
FORM_PURPOSES: Final = MappingProxyType(
    {"termination": Purpose.REVIEW, "approval": Purpose.DETERMINATION,
     "lost_receipt": Purpose.DETERMINATION, "lost_finding": Purpose.DETERMINATION}
)  # fmt: skip
RELATION_LABELS: Final = MappingProxyType({"father": "父亲", "mother": "母亲"})
GENDER_LABELS: Final = MappingProxyType({"M": "男", "F": "女"})
NOT_AVAILABLE: Final = MappingProxyType(
    {
        "termination": "终止保障告知书只能为已终止保障的个案打印。",
        "approval": "审批表只能为保障中的个案打印。",
        "lost_receipt": "该儿童的父母没有失联记录，不能打印失联查找回执单。",
        "lost_finding": "该儿童的父母没有失联记录，不能打印失联情况认定表。",
    }
)


@dataclass(frozen=True)
class Bodies:
    """个案所在地的各级机关：村（居）委会、乡镇（街道）人民政府、县级民政部门、县级人民政府。"""

    village: str
    township: str
    county: str
    government: str
    registered_at: str  # 区划全称（省到本级）


def bodies_of(division: Division) -> Bodies:
    codes = [code for code in division.path.split("/") if code]
    rows = {d.code: d for d in Division.objects.filter(code__in=codes)}
    chain = [rows[c] for c in codes if c in rows]
    by_level = {d.level: d.name for d in chain}
    village = by_level.get(DivisionLevel.VILLAGE, "")
    township = by_level.get(DivisionLevel.TOWNSHIP, "")
    county = by_level.get(DivisionLevel.COUNTY, "")
    return Bodies(
        village=_village_body(village),
        township=f"{township}{'办事处' if township.endswith('街道') else '人民政府'}"
        if township else "乡镇（街道）",
        county=f"{county}民政局" if county else "县级民政部门",
        government=f"{county}人民政府" if county else "县级人民政府",
        registered_at="".join(d.name for d in chain),
    )  # fmt: skip


def _village_body(name: str) -> str:
    if not name:
        return "村（居）民委员会"
    return f"{name}{'居民委员会' if name.endswith(('社区', '居')) else '村民委员会'}"


def _carer(case: Case) -> CareArrangement | None:
    """现在的照料人；没有时为最后一段（已终止的个案，照料安排可能已结束）。"""
    return case.care_arrangements.order_by("-started_on", "-pk").first()


def _category(user: User, case: Case, form: str) -> str:
    """文书上的类别，按打印人的授权（`access.category_text`）。"""
    return access.category_text(
        access.disclosure_for(user, purpose=FORM_PURPOSES[form]), case.category
    )


def _id(user: User, number: str | None) -> str:
    return id_number_display(user=user, id_number=number) if number else ""


# ---------------------------------------------------------------- 终止保障告知书


def termination_notice_of(*, user: User, case: Case) -> fp.TerminationNotice:
    if case.status != CaseStatus.CLOSED or case.closed_on is None:
        raise InvalidInput(NOT_AVAILABLE["termination"])
    bodies, carer = bodies_of(case.division), _carer(case)
    printed = fp.TerminationNotice(
        child_name=case.child.name,
        child_id_number=_id(user, case.child.id_number),
        category=_category(user, case, "termination"),
        opened_on=case.opened_on,
        closed_on=case.closed_on,
        reason_label=reason_label(case.close_reason_code),
        reason=case.close_reason,
        guardian_name=carer.carer_name if carer else "",
        guardian_relation=carer.relation if carer else "",
        approving_body=bodies.county,
        review_body=bodies.government,
        issued_on=timezone.localdate(),
    )
    notice = _chain_notice(case)
    if notice is None:  # 直接终止的个案
        return printed
    return replace(  # 经审批链批准的终止：告知书的内容在批准时定下，照它打印
        printed,
        closed_on=notice.closed_on,
        reason_label=reason_label(notice.reason_code),
        reason=notice.reason,
        guardian_name=notice.guardian_name,
        approving_body=notice.approving_body,
        issued_on=timezone.localtime(notice.created_at).date(),
    )


def _chain_notice(case: Case) -> TerminationNotice | None:
    """这次终止对应的告知书（终止申请批准时生成）；直接终止的个案没有。"""
    return (
        TerminationNotice.objects.filter(case=case, closed_on=case.closed_on)
        .order_by("-created_at")
        .first()
    )


# ---------------------------------------------------------------- 审批表


def _chain_opinions(case: Case) -> tuple[str, str, str]:
    """批准这个个案的纳入申请在村、乡镇、县三级各自最后的意见（谁、何时、决定、理由）；
    不是经申请链纳入的个案三栏留空，在纸上手写。"""
    from shouhu.web.cases.work_panel import person_name  # work_panel 引用本模块

    application = (
        Application.objects.filter(case=case, kind=ApplicationKind.ENROL, stage=Stage.APPROVED)
        .order_by("-pk")
        .first()
    )
    if application is None:
        return ("", "", "")
    last: dict[str, str] = {}
    for step in application.steps.select_related("by").order_by("at", "pk"):
        when = timezone.localtime(step.at).date().isoformat()
        reason = f"：{step.reason}" if step.reason else ""
        who = person_name(step.by)
        last[step.stage] = f"{Decision(step.decision).label}{reason}（{who}，{when}）"
    return (last.get(Stage.VILLAGE, ""), last.get(Stage.TOWNSHIP, ""), last.get(Stage.COUNTY, ""))


def _fact_when(fact: Fact) -> str:
    if fact.date:
        return date_text(fact.date)
    if fact.start:
        return f"{date_text(fact.start)}起"
    return ""


def _family_facts(
    user: User, child: Person, purpose: str = Purpose.DETERMINATION
) -> list[tuple[str, Fact, bool]]:
    """儿童本人和父母的现行事实：（谁, 事实, 能否看详情）；看不到的不在其中。"""
    links = {link.parent_id: RELATION_LABELS.get(link.relation, "父（母）")
             for link in ParentLink.objects.filter(child=child)}  # fmt: skip
    who = {child.pk: "儿童本人", **links}
    disclosure = access.disclosure_for(user, purpose=purpose)
    facts = (
        access.facts_visible_to_persons(user, who)
        .filter(is_current=True)
        .exclude(acceptance__in=UNUSABLE_ACCEPTANCE)
    )
    out = []
    for fact in facts.select_related("agency").order_by("person_id", "type", "pk"):
        level = access.fact_level(disclosure, fact)
        if level != "none" and fact.type in FACT_LABELS:
            out.append((who[fact.person_id], fact, level == "detail"))  # type: ignore[index]
    return out


def approval_form_of(*, user: User, case: Case) -> fp.ApprovalForm:
    if case.status != CaseStatus.ACTIVE:
        raise InvalidInput(NOT_AVAILABLE["approval"])
    child, bodies, carer = case.child, bodies_of(case.division), _carer(case)
    facts = tuple(
        fp.FactLine(
            subject=who,
            what=FACT_LABELS[f.type] + (f"（{f.disease}）" if detail and f.disease else ""),
            when=_fact_when(f) if detail else "",
            source=f.agency.name if detail else "",
        )
        for who, f, detail in _family_facts(user, child)
    )
    amount = case.monthly_amount_fen
    return fp.ApprovalForm(
        child_name=child.name,
        child_id_number=_id(user, child.id_number),
        gender=GENDER_LABELS.get(child.gender, ""),
        birth_date=child.birth_date,
        registered_at=bodies.registered_at,
        category=_category(user, case, "approval"),
        placement=str(Placement(case.placement).label) if case.placement else "",
        applied_on=case.applied_on or case.opened_on,
        facts=facts,
        carer=fp.Carer(
            carer.carer_name,
            carer.relation,
            _id(user, carer.carer_id_number),
            carer.phone,
            carer.address,
        )
        if carer
        else fp.Carer(),
        village_body=bodies.village,
        township_body=bodies.township,
        county_body=bodies.county,
        monthly_amount=f"{amount / 100:,.2f} 元" if amount else "",
        opinions=_chain_opinions(case),
    )


# ---------------------------------------------------------------- 附件1、附件2


def _parent(user: User, relation: str, person: Person, situation: str, since: date | None
            ) -> fp.Parent:  # fmt: skip
    return fp.Parent(
        relation=relation, name=person.name, id_number=_id(user, person.id_number),
        registered_at=bodies_of(person.division).registered_at, situation=situation, since=since,
    )  # fmt: skip


def lost_parent(user: User, child: Person) -> tuple[str, Fact] | None:
    """父母中有失联记录（用户至少能看概况）的一方：（父亲/母亲, 失联事实）；没有时为 None。"""
    for who, fact, _ in _family_facts(user, child):
        if fact.type == "lost_contact" and who in RELATION_LABELS.values():
            return who, fact
    return None


def lost_contact_of(*, user: User, case: Case, code: str = "lost_receipt") -> fp.LostContact:
    child = case.child
    found = lost_parent(user, child)
    if found is None:
        raise InvalidInput(NOT_AVAILABLE[code])
    relation, fact = found
    detail = access.fact_level(access.disclosure_for(user, purpose=Purpose.DETERMINATION), fact)
    parents = {RELATION_LABELS.get(link.relation, ""): link.parent
               for link in ParentLink.objects.filter(child=child).select_related(
                   "parent__division")}  # fmt: skip
    situations = {who: FACT_LABELS[f.type] for who, f, _ in _family_facts(user, child)}
    other_relation = "母亲" if relation == "父亲" else "父亲"
    other = parents.get(other_relation)
    bodies, carer = bodies_of(case.division), _carer(case)
    return fp.LostContact(
        child_name=child.name,
        child_id_number=_id(user, child.id_number),
        gender=GENDER_LABELS.get(child.gender, ""),
        birth_date=child.birth_date,
        registered_at=bodies.registered_at,
        lost=_parent(
            user, relation, parents[relation], "失联", fact.start if detail == "detail" else None
        ),
        other=_parent(user, other_relation, other, situations.get(other_relation, ""), None)
        if other
        else None,
        carer_name=carer.carer_name if carer else "",
        carer_relation=carer.relation if carer else "",
        carer_phone=carer.phone if carer else "",
        village_body=bodies.village,
        township_body=bodies.township,
        county_body=bodies.county,
    )


# ---------------------------------------------------------------- 入口


def forms_available(*, user: User, case: Case) -> tuple[tuple[str, str], ...]:
    """儿童页面上列出的文书：（代码, 名称）。"""
    codes = ["approval"] if case.status == CaseStatus.ACTIVE else ["termination"]
    if lost_parent(user, case.child) is not None:
        codes += ["lost_receipt", "lost_finding"]
    return tuple((code, FORMS[code]) for code in codes)


def form_pdf(*, user: User, case: Case, code: str, mark: str) -> bytes:
    """排好的 PDF；`mark` 是每页页脚的导出标记。个案不适用这份文书时答 InvalidInput。"""
    if code == "termination":
        return fp.termination_notice_pdf(termination_notice_of(user=user, case=case), mark=mark)
    if code == "approval":
        return fp.approval_form_pdf(approval_form_of(user=user, case=case), mark=mark)
    if code in ("lost_receipt", "lost_finding"):
        data = lost_contact_of(user=user, case=case, code=code)
        build = fp.lost_contact_receipt_pdf if code == "lost_receipt" else (
            fp.lost_contact_finding_pdf)  # fmt: skip
        return build(data, today=timezone.localdate(), mark=mark)
    raise InvalidInput("没有这种文书。")
