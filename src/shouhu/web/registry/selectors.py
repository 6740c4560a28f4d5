"""读取：人员查询、儿童页面、统计概览。

只读；每个查询都建立在 access.py 给出的查询集之上（辖区子树 + 角色）。身份证号在这里
按角色脱敏，模板拿到的只是可以显示的字符串，永远拿不到不该看的完整号码。
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.utils import timezone

from shouhu.core.identity import mask_id_number, normalize_id_number, normalize_name
from shouhu.web import access
from shouhu.web.accounts.models import User
from shouhu.web.cases.models import Case, CaseStatus, Category, OrphanType
from shouhu.web.exchange.models import Channel, Fact, FactType
from shouhu.web.objections.models import Objection, ObjectionStatus
from shouhu.web.registry.models import Division, DivisionLevel, Gender, Person, Relation

PAGE_SIZE = 50
MIN_ID_SUFFIX = 4  # 少于 4 位的号码片段几乎匹配所有人，不如要求多输几位
NO_ID_NUMBER = "未登记"
ADULT_AGE = 18

# ---------------------------------------------------------------- 身份证号显示


def id_number_display(*, user: User, id_number: str | None) -> str:
    """按角色给出可显示的号码：经办人员看完整号码，其他角色看 150802********0021。"""
    if not id_number:
        return NO_ID_NUMBER
    return id_number if access.may_see_id_numbers(user) else mask_id_number(id_number)


def age_on(birth_date: date | None, today: date) -> int | None:
    if birth_date is None:
        return None
    before_birthday = (today.month, today.day) < (birth_date.month, birth_date.day)
    return today.year - birth_date.year - int(before_birthday)


def adult_cutoff(today: date) -> date:
    """出生日期晚于此日的人未满 18 周岁（2 月 29 日出生者在平年的 3 月 1 日满岁）。"""
    try:
        return today.replace(year=today.year - ADULT_AGE)
    except ValueError:
        return date(today.year - ADULT_AGE, 2, 28)


# ---------------------------------------------------------------- 人员查询


@dataclass(frozen=True)
class PersonQuery:
    """解析后的查询：kind 为 all / name / pinyin / id_number / id_suffix / too_short。"""

    kind: str
    value: str = ""


_ID_LIKE = re.compile(r"[0-9]+X?")
_PINYIN_LIKE = re.compile(r"[A-Za-zü' ]+")


def build_person_query(text: str) -> PersonQuery:
    """判断输入是身份证号（完整或末几位）、拼音前缀还是姓名（可用繁体）。"""
    text = text.strip()
    if not text:
        return PersonQuery("all")
    number = normalize_id_number(text)
    if _ID_LIKE.fullmatch(number):
        if len(number) == 18:
            return PersonQuery("id_number", number)
        if len(number) < MIN_ID_SUFFIX:
            return PersonQuery("too_short")
        return PersonQuery("id_suffix", number)
    if _PINYIN_LIKE.fullmatch(text):
        key = re.sub(r"[^a-z]", "", text.lower().replace("ü", "v"))
        return PersonQuery("pinyin", key) if key else PersonQuery("all")
    name = normalize_name(text)
    return PersonQuery("name", name) if name else PersonQuery("all")


def _apply_query(persons: QuerySet[Person], query: PersonQuery) -> QuerySet[Person]:
    if query.kind == "id_number":
        return persons.filter(id_number=query.value)
    if query.kind == "id_suffix":
        return persons.filter(id_number__endswith=query.value)
    if query.kind == "pinyin":
        return persons.filter(name_pinyin__startswith=query.value)
    if query.kind == "name":
        return persons.filter(name__contains=query.value)
    if query.kind == "too_short":
        return persons.none()
    return persons


SCOPES = {"all": "全部人员", "minors": "未成年人", "cases": "保障中儿童"}
QUERY_KINDS = {
    "all": "全部", "name": "按姓名", "pinyin": "按拼音", "id_number": "按完整身份证号",
    "id_suffix": "按身份证号末位", "too_short": "号码过短",
}  # fmt: skip


def _apply_scope(persons: QuerySet[Person], scope: str, today: date) -> QuerySet[Person]:
    if scope == "minors":
        return persons.filter(birth_date__gt=adult_cutoff(today))
    if scope == "cases":
        return persons.filter(cases__status=CaseStatus.ACTIVE).distinct()
    return persons


@dataclass(frozen=True)
class PersonRow:
    pk: int
    name: str
    id_display: str
    gender: str
    birth_date: date | None
    age: int | None
    division_name: str
    case_label: str  # 保障中个案的类别，没有则为空


@dataclass(frozen=True)
class PersonSearchResult:
    query_kind: str
    scope: str
    rows: tuple[PersonRow, ...]
    total: int
    page: int
    num_pages: int
    hint: str = ""

    @property
    def kind_label(self) -> str:
        return QUERY_KINDS[self.query_kind]

    @property
    def previous_page(self) -> int | None:
        return self.page - 1 if self.page > 1 else None

    @property
    def next_page(self) -> int | None:
        return self.page + 1 if self.page < self.num_pages else None


def person_search(*, user: User, query: str, page: int, scope: str = "all") -> PersonSearchResult:
    """在用户可见的人员中查询，每页 50 人；号码按角色脱敏。"""
    parsed = build_person_query(query)
    scope = scope if scope in SCOPES else "all"
    today = timezone.localdate()
    persons = _apply_scope(_apply_query(access.persons_visible_to(user), parsed), scope, today)
    paginator = Paginator(
        persons.select_related("division").order_by("name_pinyin", "name", "pk"), PAGE_SIZE
    )
    current = paginator.get_page(page)
    people = list(current.object_list)
    labels = _active_case_labels(user, people)
    rows = tuple(_person_row(user, p, today, labels.get(p.pk, "")) for p in people)
    hint = f"请至少输入身份证号的后 {MIN_ID_SUFFIX} 位。" if parsed.kind == "too_short" else ""
    return PersonSearchResult(
        query_kind=parsed.kind, scope=scope, rows=rows, total=paginator.count,
        page=current.number, num_pages=paginator.num_pages, hint=hint,
    )  # fmt: skip


def _person_row(user: User, person: Person, today: date, case_label: str) -> PersonRow:
    return PersonRow(
        pk=person.pk, name=person.name,
        id_display=id_number_display(user=user, id_number=person.id_number),
        gender=Gender(person.gender).label if person.gender else "",
        birth_date=person.birth_date, age=age_on(person.birth_date, today),
        division_name=person.division.name, case_label=case_label,
    )  # fmt: skip


def _case_label(case: Case) -> str:
    if case.category == Category.ORPHAN and case.orphan_type:
        return OrphanType(case.orphan_type).label
    return Category(case.category).label


def _active_case_labels(user: User, people: Iterable[Person]) -> dict[int, str]:
    active = access.cases_visible_to(user).filter(
        child__in=[p.pk for p in people], status=CaseStatus.ACTIVE
    )
    return {case.child_id: _case_label(case) for case in active}


# ---------------------------------------------------------------- 儿童页面


@dataclass(frozen=True)
class Relative:
    """父母或子女。不在用户辖区内的亲属只显示关系，不显示姓名、号码，也不给链接。"""

    relation: str
    visible: bool
    pk: int | None = None
    name: str = ""
    id_display: str = ""
    age: int | None = None


@dataclass(frozen=True)
class CaseSummary:
    pk: int
    category: str
    status: str
    status_label: str
    risk_label: str
    opened_on: date
    closed_on: date | None
    close_reason: str


@dataclass(frozen=True)
class Provenance:
    agency: str
    item_code: str
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


@dataclass(frozen=True)
class PersonPage:
    pk: int
    name: str
    id_display: str
    gender: str
    birth_date: date | None
    age: int | None
    is_minor: bool
    division_path: tuple[str, ...]
    parents: tuple[Relative, ...]
    children: tuple[Relative, ...]
    cases: tuple[CaseSummary, ...]
    facts: tuple[FactEntry, ...]


def person_page(*, user: User, person: Person) -> PersonPage:
    """一人一页：身份、户籍地、父母和子女、个案、事实时间线（含来源）。

    `person` 须已经过 access.access_person。父母的事实只在父母也在用户辖区内时列出。
    """
    today = timezone.localdate()
    parents = [
        (Relation(link.relation).label, link.parent)
        for link in person.parent_links.select_related("parent").order_by("relation")
    ]
    children = [
        ("子女", link.child)
        for link in person.child_links.select_related("child").order_by("child__birth_date")
    ]
    relatives = [other.pk for _, other in parents + children]
    visible = set(
        access.persons_visible_to(user).filter(pk__in=relatives).values_list("pk", flat=True)
    )

    def relative(relation: str, other: Person) -> Relative:
        return _relative(user, relation, other, other.pk in visible, today)

    subjects = [("本人", person)] + [(rel, other) for rel, other in parents if other.pk in visible]
    age = age_on(person.birth_date, today)
    return PersonPage(
        pk=person.pk, name=person.name,
        id_display=id_number_display(user=user, id_number=person.id_number),
        gender=Gender(person.gender).label if person.gender else "",
        birth_date=person.birth_date, age=age, is_minor=age is not None and age < ADULT_AGE,
        division_path=division_path_names(person.division),
        parents=tuple(relative(*p) for p in parents),
        children=tuple(relative(*c) for c in children),
        cases=_case_summaries(user, person),
        facts=_timeline(user, subjects),
    )  # fmt: skip


def _relative(user: User, relation: str, person: Person, visible: bool, today: date) -> Relative:
    if not visible:
        return Relative(relation=relation, visible=False)
    return Relative(
        relation=relation, visible=True, pk=person.pk, name=person.name,
        id_display=id_number_display(user=user, id_number=person.id_number),
        age=age_on(person.birth_date, today),
    )  # fmt: skip


def division_path_names(division: Division) -> tuple[str, ...]:
    """从省到本级的区划名称（区划名称不是个人信息）。"""
    codes = [code for code in division.path.split("/") if code]
    names = dict(Division.objects.filter(code__in=codes).values_list("code", "name"))
    return tuple(names.get(code, code) for code in codes)


def _case_summaries(user: User, person: Person) -> tuple[CaseSummary, ...]:
    cases = access.cases_visible_to(user).filter(child=person).order_by("status", "-opened_on")
    return tuple(
        CaseSummary(
            pk=case.pk, category=_case_label(case), status=case.status,
            status_label=CaseStatus(case.status).label, risk_label=case.get_risk_level_display(),
            opened_on=case.opened_on, closed_on=case.closed_on, close_reason=case.close_reason,
        )
        for case in cases
    )  # fmt: skip


# ---------------------------------------------------------------- 事实时间线

_LINK_METHODS = {
    "id_number": "身份证号精确关联", "fuzzy": "姓名、出生日期等模糊关联", "manual": "人工确认",
}  # fmt: skip


def _timeline(user: User, subjects: list[tuple[str, Person]]) -> tuple[FactEntry, ...]:
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
        pk=fact.pk, subject=subject, type_label=FactType(fact.type).label,
        when=_fact_when(fact), sort_date=_fact_sort_date(fact), details=_fact_details(fact),
        provenance=_provenance(fact), version=fact.version,
        superseded=tuple(_fact_entry(subject, old, []) for old in older),
        open_objections=open_objections,
    )  # fmt: skip


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
    link = _LINK_METHODS.get(fact.link_method, fact.link_method)
    if link and fact.link_confidence is not None:
        link = f"{link}（置信度 {fact.link_confidence}）"
    return Provenance(
        agency=fact.agency.name,
        item_code=submission.item_code if submission else "",
        period=submission.period if submission else None,
        channel=Channel(submission.channel).label if submission else "",
        source_record_id=fact.source_record_id,
        recorded_at=timezone.localtime(fact.recorded_at),
        link=link,
    )


# ---------------------------------------------------------------- 统计概览


@dataclass(frozen=True)
class CountRow:
    key: str
    label: str
    count: int
    percent: int  # 条形长度（整数百分比，仅用于显示）


@dataclass(frozen=True)
class DivisionCountRow:
    code: str
    name: str
    orphan: int
    de_facto_unsupported: int
    total: int
    percent: int


@dataclass(frozen=True)
class DashboardCounts:
    """只有数字，没有任何个人信息；领导也看这一页。"""

    division_name: str
    child_level: str  # 下一级区划的层级名称，如“乡镇/苏木/街道”；没有下级为空
    as_of: date
    active_total: int
    by_category: tuple[CountRow, ...]
    by_division: tuple[DivisionCountRow, ...]
    by_orphan_type: tuple[CountRow, ...]
    minors: int


def _percent(count: int, biggest: int) -> int:
    return count * 100 // biggest if biggest else 0


def dashboard_counts(*, user: User) -> DashboardCounts:
    """用户辖区内：保障中个案按类别、按下一级区划、孤儿按类型的数量，以及未成年人数。"""
    today = timezone.localdate()
    divisions = access.divisions_visible_to(user)
    active = Case.objects.filter(division__in=divisions, status=CaseStatus.ACTIVE)
    by_category = _tally(active, "category")
    orphan_types = _tally(active.filter(category=Category.ORPHAN), "orphan_type")
    minors = Person.objects.filter(division__in=divisions, birth_date__gt=adult_cutoff(today))
    home = user.division
    return DashboardCounts(
        division_name=home.name, child_level=_child_level(home), as_of=today,
        active_total=sum(by_category.values()),
        by_category=_count_rows(Category.choices, by_category),
        by_division=_division_rows(home, active),
        by_orphan_type=_count_rows(OrphanType.choices, orphan_types),
        minors=minors.count(),
    )  # fmt: skip


def _tally(cases: QuerySet[Case], field: str) -> dict[str, int]:
    return {row[field]: row["n"] for row in cases.values(field).annotate(n=Count("pk"))}


def _child_level(home: Division) -> str:
    levels = [level.value for level in DivisionLevel]
    index = levels.index(home.level) if home.level in levels else len(levels) - 1
    return DivisionLevel(levels[index + 1]).label if index + 1 < len(levels) else ""


def _count_rows(choices: list[tuple[str, str]], counts: dict[str, int]) -> tuple[CountRow, ...]:
    biggest = max(counts.values(), default=0)
    return tuple(
        CountRow(key, label, counts.get(key, 0), _percent(counts.get(key, 0), biggest))
        for key, label in choices
    )


def _division_rows(home: Division, active: QuerySet[Case]) -> tuple[DivisionCountRow, ...]:
    """按下一级区划汇总：先在数据库里按（区划, 类别）计数，再按路径的下一段归并。"""
    tally: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in active.values("division__path", "category").annotate(n=Count("pk")):
        below = row["division__path"][len(home.path) :].split("/", 1)[0]
        tally[below or home.code][row["category"]] += row["n"]
    children = list(Division.objects.filter(parent=home).order_by("code"))
    named = [(d.code, d.name) for d in children]
    if home.code in tally or not children:
        named.append((home.code, f"{home.name}（本级）" if children else home.name))
    totals = {code: sum(tally[code].values()) for code, _ in named}
    biggest = max(totals.values(), default=0)
    return tuple(
        DivisionCountRow(
            code=code, name=name, orphan=tally[code][Category.ORPHAN],
            de_facto_unsupported=tally[code][Category.DE_FACTO_UNSUPPORTED],
            total=totals[code], percent=_percent(totals[code], biggest),
        )
        for code, name in named
    )  # fmt: skip
