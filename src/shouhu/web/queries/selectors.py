"""查询服务读的数据：部门一侧的事实、民政一侧个案儿童的父母。"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from django.db.models import QuerySet, Sum
from django.utils import timezone

from shouhu.core.catalog import DataItem
from shouhu.web.cases.models import Case
from shouhu.web.exchange.models import Fact
from shouhu.web.queries.models import Direction, QueryLog
from shouhu.web.registry.models import ParentLink, Person


def _item_facts(item: DataItem) -> QuerySet[Fact]:
    """该数据项的现行事实：按事实类型和提供部门的类型取（不论经哪条渠道入库）。"""
    return Fact.objects.filter(
        type__in=item.fact_types, agency__agency_type=item.agency_type, is_current=True
    )


def fact_terms_by_id(item: DataItem, id_numbers: Iterable[str]) -> dict[str, list[Fact]]:
    """该数据项的现行事实，按主体身份证号分组（只取所问的号码）。"""
    wanted = sorted(set(id_numbers))
    out: dict[str, list[Fact]] = {}
    facts = _item_facts(item).filter(subject_id_number__in=wanted)
    for fact in facts.only("subject_id_number", "start", "end", "date", "life", "subject_name"):
        out.setdefault(fact.subject_id_number, []).append(fact)
    return out


def fact_terms_without_id(item: DataItem, births: Iterable[date]) -> list[Fact]:
    """部门记录里没有身份证号的事实（只取所问者的出生日期），供按姓名 + 出生日期核对。"""
    return list(
        _item_facts(item)
        .filter(subject_id_number="", subject_birth_date__in=sorted(set(births)))
        .only("subject_name", "subject_birth_date", "start", "end", "date", "life")
    )  # fmt: skip


def parents_of(cases: Iterable[Case]) -> list[tuple[Case, Person]]:
    """个案儿童在户籍中登记的父亲、母亲（每个个案至多两人）。"""
    out = []
    for case in cases:
        links = ParentLink.objects.filter(child_id=case.child_id).select_related("parent")
        out.extend((case, link.parent) for link in links.order_by("relation"))
    return out


def persons_asked_today(credential_prefix: str) -> int:
    since = timezone.now() - timedelta(days=1)
    asked = QueryLog.objects.filter(
        direction=Direction.ANSWERED, credential_prefix=credential_prefix, at__gte=since
    ).aggregate(n=Sum("persons"))["n"]
    return int(asked or 0)
