"""事实的显示：时间线上的一条事实（类型、日期、细节、来源、旧版本、待校核的疑义）。

儿童页面、疑义页面和比对发现页面都用这里的 `fact_entry`，同一条事实在哪里都读作同一句话。
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone

from shouhu.core.identity.links import link_method_label
from shouhu.web import access
from shouhu.web.accounts.models import User
from shouhu.web.exchange.items import item_name
from shouhu.web.exchange.models import Channel, Fact, FactType
from shouhu.web.objections.models import Objection, ObjectionStatus
from shouhu.web.registry.models import Person


@dataclass(frozen=True)
class Provenance:
    agency: str
    item_code: str  # 代码只放在 title 里给技术支持看
    item_name: str
    period: date | None
    channel: str
    source_record_id: str
    recorded_at: datetime  # 已换算为北京时间
    link: str


@dataclass(frozen=True)
class FactEntry:
    pk: int
    subject: str  # 本人 / 父亲 / 母亲
    type_label: str
    when: str
    sort_date: date
    details: tuple[tuple[str, str], ...]
    provenance: Provenance
    version: int
    superseded: tuple[FactEntry, ...] = ()
    open_objections: tuple[int, ...] = ()  # 待校核的疑义（本版本或旧版本上的）；个案照常办理


# ---------------------------------------------------------------- 事实时间线


def timeline(user: User, subjects: list[tuple[str, Person]]) -> tuple[FactEntry, ...]:
    entries: list[FactEntry] = []
    for subject, person in subjects:
        facts = access.facts_visible_to(user, person).select_related("agency", "submission")
        by_pk = {fact.pk: fact for fact in facts}
        objections = _open_objections(by_pk)
        for fact in by_pk.values():
            if fact.is_current:
                older = _older_versions(fact, by_pk)
                open_ids = sorted(o for f in [fact, *older] for o in objections.get(f.pk, ()))
                entries.append(_fact_entry(subject, fact, older, tuple(open_ids)))
    # 新近的在前；同一天的按记录时间
    entries.sort(key=lambda e: (e.sort_date, e.provenance.recorded_at), reverse=True)
    return tuple(entries)


def _open_objections(by_pk: dict[int, Fact]) -> dict[int, list[int]]:
    found: dict[int, list[int]] = defaultdict(list)
    rows = Objection.objects.filter(fact_id__in=list(by_pk), status=ObjectionStatus.OPEN)
    for fact_id, pk in rows.values_list("fact_id", "pk"):
        found[fact_id].append(pk)
    return found


def _older_versions(fact: Fact, by_pk: dict[int, Fact]) -> list[Fact]:
    chain: list[Fact] = []
    previous = by_pk.get(fact.supersedes_id) if fact.supersedes_id else None
    while previous is not None and len(chain) < 100:  # 上限防止数据异常时死循环
        chain.append(previous)
        previous = by_pk.get(previous.supersedes_id) if previous.supersedes_id else None
    return chain


def fact_entry(*, fact: Fact, subject: str = "") -> FactEntry:
    """一条事实的显示形式（类型、日期、细节、来源），供疑义校核等页面使用。"""
    return _fact_entry(subject, fact, [])


def _fact_entry(
    subject: str, fact: Fact, older: list[Fact], open_objections: tuple[int, ...] = ()
) -> FactEntry:
    return FactEntry(
        pk=fact.pk,
        subject=subject,
        type_label=FactType(fact.type).label,
        when=_fact_when(fact),
        sort_date=_fact_sort_date(fact),
        details=_fact_details(fact),
        provenance=_provenance(fact),
        version=fact.version,
        superseded=tuple(_fact_entry(subject, old, []) for old in older),
        open_objections=open_objections,
    )


def _fact_sort_date(fact: Fact) -> date:
    for value in (fact.date, fact.start):
        if value is not None:
            return value
    if fact.submission_id is not None and fact.submission is not None:
        return fact.submission.period
    return timezone.localtime(fact.recorded_at).date()


def _ymd(value: date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def _fact_when(fact: Fact) -> str:
    parts = []
    if fact.date:
        parts.append(_ymd(fact.date))
    if fact.start or fact.end:
        start = _ymd(fact.start) if fact.start else "不详"
        end = _ymd(fact.end) if fact.end else "至今"
        parts.append(f"{start} 至 {end}")
    if fact.valid_until:
        parts.append(f"有效期至 {_ymd(fact.valid_until)}")
    return "；".join(parts) or "日期不详"


def _yes_no(value: bool) -> str:
    return "是" if value else "否"


def _fact_details(fact: Fact) -> tuple[tuple[str, str], ...]:
    details: list[tuple[str, str]] = []
    if fact.life is not None:
        details.append(("期限", "终身" if fact.life else "非终身"))
    for label, value in (("等级", fact.level), ("类别", fact.category), ("病种", fact.disease)):
        if value:
            details.append((label, value))
    if fact.qualifying is not None:
        details.append(("符合政策条件", _yes_no(fact.qualifying)))
    if fact.consent is not None:
        details.append(("本人（监护人）同意", _yes_no(fact.consent)))
    return tuple(details)


def _provenance(fact: Fact) -> Provenance:
    submission = fact.submission if fact.submission_id else None
    link = link_method_label(fact.link_method) if fact.link_method else ""
    if link and fact.link_confidence is not None:
        link = f"{link}（置信度 {fact.link_confidence}）"
    return Provenance(
        agency=fact.agency.name,
        item_code=submission.item_code if submission else "",
        item_name=item_name(submission.item_code, fact.agency.division_id) if submission else "",
        period=submission.period if submission else None,
        channel=Channel(submission.channel).label if submission else "",
        source_record_id=fact.source_record_id,
        recorded_at=timezone.localtime(fact.recorded_at),
        link=link,
    )
