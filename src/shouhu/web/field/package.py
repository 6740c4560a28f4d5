"""离线走访数据包：儿童主任、督导员带到手机上的东西，按 docs/offline-data.md 的边界由服务器算出。

包里每个儿童只有：姓名、性别、出生日期、村（居）、保障类别、个案状态、风险等级、脱敏身份证号、
监护人或照料人的姓名和电话、下次探访和核查的到期日、每个事实的一句概况（访问层给到概况以上的；
给不到的——如未经同意的艾滋病病毒感染情况——连概况也没有）。不带判决、法院、记录号、病名、
银行账户、补贴明细、比对发现和疑义。另列今天起 14 天内到期（含已逾期）的探访和核查。

每个个案带一个版本号（`case_version`）：手机上的记录带着它记录时的版本上传，服务器上的版本
变了（儿童转走、经办人员改了风险等级即探访计划、个案终止）就答冲突，两边都给看
（`case_state`）。下载记入审计：用途个案办理，只记儿童人数和个案编号。
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any, Final

from django.conf import settings
from django.db.models import Min, Prefetch
from django.utils import timezone

from shouhu.core.identity import mask_id_number
from shouhu.core.policy.visits import RISK_LABELS
from shouhu.core.policy.wording import date_text, summary_phrase
from shouhu.web import access
from shouhu.web.access.disclosure import NONE, Disclosure, fact_level
from shouhu.web.accounts.models import User
from shouhu.web.accounts.permissions import Right, may, role_label
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import Action, ObjectType, Purpose
from shouhu.web.audit.services import audit_record
from shouhu.web.cases.models import CareArrangement, Case, CaseStatus, MajorChange
from shouhu.web.cases.plans import risk_in_effect
from shouhu.web.cases.register_models import RegisterEntry
from shouhu.web.cases.register_selectors import entry_kind_text
from shouhu.web.cases.visits import CHECK_STATUS, CHECKS
from shouhu.web.cases.work_choices import REPORTER_KINDS, REVIEW_OUTCOMES
from shouhu.web.exchange.models import Fact
from shouhu.web.registry.models import ParentLink

KEEP_HOURS: Final = 72  # 手机上最多保存这么久（docs/offline-data.md）
DUE_DAYS: Final = 14
SUBJECTS: Final = {"father": "父亲", "mother": "母亲"}
CURRENT_CARERS: Final = Prefetch(
    "care_arrangements",
    queryset=CareArrangement.objects.filter(ended_on__isnull=True).order_by("pk"),
)


def case_version(case: Case) -> str:
    """个案的版本：离线记录据以记录的那些事——在哪个村、保障中与否、按什么风险等级探访、类别。
    探访和核查本身不改变版本（同一儿童离线记下的几条依次上传，不互相冲突）。
    用服务器的密钥做散列：这几样取值不多，不加密钥的散列在手机上一试就能反推出类别。"""
    parts = [case.status, case.division_id, case.risk_level, case.category, case.placement]
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, json.dumps(parts).encode(), hashlib.sha256).hexdigest()[:16]


def case_state(case: Case, disclosure: Disclosure) -> list[list[str]]:
    """个案现在的样子（中文），冲突时与手机上记录时的样子并排显示。"""
    category = access.category_text(disclosure, case.category)
    return [
        ["所在村（居）", case.division.name],
        ["个案状态", str(CaseStatus(case.status).label)],
        ["风险等级", RISK_LABELS[case.risk_level]],
        ["保障类别", category],
    ]


def entry_version(entry: RegisterEntry) -> str:
    """名册登记的版本（没有个案的儿童）：在册与否、在哪个村、确认的风险等级、登记类型。"""
    parts = ["entry", str(entry.ended_on or ""), entry.division_id, entry.risk_level, entry.kind]
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, json.dumps(parts).encode(), hashlib.sha256).hexdigest()[:16]


def entry_state(entry: RegisterEntry, disclosure: Disclosure) -> list[list[str]]:
    return [
        ["所在村（居）", entry.division.name],
        ["登记状态", "已结束" if entry.ended_on else "在册"],
        ["风险等级", RISK_LABELS[entry.risk_level]],
        ["名册", entry_kind_text(entry, disclosure)],
    ]


def _fact_lines(
    user: User, disclosure: Disclosure, cases: Sequence[Case | RegisterEntry]
) -> dict[int, list[str]]:
    """每个儿童的事实概况（本人、父母），几个查询一次取齐（督导员一次几百个儿童）。"""
    subjects: dict[int, list[tuple[str, int]]] = {c.child_id: [("本人", c.child_id)] for c in cases}
    for link in ParentLink.objects.filter(child_id__in=subjects).order_by("pk"):
        subjects[link.child_id].append((SUBJECTS.get(link.relation, "父母"), link.parent_id))
    persons = {person for pairs in subjects.values() for _, person in pairs}
    facts: dict[int, list[Fact]] = defaultdict(list)
    visible = access.facts_visible_to_persons(user, persons).filter(is_current=True)
    for fact in visible.select_related("agency", "submission").order_by("pk"):
        facts[fact.person_id].append(fact)
    lines: dict[int, list[str]] = {}
    for child_id, pairs in subjects.items():
        lines[child_id] = [
            f"{subject}{summary_phrase(fact.type, until=fact.end or fact.valid_until)}"
            for subject, person in pairs
            for fact in facts[person]
            if fact_level(disclosure, fact) != NONE  # 详情也只带概况
        ]
    return lines


def _carers(case: Case) -> list[dict[str, str]]:
    current = case.care_arrangements.all()  # 已预取：仍在照料的，按先后
    return [{"name": c.carer_name, "relation": c.relation, "phone": c.phone} for c in current]


def _urgent(cases: list[Case]) -> dict[int, datetime]:
    found = (
        MajorChange.objects.filter(case__in=cases, reviewed_at__isnull=True, visit__isnull=True)
        .values("case_id")
        .annotate(due=Min("visit_due_at"))
    )
    return {row["case_id"]: row["due"] for row in found}


def _child(
    case: Case, facts: list[str], urgent: datetime | None, disclosure: Disclosure
) -> dict[str, Any]:
    child = case.child
    state = case_state(case, disclosure)
    return {
        "key": str(case.pk),
        "case": case.pk,
        "entry": None,
        "version": case_version(case),
        "state": state,
        "name": child.name,
        "gender": child.get_gender_display(),
        "birth": date_text(child.birth_date),
        "id_masked": mask_id_number(child.id_number),
        "village": case.division.name,
        "category": state[3][1],
        "risk": RISK_LABELS[risk_in_effect(case)],
        "carers": _carers(case),
        "facts": facts,
        "visit_due": case.visit_due_on.isoformat() if case.visit_due_on else "",
        "visit_due_text": date_text(case.visit_due_on) if case.visit_due_on else "—",
        "review_due": case.review_due_on.isoformat() if case.review_due_on else "",
        "urgent_due": timezone.localtime(urgent).isoformat() if urgent else "",
    }


def _entry_children(
    user: User, disclosure: Disclosure, entries: list[RegisterEntry]
) -> list[dict[str, Any]]:
    """没有个案的名册儿童：一名儿童一行（几条登记时取到期最早的一条，探访记在它上面），
    类别写在册的登记类型，照料人是留守儿童的委托照护人。"""
    first: dict[int, RegisterEntry] = {}
    kinds: dict[int, list[str]] = defaultdict(list)
    for entry in sorted(entries, key=lambda e: (e.visit_due_on or date.max, e.pk)):
        first.setdefault(entry.child_id, entry)
        label = entry_kind_text(entry, disclosure)
        if label not in kinds[entry.child_id]:
            kinds[entry.child_id].append(label)
    chosen = list(first.values())
    facts = _fact_lines(user, disclosure, chosen)
    unvisited = MajorChange.objects.filter(
        entry__in=chosen, reviewed_at__isnull=True, visit__isnull=True
    )
    found = unvisited.values("entry_id").annotate(due=Min("visit_due_at"))
    urgent = {row["entry_id"]: row["due"] for row in found}
    provisional = set(MajorChange.objects.filter(entry__in=chosen, reviewed_at__isnull=True)
                      .values_list("entry_id", flat=True))  # fmt: skip
    return [_entry_child(e, "、".join(kinds[e.child_id]), facts[e.child_id], urgent.get(e.pk),
                         e.pk in provisional, disclosure) for e in chosen]  # fmt: skip


def _entry_child(
    entry: RegisterEntry, kinds: str, facts: list[str], urgent: datetime | None,
    provisional: bool, disclosure: Disclosure,
) -> dict[str, Any]:  # fmt: skip
    child = entry.child
    carers = [{"name": entry.carer_name, "relation": entry.carer_relation,
               "phone": entry.carer_phone}] if entry.carer_name else []  # fmt: skip
    return {
        "key": f"e{entry.pk}", "case": None, "entry": entry.pk,
        "version": entry_version(entry), "state": entry_state(entry, disclosure),
        "name": child.name, "gender": child.get_gender_display(),
        "birth": date_text(child.birth_date), "id_masked": mask_id_number(child.id_number),
        "village": entry.division.name, "category": kinds, "category_title": "名册",
        "risk": RISK_LABELS["high" if provisional else entry.risk_level],
        "carers": carers, "facts": facts,
        "visit_due": entry.visit_due_on.isoformat() if entry.visit_due_on else "",
        "visit_due_text": date_text(entry.visit_due_on) if entry.visit_due_on else "—",
        "review_due": "",
        "urgent_due": timezone.localtime(urgent).isoformat() if urgent else "",
    }  # fmt: skip


def _due(children: list[dict[str, Any]], today: date, user: User) -> list[dict[str, Any]]:
    """今天起 14 天内到期（含已逾期）的探访、核查，按到期先后。"""
    end = (today + timedelta(days=DUE_DAYS - 1)).isoformat()
    rows = []
    by_key = {c["key"]: c for c in children}
    reviews = may(user, Right.RECORD_REVIEWS)
    for c in children:
        at = {"key": c["key"], "case": c["case"]}
        if c["urgent_due"]:
            rows.append({**at, "what": "24 小时内须走访", "due": c["urgent_due"][:10],
                         "urgent": True})  # fmt: skip
        elif c["visit_due"] and c["visit_due"] <= end:
            rows.append({**at, "what": "探访", "due": c["visit_due"], "urgent": False})
        if reviews and c["review_due"] and c["review_due"] <= end:
            rows.append({**at, "what": "核查", "due": c["review_due"], "urgent": False})
    today_text = today.isoformat()
    for row in rows:
        row["overdue"] = row["due"] < today_text
        row["due_text"] = date_text(date.fromisoformat(row["due"]))
    for row, c in ((r, by_key[r["key"]]) for r in rows if r["urgent"]):
        moment = datetime.fromisoformat(c["urgent_due"])
        row["due_text"] = f"{date_text(moment.date())} {moment:%H:%M} 前"
        row["overdue"] = moment < timezone.now()
    return sorted(rows, key=lambda r: (not r["urgent"], r["due"], r["key"]))


def _forms(user: User) -> dict[str, Any]:
    return {
        "visit": may(user, Right.RECORD_VISITS),
        "review": may(user, Right.RECORD_REVIEWS),
        "report": may(user, Right.REPORT_CHILD),
        "checks": [[code, label] for code, label in CHECKS.items()],
        "statuses": [[code, label] for code, label in CHECK_STATUS.items()],
        "review_outcomes": [[code, str(label)] for code, label in REVIEW_OUTCOMES],
        "reporter_kinds": [[code, str(label)] for code, label in REPORTER_KINDS],
    }


def field_package_build(ctx: RequestContext) -> dict[str, Any]:
    """这名用户的离线数据包（经访问层，用途个案办理）；下载记入审计，只记人数和个案编号。"""
    cases = list(
        access.access_field_work(ctx)
        .select_related("child", "division")
        .prefetch_related(CURRENT_CARERS)
        .order_by("division__name", "child__name", "pk")
    )
    user = ctx.user
    assert user is not None
    disclosure = access.disclosure_for(user, purpose=Purpose.CASE_WORK)
    urgent = _urgent(cases)
    facts = _fact_lines(user, disclosure, cases)
    children = [
        _child(case, facts[case.child_id], urgent.get(case.pk), disclosure) for case in cases
    ]
    entries = list(access.access_field_entries(ctx).select_related("child", "division")
                   .exclude(child_id__in=[c.child_id for c in cases]))  # fmt: skip
    children += _entry_children(user, disclosure, entries)
    now = timezone.now()
    audit_record(ctx=ctx, action=Action.EXPORT, object_type=ObjectType.FIELD_PACKAGE,
                 detail={"children": len(children), "cases": [c.pk for c in cases],
                         "entries": [c["entry"] for c in children if c["entry"]]})  # fmt: skip
    who = {"username": user.username, "name": user.full_name or user.username,
           "role": role_label(user.role), "division": user.division.name}  # fmt: skip
    return {
        "generated_at": now.isoformat(),
        "expires_at": (now + timedelta(hours=KEEP_HOURS)).isoformat(),
        "user": who,
        "forms": _forms(user),
        "children": children,
        "due": _due(children, timezone.localdate(), user),
    }
