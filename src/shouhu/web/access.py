"""The one access layer: every read of persons, facts or cases for a user goes through here.

A user sees only their division's subtree and only what their role allows. Asking for something
that is not yours gives exactly the same error as asking for something that does not exist, and
every such denied attempt is audited.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from shouhu.core.errors import NotFound, PermissionDenied
from shouhu.web.accounts.models import Agency, User
from shouhu.web.accounts.roles import (
    CASE_WRITERS,
    DASHBOARD_READERS,
    ID_NUMBER_READERS,
    PERSON_READERS,
    Role,
)
from shouhu.web.audit.models import Action
from shouhu.web.audit.services import RequestContext, audit_record
from shouhu.web.cases.models import Case
from shouhu.web.comparison.models import ComparisonRun, Finding
from shouhu.web.exchange.models import Fact
from shouhu.web.objections.models import Objection
from shouhu.web.registry.models import Division, Person

NOT_FOUND_PERSON = "未找到该人员，或您无权查看。"
NOT_FOUND_CASE = "未找到该个案，或您无权查看。"
NOT_FOUND_FACT = "未找到该事实，或您无权查看。"
NOT_FOUND_OBJECTION = "未找到该疑义，或您无权查看。"
NOT_FOUND_FINDING = "未找到该比对发现，或您无权查看。"
NOT_FOUND_RUN = "未找到该比对运行，或您无权查看。"
NOT_FOUND_DIVISION = "未找到该区划，或不在您的辖区内。"

# 比对发现含儿童身份和认定理由：只有民政经办读、改（在辖区子树内）。
FINDING_READERS = frozenset({Role.CASEWORKER})
# 发起比对、看运行记录（只有数字，没有个人信息）：民政经办和系统管理员。
RUN_STARTERS = frozenset({Role.CASEWORKER, Role.ADMINISTRATOR})


def _subtree(user: User) -> str:
    return user.division.path


def _deny(ctx: RequestContext, object_type: str, object_id: object, why: str) -> None:
    audit_record(ctx=ctx, action=Action.DENY, object_type=object_type, object_id=object_id,
                 detail={"why": why})  # fmt: skip


def divisions_visible_to(user: User) -> QuerySet[Division]:
    return Division.objects.filter(path__startswith=_subtree(user))


def persons_visible_to(user: User) -> QuerySet[Person]:
    if user.role not in PERSON_READERS:
        return Person.objects.none()
    return Person.objects.filter(division__path__startswith=_subtree(user))


def cases_visible_to(user: User) -> QuerySet[Case]:
    if user.role not in PERSON_READERS:
        return Case.objects.none()
    return Case.objects.filter(division__path__startswith=_subtree(user))


def access_person(ctx: RequestContext, person_id: object) -> Person:
    """The person, if `ctx.user` may read them; else NotFound (audited as a denied attempt)."""
    assert ctx.user is not None
    person = Person.objects.filter(pk=_as_int(person_id)).select_related("division").first()
    if person is None:
        _deny(ctx, "person", person_id, "not_found")
        raise NotFound(NOT_FOUND_PERSON)
    if not persons_visible_to(ctx.user).filter(pk=person.pk).exists():
        _deny(ctx, "person", person.pk, "out_of_scope")
        raise NotFound(NOT_FOUND_PERSON)
    return person


def access_person_list(ctx: RequestContext) -> QuerySet[Person]:
    """The persons `ctx.user` may list; a role that reads no persons is refused (audited)."""
    assert ctx.user is not None
    if ctx.user.role not in PERSON_READERS:
        _deny(ctx, "person_list", ctx.user.division_id, "role")
        raise PermissionDenied("您的角色不能查看人员信息。")
    return persons_visible_to(ctx.user)


def access_case(ctx: RequestContext, case_id: object, *, for_write: bool = False) -> Case:
    assert ctx.user is not None
    case = Case.objects.filter(pk=_as_int(case_id)).select_related("child", "division").first()
    if case is None or not cases_visible_to(ctx.user).filter(pk=case.pk).exists():
        _deny(ctx, "case", case_id, "not_found" if case is None else "out_of_scope")
        raise NotFound(NOT_FOUND_CASE)
    if for_write and ctx.user.role not in CASE_WRITERS:
        _deny(ctx, "case", case.pk, "read_only_role")
        raise PermissionDenied("您的角色不能修改个案。")
    return case


def facts_visible_to(user: User, person: Person) -> QuerySet[Fact]:
    """Facts about a person the user may read (the person was checked by access_person)."""
    if user.role not in PERSON_READERS:
        return Fact.objects.none()
    return Fact.objects.filter(person=person)


def facts_in_scope(user: User) -> QuerySet[Fact]:
    """Facts about persons of the user's subtree, for the roles that read persons."""
    if user.role not in PERSON_READERS:
        return Fact.objects.none()
    return Fact.objects.filter(person__division__path__startswith=_subtree(user))


