"""儿童主任和督导员名册：列表、登记、修改、开通账户（或与已有账户相连）、离任。"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shouhu.core.errors import DomainError, InvalidInput, NotFound
from shouhu.web import access
from shouhu.web.accounts import roster as services
from shouhu.web.accounts.models import RosterMember, User
from shouhu.web.accounts.permissions import ROSTER_LEVELS, Role
from shouhu.web.accounts.selectors import (
    ROSTER_EXPORT_HEADER,
    roster_export_rows,
    roster_listed,
    roster_page,
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
from shouhu.web.cases.caseload import caseload
from shouhu.web.exports import Export, export_part, export_xlsx
from shouhu.web.pages import page_number

DUTIES = [(role.value, role.label) for role in ROSTER_LEVELS]
LEVELS = tuple(ROSTER_LEVELS.values())


@login_required
@require_GET
def roster_view(request: HttpRequest) -> HttpResponse:
    ctx = admin_ctx(request)
    admin = admin_of(ctx)
    q, duty, include_left = _filters(request)
    listed = roster_listed(
        members=access.roster_visible_to(admin), q=q, duty=duty, include_left=include_left
    )
    found = roster_page(members=listed, page=page_number(request.GET.get("page")))
    audit_record(
        ctx=ctx,
        action=Action.VIEW,
        object_type=ObjectType.ROSTER,
        detail={"rows": len(found.rows), "filtered": bool(q or duty)},
    )
    query = urlencode({"q": q, "duty": duty, "show": "all" if include_left else ""}) + "&"
    # 工作量（cases.caseload）：只有数量，按名册这一页的人和辖区内各乡镇
    shown = RosterMember.objects.filter(pk__in=[r.pk for r in found.rows])
    members = shown.values_list("pk", "division__path", "user_id")
    loads, areas = caseload(area=admin.division, members=members)
    context = {
        "found": found,
        "rows": [(row, loads.get(row.pk)) for row in found.rows],
        "areas": areas,
        "q": q,
        "duty": duty,
        "show_all": include_left,
        "duties": DUTIES,
        "query": query,
    }
    return page(request, "accounts/roster.html", context)


def _filters(request: HttpRequest) -> tuple[str, str, bool]:
    """名册页和导出共用的筛选：姓名或区划、职务、是否含离任。"""
    q = request.GET.get("q", "").strip()[:50]
    return q, request.GET.get("duty", ""), request.GET.get("show") == "all"


@login_required
@require_GET
def roster_export_view(request: HttpRequest) -> HttpResponse:
    """名册（同样的筛选和顺序）导出为 Excel：有姓名和电话，经统一的导出出口。"""
    ctx = admin_ctx(request)
    q, duty, include_left = _filters(request)
    listed = roster_listed(
        members=access.roster_visible_to(admin_of(ctx)), q=q, duty=duty, include_left=include_left
    )
    export = Export("儿童主任和督导员名册", ROSTER_EXPORT_HEADER,
                    roster_export_rows(members=listed), ObjectType.ROSTER)  # fmt: skip
    return export_xlsx(ctx=ctx, export=export, part=export_part(request.GET.get("part")))


def _form(admin: User, posted: dict[str, Any], error: str = "") -> dict[str, Any]:
    return {
        "posted": posted,
        "error": error,
        "duties": DUTIES,
        "divisions": division_choices(admin, LEVELS),
    }


@login_required
@require_http_methods(["GET", "POST"])
def roster_new_view(request: HttpRequest) -> HttpResponse:
    ctx = admin_ctx(request)
    admin = admin_of(ctx)
    if request.method == "GET":
        return page(request, "accounts/roster_new.html", _form(admin, {}))
    try:
        member = services.roster_add(
            ctx=ctx,
            duty=request.POST.get("duty", ""),
            full_name=request.POST.get("full_name", ""),
            phone=request.POST.get("phone", ""),
            division=_division(request, ctx),
        )
    except DomainError as exc:
        context = _form(admin, request.POST.dict(), exc.message)
        return page(request, "accounts/roster_new.html", context, status=400)
    messages.success(request, "已登记。需要用平台的，可在下方为其开通账户。")
    return redirect("admin_roster_member", member.pk)


def _division(request: HttpRequest, ctx: RequestContext) -> Any:
    code = posted_division_code(request)
    if not code:
        raise InvalidInput("请选择负责的村（居）或乡镇（街道）。")
    return access.access_admin_division(ctx, code)


@login_required
@require_http_methods(["GET", "POST"])
def roster_member_view(request: HttpRequest, member_id: int) -> HttpResponse:
    """名册上的一个人：修改姓名、电话、负责区域。"""
    ctx = admin_ctx(request)
    admin = admin_of(ctx)
    member = access.access_roster_member(ctx, member_id)
    error = ""
    if request.method == "POST":
        try:
            services.roster_update(
                ctx=ctx,
                member=member,
                full_name=request.POST.get("full_name", ""),
                phone=request.POST.get("phone", ""),
                division=_division(request, ctx),
            )
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, "已保存。")
            return redirect("admin_roster_member", member.pk)
    audit_record(
        ctx=ctx, action=Action.VIEW, object_type=ObjectType.ROSTER_MEMBER, object_id=member.pk
    )
    return _member_page(request, admin, member, error)


def _member_page(
    request: HttpRequest, admin: User, member: RosterMember, error: str = ""
) -> HttpResponse:
    posted = request.POST.dict() if request.method == "POST" else {}
    defaults = {
        "full_name": member.full_name,
        "phone": member.phone,
        "division": f"{member.division_id} {member.division.name}",
    }
    context = {
        **_form(admin, {**defaults, **posted}, error),
        "member": member,
        "duty_label": Role(member.duty).label,
        "agencies": access.agencies_administered_by(admin)
        .filter(agency_type="civil_affairs")
        .select_related("division"),
    }
    return page(request, "accounts/roster_member.html", context, status=400 if error else 200)


@login_required
@require_POST
def roster_member_action_view(request: HttpRequest, member_id: int) -> HttpResponse:
    """开通账户（account）、与已有账户相连（link）、离任（close）。"""
    ctx = admin_ctx(request)
    admin = admin_of(ctx)
    member = access.access_roster_member(ctx, member_id)
    action = request.POST.get("action", "")
    try:
        if action == "account":
            agency_id = request.POST.get("agency", "")
            issued = services.roster_account_create(
                ctx=ctx,
                member=member,
                username=request.POST.get("username", ""),
                agency=access.access_admin_agency(ctx, agency_id) if agency_id else None,
            )
            context = {"issued": issued, "created": True, "member": member}
            return shown_once(request, "accounts/issued_password.html", context)
        if action == "link":
            services.roster_link(ctx=ctx, member=member, user=_account(request, ctx, admin))
            messages.success(request, "已与账户相连。")
        elif action == "close":
            services.roster_close(ctx=ctx, member=member)
            messages.success(request, "已记为离任；相连的账户已停用。")
        else:
            raise InvalidInput("请从页面上的按钮选择要做的操作。")
    except (InvalidInput, NotFound) as exc:
        return _member_page(request, admin, member, exc.message)
    return redirect("admin_roster_member", member.pk)


def _account(request: HttpRequest, ctx: RequestContext, admin: User) -> User:
    username = request.POST.get("username", "").strip()[:150]
    found = access.accounts_visible_to(admin).filter(username=username).first()
    if found is None:
        raise InvalidInput(f"您管辖的范围内没有用户名为“{username}”的账户。")
    return access.access_account(ctx, found.pk, for_write=True)
