"""个案迁移的页面（/cases/transfers/…、/cases/<个案>/transfer/）：清单、提出、接收或退回。

视图只解析输入、经访问层取个案或迁移、调用一个服务、渲染；出错时带回填写的内容和中文说明。
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from shouhu.core.errors import DomainError
from shouhu.web import access
from shouhu.web.accounts.models import User
from shouhu.web.accounts.permissions import purpose_of_role
from shouhu.web.accounts.selectors import local_naive
from shouhu.web.audit.context import RequestContext, request_context
from shouhu.web.audit.models import Action, ObjectType, Purpose
from shouhu.web.audit.services import audit_record
from shouhu.web.cases import transfers
from shouhu.web.cases.models import Transfer
from shouhu.web.exports import Export, export_part, export_xlsx
from shouhu.web.registry.models import Division

RECENT = 20


def _ctx(request: HttpRequest) -> RequestContext:
    return request_context(request, Purpose.CASE_WORK)


@login_required
@require_GET
def transfer_list_view(request: HttpRequest) -> HttpResponse:
    ctx = _ctx(request)
    user = ctx.user
    assert user is not None
    incoming, outgoing, recent = _sections(user, RECENT)
    shown = {t.pk for t in incoming + outgoing + recent}
    audit_record(ctx=ctx, action=Action.VIEW, object_type=ObjectType.CASE_TRANSFER,
                 detail={"list": True, "shown": sorted(shown)})  # fmt: skip
    context = {"incoming": transfers.transfer_lines(incoming),
               "outgoing": transfers.transfer_lines(outgoing),
               "recent": transfers.transfer_lines(recent),
               "may_export": purpose_of_role(user, (Purpose.CASE_WORK,)) is not None}  # fmt: skip
    return render(request, "cases/transfer_list.html", context)


def _sections(user: User, recent: int | None) -> tuple[list[Transfer], ...]:
    """清单页和导出的同样三组：待我接收、已转出等对方接收（都按提出先后），其余的新的在前
    （页面上只列最近 `recent` 个，导出全部）。"""
    related = ("case__child", "entry__child", "from_division", "to_division")
    incoming = list(access.transfers_to_receive(user).select_related(*related)
                    .order_by("proposed_at"))  # fmt: skip
    sent = access.transfers_sent(user).select_related(*related)
    outgoing = list(sent.filter(status="pending").order_by("proposed_at"))
    listed = [t.pk for t in incoming + outgoing]
    others = (access.transfers_visible_to(user).select_related(*related)
              .exclude(pk__in=listed).order_by("-proposed_at"))  # fmt: skip
    return incoming, outgoing, list(others[:recent] if recent is not None else others)


TRANSFER_EXPORT_HEADER = ("分组", "儿童", "迁出地", "迁入地", "提出方式", "状态", "理由",
                          "退回理由", "提出时间", "办理时间")  # fmt: skip
SECTION_LABELS = ("待我接收", "已转出、等对方接收", "已办理或其他")


@login_required
@require_GET
def transfer_export_view(request: HttpRequest) -> HttpResponse:
    """个案迁移（同样的三组和顺序，不限条数）导出为 Excel；有儿童姓名，经统一的导出出口。"""
    ctx = _ctx(request)
    user = ctx.user
    assert user is not None
    rows = [
        (label, t.child_name, t.from_name, t.to_name, t.origin_label, t.status_label, t.reason,
         t.return_reason, local_naive(t.proposed_at), local_naive(t.decided_at))
        for label, group in zip(SECTION_LABELS, _sections(user, None), strict=True)
        for t in transfers.transfer_lines(group)
    ]  # fmt: skip
    export = Export("个案迁移", TRANSFER_EXPORT_HEADER, rows, ObjectType.CASE_TRANSFER)
    return export_xlsx(ctx=ctx, export=export, part=export_part(request.GET.get("part")))


@login_required
@require_http_methods(["GET", "POST"])
def transfer_view(request: HttpRequest, transfer_id: int) -> HttpResponse:
    """一次迁移：接收方看到决定所需的内容（儿童、类别、风险、理由），接收或说明理由退回。"""
    ctx = _ctx(request)
    if request.method == "POST":
        transfer = access.access_transfer_receive(ctx, transfer_id)
        try:
            if request.POST.get("action") == "accept":
                child = transfers.transfer_accept(ctx=ctx, transfer=transfer)
                messages.success(request, "已接收：儿童的档案和全部记录已迁入本辖区。")
                anchor = "#casework" if transfer.case_id else "#registers"
                return redirect(reverse("person_detail", args=[child.pk]) + anchor)
            transfers.transfer_return(ctx=ctx, transfer=transfer,
                                      reason=request.POST.get("return_reason", ""))  # fmt: skip
            messages.success(request, "已退回，转出方会在待办中看到退回理由。")
            return redirect("case_transfer_list")
        except DomainError as exc:
            return _detail(request, ctx, transfer, error=exc.message, status=400)
    return _detail(request, ctx, access.access_transfer(ctx, transfer_id))


def _detail(request: HttpRequest, ctx: RequestContext, transfer: transfers.Transfer,
            error: str = "", status: int = 200) -> HttpResponse:  # fmt: skip
    user = ctx.user
    assert user is not None
    about = {"case": transfer.case_id} if transfer.case_id else {"entry": transfer.entry_id}
    audit_record(ctx=ctx, action=Action.VIEW, object_type=ObjectType.CASE_TRANSFER,
                 object_id=transfer.pk, detail=about)  # fmt: skip
    context = {"t": transfers.transfer_lines([transfer])[0],
               "summary": transfers.transfer_summary(transfer, access.disclosure_for(user)),
               "of_register": transfer.case_id is None,
               "may_receive": transfer.status == "pending" and access.may_receive(user, transfer),
               "values": request.POST, "error": error}  # fmt: skip
    return render(request, "cases/transfer_detail.html", context, status=status)


def _propose_form(
    request: HttpRequest, ctx: RequestContext, context: dict[str, Any],
    seen: tuple[str, int], propose: Callable[[Division | None, str], object], done: str,
) -> HttpResponse | None:  # fmt: skip
    """提出迁移的表单（个案和名册登记共用）：GET 显示（记入审计），POST 提出；成功答 None。"""
    if request.method == "GET":
        audit_record(ctx=ctx, action=Action.VIEW, object_type=seen[0], object_id=seen[1],
                     detail={"form": "transfer_form"})  # fmt: skip
        return render(request, "cases/transfer_form.html", context)
    try:
        propose(transfers.division_by_code(request.POST.get("to", "")),
                request.POST.get("reason", ""))  # fmt: skip
    except DomainError as exc:
        context["error"] = exc.message
        return render(request, "cases/transfer_form.html", context, status=400)
    messages.success(request, done)
    return None


@login_required
@require_http_methods(["GET", "POST"])
def transfer_new_view(request: HttpRequest, case_id: int) -> HttpResponse:
    ctx = _ctx(request)
    case = access.access_transfer_propose(ctx, case_id)
    context = {"case": case, "child": case.child, "values": request.POST,
               "options": transfers.destination_options(exclude=case.division)}  # fmt: skip
    shown = _propose_form(
        request, ctx, context, (ObjectType.CASE, case.pk),
        lambda to, reason: transfers.transfer_propose(ctx=ctx, case=case, to_division=to,
                                                      reason=reason),
        "已提出迁移：接收方办理前，个案仍由本辖区负责。",
    )  # fmt: skip
    return shown or redirect(reverse("person_detail", args=[case.child_id]) + "#casework")


@login_required
@require_http_methods(["GET", "POST"])
def register_transfer_new_view(request: HttpRequest, entry_id: int) -> HttpResponse:
    """没有个案的名册儿童（困境、留守）随家庭搬走：同一张表单，接收后全部登记和探访迁过去。"""
    ctx = _ctx(request)
    entry = access.access_register_transfer_propose(ctx, entry_id)
    context = {"entry": entry, "child": entry.child, "values": request.POST,
               "options": transfers.destination_options(exclude=entry.division)}  # fmt: skip
    shown = _propose_form(
        request, ctx, context, (ObjectType.CHILD_REGISTER, entry.pk),
        lambda to, reason: transfers.register_transfer_propose(ctx=ctx, entry=entry,
                                                               to_division=to, reason=reason),
        "已提出迁移：接收方办理前，名册儿童仍由本辖区探访。",
    )  # fmt: skip
    return shown or redirect("register_entry", entry.pk)