def access_fact(ctx: RequestContext, fact_id: object) -> Fact:
    """The fact, if `ctx.user` may read its person; else NotFound (audited as a denied attempt)."""
    assert ctx.user is not None
    fact = (
        Fact.objects.filter(pk=_as_int(fact_id))
        .select_related("person__division", "agency", "submission")
        .first()
    )
    if fact is None or not facts_in_scope(ctx.user).filter(pk=fact.pk).exists():
        _deny(ctx, "fact", fact_id, "not_found" if fact is None else "out_of_scope")
        raise NotFound(NOT_FOUND_FACT)
    return fact


def _answers_for(user: User) -> Q:
    """Objections this user answers: their own department's, if they are its data submitter."""
    if user.role != Role.DATA_SUBMITTER or user.agency_id is None:
        return Q(pk__in=[])
    return Q(agency_id=user.agency_id)


def may_answer_objection(user: User, objection: Objection) -> bool:
    return user.role == Role.DATA_SUBMITTER and user.agency_id == objection.agency_id


def objections_visible_to(user: User) -> QuerySet[Objection]:
    """Raised by the user, about a fact the user may read, or put to the user's department."""
    in_scope = facts_in_scope(user).values("pk")
    return Objection.objects.filter(
        Q(raised_by=user) | Q(fact__in=in_scope) | _answers_for(user)
    ).distinct()


def access_objection(ctx: RequestContext, objection_id: object, *, to: str = "read") -> Objection:
    """The objection if the user may see it; `to="answer"` needs the providing department's data
    submitter, `to="withdraw"` the person who raised it (PermissionDenied, audited, otherwise)."""
    assert ctx.user is not None
    user = ctx.user
    objection = (
        Objection.objects.filter(pk=_as_int(objection_id))
        .select_related("fact__person__division", "fact__agency", "fact__submission", "agency")
        .first()
    )
    if objection is None or not objections_visible_to(user).filter(pk=objection.pk).exists():
        _deny(ctx, "objection", objection_id, "not_found" if objection is None else "out_of_scope")
        raise NotFound(NOT_FOUND_OBJECTION)
    if to == "answer" and not may_answer_objection(user, objection):
        _deny(ctx, "objection", objection.pk, "not_the_provider")
        raise PermissionDenied("只有提供该信息的部门的数据报送员可以答复疑义。")
    if to == "withdraw" and objection.raised_by_id != user.pk:
        _deny(ctx, "objection", objection.pk, "not_the_raiser")
        raise PermissionDenied("只有提出人可以撤回疑义。")
    return objection


def access_objection_queue(ctx: RequestContext) -> Agency:
    """The department whose queue of objections the user answers."""
    assert ctx.user is not None
    if ctx.user.role != Role.DATA_SUBMITTER or ctx.user.agency is None:
        _deny(ctx, "objection_queue", ctx.user.agency_id or "", "role")
        raise PermissionDenied("只有部门的数据报送员可以查看待校核的疑义。")
    return ctx.user.agency


