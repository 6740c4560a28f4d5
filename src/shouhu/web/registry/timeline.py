"""事实的显示：时间线上的一条事实（类型、日期、细节、来源、旧版本、待校核的疑义）。

儿童页面、疑义页面和比对发现页面都用这里的 `fact_entry`，同一条事实在哪里都读作同一句话。
看到多少由访问层的 `disclosure.fact_level` 决定：看不到的不列出；只有概况的只列一句概况
（“处于限制人身自由状态，至2027年2月”），不列日期、病名、来源部门和记录编号。
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone

from shouhu.core.identity.links import link_method_label
from shouhu.core.policy.vocabulary import DATE_FIELDS, FACT_FIELDS
from shouhu.core.policy.wording import (
    UNKNOWN_DATE,
    date_text,
    fact_value_label,
    field_label,
    summary_phrase,
)
from shouhu.web import access
from shouhu.web.access.disclosure import DETAIL, EXISTS, NONE, Disclosure, fact_items, fact_level
from shouhu.web.accounts.models import User
from shouhu.web.exchange.choices import UNUSABLE_ACCEPTANCE
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
    provenance: Provenance | None  # 只有概况时没有来源
    version: int
    recorded_at: datetime
    superseded: tuple[FactEntry, ...] = ()
    open_objections: tuple[int, ...] = ()  # 待校核的疑义（本版本或旧版本上的）；个案照常办理
    restricted: bool = False  # 只有概况：type_label 是概况的说法，其余为空
    item_code: str = ""  # 只用于让用户说明用途后查看详情
    acceptance: str = ""  # 外地部门报送、尚待当地民政接收（或未接收）：不用于认定


@dataclass(frozen=True)
class Timeline:
    entries: tuple[FactEntry, ...]
    restricted_items: tuple[str, ...]  # 只看到概况的事实所属的数据项


# ---------------------------------------------------------------- 事实时间线


def timeline(user: User, subjects: list[tuple[str, Person]], disclosure: Disclosure) -> Timeline:
    entries: list[FactEntry] = []
    # 全家的事实和待校核的疑义各一次查询，再按人分开（每人的顺序不变）
    family: dict[int, dict[int, Fact]] = {person.pk: {} for _, person in subjects}
    facts = access.facts_visible_to_persons(user, list(family)).select_related(
        "agency__division", "submission"
    )
    for fact in facts:
        family[fact.person_id][fact.pk] = fact
    objections = _open_objections([pk for by_pk in family.values() for pk in by_pk])
    for subject, person in subjects:
        by_pk = family[person.pk]
        for fact in by_pk.values():
            level = fact_level(disclosure, fact)
            if not fact.is_current or level == NONE:
                continue
            if level == EXISTS:
                entries.append(_summary_entry(subject, fact))
                continue
            older = _older_versions(fact, by_pk)
            open_ids = sorted(o for f in [fact, *older] for o in objections.get(f.pk, ()))
            entries.append(_fact_entry(subject, fact, older, tuple(open_ids)))
    # 新近的在前；同一天的按记录时间
    entries.sort(key=lambda e: (e.sort_date, e.recorded_at), reverse=True)
    restricted = tuple(sorted({e.item_code for e in entries if e.restricted}))
    return Timeline(entries=tuple(entries), restricted_items=restricted)


def _summary_entry(subject: str, fact: Fact) -> FactEntry:
    items = fact_items(fact)
    return FactEntry(
        pk=fact.pk, subject=subject,
        type_label=summary_phrase(fact.type, until=fact.end or fact.valid_until),
        when="", sort_date=_fact_sort_date(fact), details=(), provenance=None,
        version=fact.version, recorded_at=fact.recorded_at, restricted=True,
        item_code=items[0].code if items else "",
    )  # fmt: skip


def _open_objections(fact_ids: list[int]) -> dict[int, list[int]]:
    found: dict[int, list[int]] = defaultdict(list)
    rows = Objection.objects.filter(fact_id__in=fact_ids, status=ObjectionStatus.OPEN)
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


def fact_entry(*, fact: Fact, subject: str = "", level: str = DETAIL) -> FactEntry:
    """一条事实的显示形式（类型、日期、细节、来源），供疑义校核、比对发现等页面使用；
    `level` 是调用方按访问层算出的程度（只有概况时只有一句概况）。"""
    return _summary_entry(subject, fact) if level == EXISTS else _fact_entry(subject, fact, [])


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
        recorded_at=fact.recorded_at,
        superseded=tuple(_fact_entry(subject, old, []) for old in older),
        open_objections=open_objections,
        acceptance=fact.get_acceptance_display() if fact.acceptance in UNUSABLE_ACCEPTANCE else "",
    )


def _fact_sort_date(fact: Fact) -> date:
    for value in (fact.date, fact.start):
        if value is not None:
            return value
    if fact.submission_id is not None and fact.submission is not None:
        return fact.submission.period
    return timezone.localtime(fact.recorded_at).date()


def _fact_when(fact: Fact) -> str:
    """事实的日期：某日；某日起；某日至某日；证件有效期至某日。"""
    parts = []
    if fact.date:
        parts.append(date_text(fact.date))
    if fact.start and fact.end:
        parts.append(f"{date_text(fact.start)}至{date_text(fact.end)}")
    elif fact.start:
        parts.append(f"{date_text(fact.start)}起")
    elif fact.end:
        parts.append(f"至{date_text(fact.end)}")
    if fact.valid_until:
        parts.append(f"有效期至{date_text(fact.valid_until)}")
    return "；".join(parts) or UNKNOWN_DATE


# 时间线上日期之外列出的字段（日期已在 _fact_when 里）
DETAIL_FIELDS = tuple(f for f in FACT_FIELDS if f not in DATE_FIELDS)


def _fact_details(fact: Fact) -> tuple[tuple[str, str], ...]:
    """日期之外的字段，按类型的字段名和取值说法：等级 一级、类别 精神残疾、刑期 无期徒刑……"""
    return tuple(
        (field_label(fact.type, name), fact_value_label(fact.type, name, getattr(fact, name)))
        for name in DETAIL_FIELDS
        if getattr(fact, name) not in (None, "")
    )


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
