"""申请和证明材料：辖区子树内的申请（“不存在”和“不是你的”同一个答复），再看角色。

儿童主任看本村、督导员看本乡镇、县级经办人员看本县的申请（申请的区划是儿童户籍地）；
办理（报送、退回、批准、上传材料）还须申请正在本人角色办理的环节，否则 403（记入审计）。
材料跟着它的申请走：看得到申请的人看得到材料，每次查看都记入审计（由视图记）。
"""

from __future__ import annotations

from django.db.models import QuerySet

from shouhu.core.errors import PermissionDenied
from shouhu.web.access._gate import acting_user, deny, fetch_or_deny, require
from shouhu.web.access.casework import access_case_work
from shouhu.web.access.persons import access_person, subtree
from shouhu.web.accounts.models import User
from shouhu.web.accounts.permissions import Right, may
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import ObjectType
from shouhu.web.cases.application_models import Application, CaseDocument, may_act, stage_of
from shouhu.web.cases.models import Case
from shouhu.web.registry.models import Person

NOT_FOUND_APPLICATION = "未找到该申请，或您无权查看。"
NOT_FOUND_DOCUMENT = "未找到该材料，或您无权查看。"
NOT_YOUR_STAGE = "这份申请现在不在您办理的环节。"


def applications_visible_to(user: User) -> QuerySet[Application]:
    """辖区子树内的申请；不办理个案工作的角色一份也看不到。"""
    if not may(user, Right.RECORD_VISITS):
        return Application.objects.none()
    return Application.objects.filter(division__path__startswith=subtree(user))


def may_handle_applications(user: User) -> bool:
    """办理申请的角色：儿童主任、督导员、县级经办人员（菜单和待办用）。"""
    return may(user, Right.RECORD_VISITS) and bool(stage_of(user))


def access_application_list(ctx: RequestContext) -> QuerySet[Application]:
    user = require(ctx, Right.RECORD_VISITS, ObjectType.APPLICATION_LIST, "您的角色不办理申请。")
    return applications_visible_to(user)


def access_application(
    ctx: RequestContext, application_id: object, *, act: bool = False
) -> Application:
    """辖区内的申请；act 时还须正在本人办理的环节（403，记入审计）。"""
    user = acting_user(ctx)
    app = fetch_or_deny(
        ctx,
        queryset=Application.objects.select_related("child", "division", "case"),
        visible=applications_visible_to(user),
        pk=application_id,
        object_type=ObjectType.APPLICATION,
        message=NOT_FOUND_APPLICATION,
    )
    if act and not may_act(user, app.stage):
        deny(ctx, ObjectType.APPLICATION, app.pk, f"stage:{app.stage}")
        raise PermissionDenied(NOT_YOUR_STAGE)
    return app


def access_application_start(ctx: RequestContext, person_id: object) -> Person:
    """为辖区内的一名儿童登记纳入申请：先看儿童（辖区），再看角色能不能登记（403）。"""
    user = acting_user(ctx)
    child = access_person(ctx, person_id)
    if not may(user, Right.RECORD_VISITS) or not stage_of(user):
        deny(ctx, ObjectType.PERSON, child.pk, "role:apply")
        raise PermissionDenied("您的角色不能登记申请。")
    return child


def access_termination_start(ctx: RequestContext, case_id: object) -> Case:
    """提出终止保障：辖区内的个案，角色能记录核查（县级经办、督导员）。"""
    return access_case_work(ctx, case_id, Right.RECORD_REVIEWS)


def access_document(ctx: RequestContext, document_id: object) -> CaseDocument:
    """一份材料，须看得到它的申请；否则 NotFound（两种情形同一答复，记入审计）。"""
    user = acting_user(ctx)
    return fetch_or_deny(
        ctx,
        queryset=CaseDocument.objects.select_related("application"),
        visible=CaseDocument.objects.filter(application__in=applications_visible_to(user)),
        pk=document_id,
        object_type=ObjectType.CASE_DOCUMENT,
        message=NOT_FOUND_DOCUMENT,
    )
