"""人员、事实、个案、区划、统计概览：谁能读到哪些人（辖区子树 + 角色）。"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from shouhu.core.errors import NotFound, PermissionDenied
from shouhu.core.policy.dates import adult_cutoff
from shouhu.web.access._gate import Limit, acting_user, deny, fetch_or_deny, limit_check, require
from shouhu.web.accounts.models import User
from shouhu.web.accounts.permissions import Right, may
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import Action, ObjectType
from shouhu.web.cases.models import Case
from shouhu.web.cases.register_models import RegisterEntry
from shouhu.web.exchange.models import Fact
from shouhu.web.registry.models import Division, ParentLink, Person

NOT_FOUND_PERSON = "未找到该人员，或您无权查看。"
NOT_FOUND_CASE = "未找到该个案，或您无权查看。"
NOT_FOUND_FACT = "未找到该事实，或您无权查看。"


def subtree(user: User) -> str:
    """用户辖区在区划路径里的前缀（/150000/150800/150802/）：子树查询只需一个前缀比较。"""
    return user.division.path


def divisions_visible_to(user: User) -> QuerySet[Division]:
    return Division.objects.filter(path__startswith=subtree(user))


def persons_visible_to(user: User) -> QuerySet[Person]:
    """辖区子树内的人。不能浏览全体居民的角色（儿童主任、督导员）只看所服务的儿童——
    未成年人和有个案的人——以及这些儿童在辖区内的父母。"""
    if not may(user, Right.READ_PERSONS):
        return Person.objects.none()
    in_area = Person.objects.filter(
        division__path__startswith=subtree(user), merged_into__isnull=True
    )
    if may(user, Right.READ_RESIDENTS):
        return in_area
    served = _served_children(user, in_area)
    parents = ParentLink.objects.filter(child__in=served).values("parent_id")
    return in_area.filter(Q(pk__in=served) | Q(pk__in=parents))


def _served_children(user: User, in_area: QuerySet[Person]) -> QuerySet[Person]:
    adult_born = adult_cutoff(timezone.localdate())
    with_case = Case.objects.filter(division__path__startswith=subtree(user)).values("child_id")
    return in_area.filter(Q(birth_date__gt=adult_born) | Q(pk__in=with_case)).values("pk")


def cases_visible_to(user: User) -> QuerySet[Case]:
    if not may(user, Right.READ_PERSONS):
        return Case.objects.none()
    return Case.objects.filter(division__path__startswith=subtree(user))


def facts_visible_to(user: User, person: Person) -> QuerySet[Fact]:
    """Facts about a person the user may read (the person was checked by access_person)."""
    if not may(user, Right.READ_PERSONS):
        return Fact.objects.none()
    return Fact.objects.filter(person=person)


def facts_visible_to_persons(user: User, person_ids: Iterable[int]) -> QuerySet[Fact]:
    """`facts_visible_to` for many persons at once (each checked by the caller's access)."""
    if not may(user, Right.READ_PERSONS):
        return Fact.objects.none()
    return Fact.objects.filter(person_id__in=list(person_ids))


def facts_in_scope(user: User) -> QuerySet[Fact]:
    """Facts about persons of the user's subtree, for the roles that read persons."""
    if not may(user, Right.READ_PERSONS):
        return Fact.objects.none()
    return Fact.objects.filter(person__division__path__startswith=subtree(user))


def may_see_id_numbers(user: User) -> bool:
    return may(user, Right.SEE_ID_NUMBERS)


def access_person(ctx: RequestContext, person_id: object) -> Person:
    """The person, if `ctx.user` may read them; else NotFound (audited as a denied attempt)."""
    user = acting_user(ctx)
    # 迁入本辖区的个案（和没有个案的名册儿童的在册登记），儿童的户籍可能还在原地（人工提出的
    # 迁移）：个案或登记在辖区内就能打开儿童页面
    area = subtree(user)
    moved_in = Case.objects.filter(division__path__startswith=area).values("child_id")
    entered = RegisterEntry.objects.filter(division__path__startswith=area, ended_on__isnull=True)
    visible = persons_visible_to(user)
    return fetch_or_deny(
        ctx,
        queryset=Person.objects.select_related("division"),
        visible=visible
        | Person.objects.filter(Q(pk__in=moved_in) | Q(pk__in=entered.values("child_id")))
        if may(user, Right.READ_PERSONS)
        else visible,
        pk=person_id,
        object_type=ObjectType.PERSON,
        message=NOT_FOUND_PERSON,
    )


# 人员查询的次数限额（防批量采集：安全测试曾在 15 秒内用 400 次请求取走 2 万个完整号码）。
# 计数取自审计日志里本人的查询记录，所以多个服务进程共用同一限额，不需要另外的缓存服务。
# 限额可按部署设定（SHOUHU_SEARCH_LIMIT_PER_MINUTE、…_PER_DAY）。
SEARCH_LIMITS: tuple[Limit, ...] = (
    (timedelta(minutes=1), settings.SEARCH_LIMIT_PER_MINUTE, "每分钟"),
    (timedelta(days=1), settings.SEARCH_LIMIT_PER_DAY, "每天"),
)


def access_person_list(ctx: RequestContext) -> QuerySet[Person]:
    """The persons `ctx.user` may list; a role that reads no persons is refused (audited), and so
    is a search past the user's limit (SEARCH_LIMITS)."""
    user = require(ctx, Right.READ_PERSONS, ObjectType.PERSON_LIST, "您的角色不能查看人员信息。")
    limit_check(
        ctx,
        user,
        limits=SEARCH_LIMITS,
        counted=(Action.SEARCH, ObjectType.PERSON),
        refused=ObjectType.PERSON_LIST,
        what="查询",
    )
    return persons_visible_to(user)


def access_case(ctx: RequestContext, case_id: object, *, for_write: bool = False) -> Case:
    user = acting_user(ctx)
    case = fetch_or_deny(
        ctx,
        queryset=Case.objects.select_related("child", "division"),
        visible=cases_visible_to(user),
        pk=case_id,
        object_type=ObjectType.CASE,
        message=NOT_FOUND_CASE,
    )
    if for_write and not may(user, Right.WRITE_CASES):
        deny(ctx, ObjectType.CASE, case.pk, "read_only_role")
        raise PermissionDenied("您的角色不能修改个案。")
    return case


def access_fact(ctx: RequestContext, fact_id: object) -> Fact:
    """The fact, if `ctx.user` may read its person; else NotFound (audited as a denied attempt)."""
    user = acting_user(ctx)
    return fetch_or_deny(
        ctx,
        queryset=Fact.objects.select_related("person__division", "agency", "submission"),
        visible=facts_in_scope(user),
        pk=fact_id,
        object_type=ObjectType.FACT,
        message=NOT_FOUND_FACT,
    )


def access_dashboard(ctx: RequestContext) -> Division:
    user = require(ctx, Right.READ_DASHBOARD, ObjectType.DASHBOARD, "您的角色不能查看统计概览。")
    return user.division


NOT_FOUND_DIVISION = "未找到该区划，或不在您的辖区内。"


def division_in_scope(ctx: RequestContext, division_code: object) -> Division:
    """用户辖区内（含本级）的一个区划；否则 NotFound（记入审计）。"""
    user = acting_user(ctx)
    code = str(division_code)[:12]
    division = divisions_visible_to(user).filter(code=code).first()
    if division is None:
        deny(ctx, ObjectType.DIVISION, code, "not_found_or_out_of_scope")
        raise NotFound(NOT_FOUND_DIVISION)
    return division
