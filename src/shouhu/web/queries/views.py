"""查询记录页的视图：经访问层取可见的记录，渲染或导出；每次查看与导出都记审计。"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from shouhu.core.catalog import catalog_load, purpose_label
from shouhu.core.errors import DomainError, NotFound
from shouhu.web import access
from shouhu.web.accounts.models import User
from shouhu.web.accounts.permissions import purpose_of_role
from shouhu.web.audit.context import RequestContext, request_context
from shouhu.web.audit.models import Action, ObjectType
from shouhu.web.audit.services import audit_record
from shouhu.web.exports import Export, export_part, export_xlsx
from shouhu.web.pages import page_number
from shouhu.web.queries.asking import ASK_PURPOSE, askable_items
from shouhu.web.queries.client import peer_for, peer_name
from shouhu.web.queries.log_pages import (
    EXPORT_HEADER,
    month_of,
    query_log_page,
    query_log_rows,
)
from shouhu.web.queries.services import ParentAnswer, query_ask, reply_status
from shouhu.web.registry.selectors import id_number_display


def _ctx(request: HttpRequest) -> RequestContext:
    """报送员为数据报送，审计员为审计，民政为个案办理，领导为统计督办。"""
    user = request.user
    assert isinstance(user, User)  # behind @login_required
    order = ("submission", "audit", "case_work", "statistics")
    return request_context(request, purpose_of_role(user, order) or "case_work")


@login_required
@require_GET
def query_log_view(request: HttpRequest) -> HttpResponse:
    ctx = _ctx(request)
    logs = access.access_query_log(ctx)
    month = month_of(request.GET.get("month", ""))
    found = query_log_page(logs, month=month, page=page_number(request.GET.get("page")))
    detail = {"month": found.month, "page": found.page, "rows": len(found.rows)}
    audit_record(
        ctx=ctx, action=Action.VIEW, object_type=ObjectType.QUERY, object_id="log", detail=detail
    )
    return render(request, "queries/log.html", {"found": found})


@login_required
@require_GET
def query_log_export_view(request: HttpRequest) -> HttpResponse:
    ctx = _ctx(request)
    month = month_of(request.GET.get("month", ""))
    rows = query_log_rows(access.access_query_log(ctx), month=month)
    title = f"查询记录-{month:%Y年%m月}" if month else "查询记录"
    export = Export(title=title, header=EXPORT_HEADER, rows=rows, object_type=ObjectType.QUERY,
                    object_id="log")  # fmt: skip
    return export_xlsx(ctx=ctx, export=export, part=export_part(request.GET.get("part")))


@login_required
@require_POST
def query_ask_view(request: HttpRequest, case_id: int) -> HttpResponse:
    """儿童页面上的“向部门查询父母情况”：就这个个案儿童在户籍中登记的父母，向配置的部门平台询问
    是否在其名单中、是否在执行、起止日期（用途：定期核查）。两边各记查询记录和审计。"""
    ctx = request_context(request, ASK_PURPOSE)
    user = request.user
    assert isinstance(user, User)
    (case,) = access.access_query_cases(ctx, [case_id])  # 辖区外与不存在的同一答复
    try:
        code = request.POST.get("item", "")
        if code not in {a.code for a in askable_items(user)}:
            raise NotFound("本平台没有配置该数据项的查询对象，请联系系统管理员。")
        item = catalog_load(user.division_id[:6]).item(code)
        _, send = peer_for(item.code)
        answers = query_ask(ctx=ctx, cases=[case], item=item, purpose=ASK_PURPOSE, send=send,
                            peer=peer_name(item))  # fmt: skip
    except DomainError as exc:
        return render(request, "queries/answers.html", {"error": exc.message}, status=400)
    rows = [_answer_row(a, user) for a in answers]
    context = {"item": item.name, "peer": peer_name(item), "child": case.child, "rows": rows,
               "purpose": purpose_label(ASK_PURPOSE)}  # fmt: skip
    return render(request, "queries/answers.html", context)


def _answer_row(answer: ParentAnswer, user: User) -> dict[str, object]:
    reply, parent = answer.reply, answer.parent
    return {"name": parent.name, "id": id_number_display(user=user, id_number=parent.id_number),
            "status": reply_status(reply), "since": reply.since, "until": reply.until,
            "found": reply.found}  # fmt: skip
