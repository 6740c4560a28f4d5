"""读取：人员查询，以及各页面共用的显示规则（身份证号按角色脱敏、年龄、区划路径）。

只读；每个查询都建立在访问层给出的查询集之上（辖区子树 + 角色）。身份证号在这里
按角色脱敏，模板拿到的只是可以显示的字符串，永远拿不到不该看的完整号码。
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.utils import timezone

from shouhu.core.identity import mask_id_number, normalize_id_number, normalize_name
from shouhu.core.policy.dates import adult_cutoff
from shouhu.web import access
from shouhu.web.accounts.models import User
from shouhu.web.cases.models import Case, CaseStatus
from shouhu.web.exchange.choices import UNUSABLE_ACCEPTANCE
from shouhu.web.exchange.models import Fact
from shouhu.web.pages import Paged
from shouhu.web.registry.models import Division, Gender, ParentLink, Person

PAGE_SIZE = 50
MIN_ID_SUFFIX = 4  # 少于 4 位的号码片段几乎匹配所有人，不如要求多输几位
NO_ID_NUMBER = "未登记"


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


def division_path_names(division: Division) -> tuple[str, ...]:
    """从省到本级的区划名称（区划名称不是个人信息）。"""
    codes = [code for code in division.path.split("/") if code]
    names = dict(Division.objects.filter(code__in=codes).values_list("code", "name"))
    return tuple(names.get(code, code) for code in codes)


# ---------------------------------------------------------------- 人员查询


def certificates_expiring(persons: QuerySet[Person], today: date) -> QuerySet[Person]:
    """保障中的儿童，其本人或父母的证件（残疾人证等有有效期的记录）TURNING_ADULT_DAYS 天内到期：
    到期后认定可能改变，要提醒家庭换证、请部门报送新证（待办和人员查询共用）。"""
    soon = today + timedelta(days=TURNING_ADULT_DAYS)
    expiring = Fact.objects.filter(
        is_current=True, valid_until__gte=today, valid_until__lte=soon
    ).exclude(acceptance__in=UNUSABLE_ACCEPTANCE)
    holders = expiring.values("person_id")
    children_of = ParentLink.objects.filter(parent_id__in=holders).values("child_id")
    return persons.filter(
        Q(pk__in=holders) | Q(pk__in=children_of), cases__status=CaseStatus.ACTIVE
    ).distinct()


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


SCOPES = {
    "all": "全部人员",
    "minors": "未成年人",
    "cases": "保障中儿童",
    "turning_adult": "30 天内满 18 周岁的保障儿童",
    "certificates_expiring": "证件 30 天内到期的保障儿童",
}
TURNING_ADULT_DAYS = 30
QUERY_KINDS = {
    "all": "全部",
    "name": "按姓名",
    "pinyin": "按拼音",
    "id_number": "按完整身份证号",
    "id_suffix": "按身份证号末位",
    "too_short": "号码过短",
}


def _apply_scope(persons: QuerySet[Person], scope: str, today: date) -> QuerySet[Person]:
    if scope == "minors":
        return persons.filter(birth_date__gt=adult_cutoff(today))
    if scope == "cases":
        return persons.filter(cases__status=CaseStatus.ACTIVE).distinct()
    if scope == "turning_adult":
        return turning_adult(persons, today)
    if scope == "certificates_expiring":
        return certificates_expiring(persons, today)
    return persons


def turning_adult(persons: QuerySet[Person], today: date) -> QuerySet[Person]:
    """保障中、今天未满 18 周岁、TURNING_ADULT_DAYS 天内满 18 周岁的儿童（待办和人员查询共用）。"""
    soon = adult_cutoff(today + timedelta(days=TURNING_ADULT_DAYS))
    return persons.filter(
        cases__status=CaseStatus.ACTIVE,
        birth_date__gt=adult_cutoff(today),
        birth_date__lte=soon,
    ).distinct()


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
class PersonSearchResult(Paged):
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
        query_kind=parsed.kind,
        scope=scope,
        rows=rows,
        total=paginator.count,
        page=current.number,
        num_pages=paginator.num_pages,
        hint=hint,
    )


EXPORT_HEADER = ("姓名", "身份证号", "性别", "出生日期", "年龄", "户籍地", "保障类别")
EXPORT_SCOPES = frozenset(SCOPES) - {"all"}  # 导出是为一份工作名单；“全部人员”不是，不给整库导出


def person_export_rows(*, user: User, scope: str) -> list[tuple[object, ...]]:
    """一个工作范围（保障中、将满 18 岁……）的全部人员，与列表同样脱敏，供导出。"""
    today = timezone.localdate()
    persons = _apply_scope(access.persons_visible_to(user), scope, today)
    people = list(persons.select_related("division").order_by("name_pinyin", "name", "pk"))
    labels = _active_case_labels(user, people)
    rows = (_person_row(user, p, today, labels.get(p.pk, "")) for p in people)
    return [
        (r.name, r.id_display, r.gender, r.birth_date, r.age, r.division_name, r.case_label)
        for r in rows
    ]


def _person_row(user: User, person: Person, today: date, case_label: str) -> PersonRow:
    return PersonRow(
        pk=person.pk,
        name=person.name,
        id_display=id_number_display(user=user, id_number=person.id_number),
        gender=Gender(person.gender).label if person.gender else "",
        birth_date=person.birth_date,
        age=age_on(person.birth_date, today),
        division_name=person.division.name,
        case_label=case_label,
    )


def case_label(case: Case, disclosure: access.Disclosure) -> str:
    """个案类别给这个用户看的文字（按用户的授权：`access.category_text`）。"""
    return access.category_text(disclosure, case.category, case.orphan_type)


def _active_case_labels(user: User, people: Iterable[Person]) -> dict[int, str]:
    active = access.cases_visible_to(user).filter(
        child__in=[p.pk for p in people], status=CaseStatus.ACTIVE
    )
    disclosure = access.disclosure_for(user)
    return {case.child_id: case_label(case, disclosure) for case in active}
