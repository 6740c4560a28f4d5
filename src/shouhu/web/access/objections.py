"""疑义：提出人、能读到该事实的人、提供该事实的部门的数据报送员各自看到什么、能做什么。"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from shouhu.core.errors import PermissionDenied
from shouhu.web.access._gate import acting_user, deny, fetch_or_deny
from shouhu.web.access.persons import facts_in_scope
from shouhu.web.accounts.models import Agency, User
from shouhu.web.accounts.permissions import is_submitter
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import ObjectType
from shouhu.web.objections.models import Objection

NOT_FOUND_OBJECTION = "未找到该疑义，或您无权查看。"


def _answers_for(user: User) -> Q:
    """Objections this user answers: their own department's, if they are its data submitter."""
    return Q(agency_id=user.agency_id) if is_submitter(user) else Q(pk__in=[])


def may_answer_objection(user: User, objection: Objection) -> bool:
    return is_submitter(user) and user.agency_id == objection.agency_id


def objections_visible_to(user: User) -> QuerySet[Objection]:
    """Raised by the user, about a fact the user may read, or put to the user's department."""
    in_scope = facts_in_scope(user).values("pk")
    return Objection.objects.filter(
        Q(raised_by=user) | Q(fact__in=in_scope) | _answers_for(user)
    ).distinct()


def access_objection(ctx: RequestContext, objection_id: object, *, to: str = "read") -> Objection:
    """The objection if the user may see it; `to="answer"` needs the providing department's data
    submitter, `to="withdraw"` the person who raised it (PermissionDenied, audited, otherwise)."""
    user = acting_user(ctx)
    objection = fetch_or_deny(
        ctx,
        queryset=Objection.objects.select_related(
            "fact__person__division", "fact__agency", "fact__submission", "agency"
        ),
        visible=objections_visible_to(user),
        pk=objection_id,
        object_type=ObjectType.OBJECTION,
        message=NOT_FOUND_OBJECTION,
    )
    if to == "answer" and not may_answer_objection(user, objection):
        deny(ctx, ObjectType.OBJECTION, objection.pk, "not_the_provider")
        raise PermissionDenied("只有提供该信息的部门的数据报送员可以答复疑义。")
    if to == "withdraw" and objection.raised_by_id != user.pk:
        deny(ctx, ObjectType.OBJECTION, objection.pk, "not_the_raiser")
        raise PermissionDenied("只有提出人可以撤回疑义。")
    return objection


def access_objection_queue(ctx: RequestContext) -> Agency:
    """The department whose queue of objections the user answers."""
    user = acting_user(ctx)
    if not is_submitter(user) or user.agency is None:
        deny(ctx, ObjectType.OBJECTION_QUEUE, user.agency_id or "", "role")
        raise PermissionDenied("只有部门的数据报送员可以查看待校核的疑义。")
    return user.agency
