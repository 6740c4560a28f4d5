"""账户：列表、开设（临时密码只显示一次）、修改角色和辖区、停用/启用、解锁、重置密码。"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shouhu.core.errors import DomainError, InvalidInput
from shouhu.web import access
from shouhu.web.accounts import users as services
from shouhu.web.accounts.models import Agency, User
from shouhu.web.accounts.permissions import SEPARATED_ROLES
from shouhu.web.accounts.second_factor import second_factor_enrolled
from shouhu.web.accounts.selectors import (
    ACCOUNT_EXPORT_HEADER,
    ACCOUNT_STATUSES,
    account_export_rows,
    account_page,
    account_status,
    accounts_listed,
)
from shouhu.web.accounts.views._common import (
    admin_ctx,
    admin_of,
    division_choices,
    page,
    posted_division_code,
    shown_once,
)
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import Action, ObjectType
from shouhu.web.audit.services import audit_record
from shouhu.web.exports import Export, export_part, export_xlsx
from shouhu.web.pages import page_number

ACTIONS = {
    "disable": ("停用", services.account_disable),
    "enable": ("启用", services.account_enable),
    "unlock": ("解锁", services.account_unlock),
    "reset_second_factor": ("重置动态验证码：", services.account_second_factor_reset),
}


@login_required
@require_GET
def users_view(request: HttpRequest) -> HttpResponse:
    ctx = admin_ctx(request)
    admin = admin_of(ctx)
    q, role, status = _filters(request)
    listed = accounts_listed(
        accounts=access.accounts_visible_to(admin), q=q, role=role, status=status
    )
    found = account_page(accounts=listed, page=page_number(request.GET.get("page")))
    audit_record(
        ctx=ctx,
        action=Action.VIEW,
        object_type=ObjectType.USER_LIST,
        detail={"rows": len(found.rows), "filtered": bool(q or role or status)},
    )
    context = {
        "found": found,
        "q": q,
        "role": role,
        "status": status,
        "roles": [(r.value, r.label) for r in access.assignable_roles()],
        "statuses": ACCOUNT_STATUSES,
        "query": urlencode({"q": q, "role": role, "status": status}) + "&",
    }
    return page(request, "accounts/users.html", context)


def _filters(request: HttpRequest) -> tuple[str, str, str]:
    """列表页和导出共用的筛选：用户名或姓名、角色、状态。"""
    q = request.GET.get("q", "").strip()[:50]
    return q, request.GET.get("role", ""), request.GET.get("status", "")


@login_required
@require_GET
def users_export_view(request: HttpRequest) -> HttpResponse:
    """账户列表（同样的筛选和顺序）导出为 Excel。"""
    ctx = admin_ctx(request)
    q, role, status = _filters(request)
    listed = accounts_listed(
        accounts=access.accounts_visible_to(admin_of(ctx)), q=q, role=role, status=status
    )
    rows = account_export_rows(accounts=listed)
    export = Export("平台账户", ACCOUNT_EXPORT_HEADER, rows, ObjectType.USER_LIST)
    return export_xlsx(ctx=ctx, export=export, part=export_part(request.GET.get("part")))


def _form_context(admin: User, posted: dict[str, Any], error: str = "") -> dict[str, Any]:
    return {
        "posted": posted,
        "error": error,
        "roles": [(r.value, r.label) for r in access.assignable_roles()],
        "agencies": access.agencies_administered_by(admin).select_related("division"),
        "divisions": division_choices(admin),
    }


def _assignment(request: HttpRequest, ctx: RequestContext) -> dict[str, Any]:
    """表单里的角色、辖区、部门，各经访问层检查（三员角色、辖区外的区划和部门都拒绝）。"""
    role = access.access_assignable_role(ctx, request.POST.get("role", ""))
    code = posted_division_code(request)
    if not code:
        raise InvalidInput("请选择或填写辖区（区划代码）。")
    division = access.access_admin_division(ctx, code)
    agency_id = request.POST.get("agency", "")
    agency: Agency | None = access.access_admin_agency(ctx, agency_id) if agency_id else None
    return {"role": role, "division": division, "agency": agency}


@login_required
@require_http_methods(["GET", "POST"])
def user_new_view(request: HttpRequest) -> HttpResponse:
    ctx = admin_ctx(request)
    admin = admin_of(ctx)
    if request.method == "GET":
        return page(request, "accounts/user_new.html", _form_context(admin, {}))
    try:
        issued = services.account_create(
            ctx=ctx,
            username=request.POST.get("username", ""),
            full_name=request.POST.get("full_name", ""),
            email=request.POST.get("email", ""),
            **_assignment(request, ctx),
        )
    except DomainError as exc:
        context = _form_context(admin, request.POST.dict(), exc.message)
        return page(request, "accounts/user_new.html", context, status=400)
    return shown_once(request, "accounts/issued_password.html", {"issued": issued, "created": True})


@login_required
@require_http_methods(["GET", "POST"])
def user_view(request: HttpRequest, user_id: int) -> HttpResponse:
    """一个账户：详情和修改（姓名、角色、辖区、部门）。"""
    ctx = admin_ctx(request)
    admin = admin_of(ctx)
    account = access.access_account(ctx, user_id, for_write=request.method == "POST")
    error = ""
    if request.method == "POST":
        try:
            services.account_update(
                ctx=ctx,
                user=account,
                full_name=request.POST.get("full_name", ""),
                email=request.POST.get("email", ""),
                **_assignment(request, ctx),
            )
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, "已保存。")
            return redirect("admin_user", account.pk)
    audit_record(ctx=ctx, action=Action.VIEW, object_type=ObjectType.USER, object_id=account.pk)
    return _detail(request, admin, account, error)


def _detail(request: HttpRequest, admin: User, account: User, error: str = "") -> HttpResponse:
    posted = request.POST.dict() if error else {
        "full_name": account.full_name,
        "email": account.email,
        "role": account.role,
        "division": f"{account.division_id} {account.division.name}",
        "agency": str(account.agency_id or ""),
    }  # fmt: skip
    status, status_label = account_status(account)
    context = {
        **_form_context(admin, posted, error),
        "account": account,
        "status": status,
        "status_label": status_label,
        "editable": account.pk != admin.pk and account.role not in SEPARATED_ROLES,
        "roster_member": getattr(account, "roster_member", None),
        "has_second_factor": second_factor_enrolled(account),
    }
    return page(request, "accounts/user.html", context, status=400 if error else 200)


@login_required
@require_POST
def user_action_view(request: HttpRequest, user_id: int) -> HttpResponse:
    """停用、启用、解锁、重置密码或动态验证码：每个按钮提交一个 action（空的什么也不做）。"""
    ctx = admin_ctx(request)
    account = access.access_account(ctx, user_id, for_write=True)
    action = request.POST.get("action", "")
    if action == "reset_password":
        issued = services.account_password_reset(ctx=ctx, user=account)
        return shown_once(
            request, "accounts/issued_password.html", {"issued": issued, "created": False}
        )
    if action not in ACTIONS:
        raise InvalidInput("请从页面上的按钮选择要做的操作。")
    label, act = ACTIONS[action]
    act(ctx=ctx, user=account)
    messages.success(request, f"已{label}账户 {account.username}。")
    return redirect("admin_user", account.pk)