def access_dashboard(ctx: RequestContext) -> Division:
    assert ctx.user is not None
    if ctx.user.role not in DASHBOARD_READERS:
        _deny(ctx, "dashboard", ctx.user.division_id, "role")
        raise PermissionDenied("您的角色不能查看统计概览。")
    return ctx.user.division


def findings_visible_to(user: User) -> QuerySet[Finding]:
    """Findings about the user's subtree (a finding's division is the child's, or for a record
    that matched nobody, the run's), for the roles that work the findings queue."""
    if user.role not in FINDING_READERS:
        return Finding.objects.none()
    return Finding.objects.filter(division__path__startswith=_subtree(user))


def access_finding(ctx: RequestContext, finding_id: object, *, for_write: bool = False) -> Finding:
    """The finding if the user may read it (and, `for_write`, act on it); else NotFound, the
    same for "missing" and "not yours" (audited)."""
    assert ctx.user is not None
    finding = (
        Finding.objects.filter(pk=_as_int(finding_id))
        .select_related("run", "person__division", "case", "division")
        .first()
    )
    if finding is None or not findings_visible_to(ctx.user).filter(pk=finding.pk).exists():
        _deny(ctx, "finding", finding_id, "not_found" if finding is None else "out_of_scope")
        raise NotFound(NOT_FOUND_FINDING)
    if for_write and ctx.user.role not in CASE_WRITERS:
        _deny(ctx, "finding", finding.pk, "read_only_role")
        raise PermissionDenied("您的角色不能处理比对发现。")
    return finding


def access_findings_queue(ctx: RequestContext) -> QuerySet[Finding]:
    """The findings the user may list; a role that works no findings is refused (audited)."""
    assert ctx.user is not None
    if ctx.user.role not in FINDING_READERS:
        _deny(ctx, "finding_list", ctx.user.division_id, "role")
        raise PermissionDenied("您的角色不能查看比对发现。")
    return findings_visible_to(ctx.user)


def runs_visible_to(user: User) -> QuerySet[ComparisonRun]:
    """Runs over a division of the user's subtree (the run record holds counts, no names)."""
    if user.role not in RUN_STARTERS:
        return ComparisonRun.objects.none()
    return ComparisonRun.objects.filter(division__path__startswith=_subtree(user))


def may_start_runs(user: User) -> bool:
    return user.role in RUN_STARTERS


def access_run_list(ctx: RequestContext) -> QuerySet[ComparisonRun]:
    assert ctx.user is not None
    if ctx.user.role not in RUN_STARTERS:
        _deny(ctx, "comparison_run_list", ctx.user.division_id, "role")
        raise PermissionDenied("您的角色不能使用数据比对。")
    return runs_visible_to(ctx.user)


def access_run(ctx: RequestContext, run_id: object) -> ComparisonRun:
    assert ctx.user is not None
    run = ComparisonRun.objects.filter(pk=_as_int(run_id)).select_related("division").first()
    if run is None or not runs_visible_to(ctx.user).filter(pk=run.pk).exists():
        _deny(ctx, "comparison_run", run_id, "not_found" if run is None else "out_of_scope")
        raise NotFound(NOT_FOUND_RUN)
    return run


def access_run_start(ctx: RequestContext, division_code: object) -> Division:
    """The division a new run may cover: the user's own or one below it, for the run starters."""
    assert ctx.user is not None
    if ctx.user.role not in RUN_STARTERS:
        _deny(ctx, "comparison_run", "", "role")
        raise PermissionDenied("您的角色不能发起数据比对。")
    division = divisions_visible_to(ctx.user).filter(code=str(division_code)[:12]).first()
    if division is None:
        _deny(ctx, "division", str(division_code)[:12], "not_found_or_out_of_scope")
        raise NotFound(NOT_FOUND_DIVISION)
    return division


def may_see_id_numbers(user: User) -> bool:
    return user.role in ID_NUMBER_READERS


def _as_int(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        return -1
