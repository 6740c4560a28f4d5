"""人员、事实、个案、区划、统计概览：谁能读到哪些人（辖区子树 + 角色）。"""

from __future__ import annotations

from django.db.models import QuerySet

from shouhu.core.errors import NotFound, PermissionDenied
from shouhu.web.access._gate import acting_user, deny, fetch_or_deny, require
from shouhu.web.accounts.models import User
from shouhu.web.accounts.permissions import Right, may
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import ObjectType
from shouhu.web.cases.models import Case
from shouhu.web.exchange.models import Fact
from shouhu.web.registry.models import Division, Person

NOT_FOUND_PERSON = "未找到该人员，或您无权查看。"
NOT_FOUND_CASE = "未找到该个案，或您无权查看。"
NOT_FOUND_FACT = "未找到该事实，或您无权查看。"


def subtree(user: User) -> str:
    """用户辖区在区划路径里的前缀（/150000/150800/150802/）：子树查询只需一个前缀比较。"""
    return user.division.path


def divisions_visible_to(user: User) -> QuerySet[Division]:
    return Division.objects.filter(path__startswith=subtree(user))


def persons_visible_to(user: User) -> QuerySet[Person]:
    if not may(user, Right.READ_PERSONS):
        return Person.objects.none()
    return Person.objects.filter(division__path__startswith=subtree(user))


def cases_visible_to(user: User) -> QuerySet[Case]:
    if not may(user, Right.READ_PERSONS):
        return Case.objects.none()
    return Case.objects.filter(division__path__startswith=subtree(user))


def facts_visible_to(user: User, person: Person) -> QuerySet[Fact]:
    """Facts about a person the user may read (the person was checked by access_person)."""
    if not may(user, Right.READ_PERSONS):
        return Fact.objects.none()
    return Fact.objects.filter(person=person)


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
    return fetch_or_deny(
        ctx,
        queryset=Person.objects.select_related("division"),
        visible=persons_visible_to(user),
        pk=person_id,
        object_type=ObjectType.PERSON,
        message=NOT_FOUND_PERSON,
    )


def access_person_list(ctx: RequestContext) -> QuerySet[Person]:
    """The persons `ctx.user` may list; a role that reads no persons is refused (audited)."""
    user = require(ctx, Right.READ_PERSONS, ObjectType.PERSON_LIST, "您的角色不能查看人员信息。")
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
