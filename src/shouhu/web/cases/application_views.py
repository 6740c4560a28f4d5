"""申请和审批的页面（/cases/applications/…）：列表、登记纳入申请、申请页（审批经过、材料、
办理）、上传或标记材料、查看材料、提出终止。视图只解析输入、经访问层取对象、调用一个服务、
渲染；表单在手机上一栏排开（儿童主任在手机上登记）。出错时带回填写的内容和中文说明。
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shouhu.core.errors import DomainError, InvalidInput
from shouhu.core.policy.wording import reason_label
from shouhu.web import access
from shouhu.web.audit.context import RequestContext, request_context
from shouhu.web.audit.models import Action, ObjectType, Purpose
from shouhu.web.audit.services import audit_record
from shouhu.web.cases import application_choices as choices
from shouhu.web.cases import application_selectors as sel
from shouhu.web.cases import applications, approvals
from shouhu.web.cases.documents import MAX_BYTES, document_read
from shouhu.web.exports import Export, export_part, export_xlsx


def _ctx(request: HttpRequest) -> RequestContext:
    return request_context(request, Purpose.CASE_WORK)


def _audit_view(ctx: RequestContext, object_type: str, pk: object, **detail: object) -> None:
    audit_record(ctx=ctx, action=Action.VIEW, object_type=object_type, object_id=pk,
                 detail=dict(detail))  # fmt: skip


@login_required
@require_GET
def application_list_view(request: HttpRequest) -> HttpResponse:
    ctx = _ctx(request)
    visible = access.access_application_list(ctx)
    assert ctx.user is not None
    tab = request.GET.get("tab", "")
    tabs = choices.list_tabs(ctx.user, visible)
    code = tab if tab in {t.code for t in tabs} else tabs[0].code
    apps = choices.tab_query(ctx.user, visible, code)[:50]
    lines = [sel.application_line(a) for a in apps]
    _audit_view(ctx, ObjectType.APPLICATION_LIST, "", tab=code, shown=[line.pk for line in lines])
    return render(request, "cases/application_list.html",
                  {"tabs": tabs, "code": code, "lines": lines})  # fmt: skip


APPLICATION_EXPORT_HEADER = ("儿童", "申请", "所在环节", "是否退回", "登记日期", "最近一步")


@login_required
@require_GET
def application_export_view(request: HttpRequest) -> HttpResponse:
    """一个页签的全部申请（页面只列最近 50 件）导出为 Excel。"""
    ctx = _ctx(request)
    visible = access.access_application_list(ctx)
    assert ctx.user is not None
    code = request.GET.get("tab", "")
    if code not in choices.TAB_LABELS:
        raise Http404
    lines = [sel.application_line(a) for a in choices.tab_query(ctx.user, visible, code)]
    export = Export(
        title=f"申请和审批-{choices.TAB_LABELS[code]}",
        header=APPLICATION_EXPORT_HEADER,
        rows=[_export_row(line) for line in lines],
        object_type=ObjectType.APPLICATION_LIST,
    )
    return export_xlsx(ctx=ctx, export=export, part=export_part(request.GET.get("part")))


def _export_row(line: sel.ApplicationLine) -> tuple[object, ...]:
    last = line.steps[-1] if line.steps else None
    step = f"{last.stage_label}{last.decision_label}（{last.by}）" if last else ""
    created = timezone.localtime(line.created_at).date()
    return (line.child_name, line.kind_label, line.stage_label, "退回" if line.returned else "",
            created, step)  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def application_new_view(request: HttpRequest, person_id: int) -> HttpResponse:
    """登记纳入保障的申请（主动帮助申请）。"""
    ctx = _ctx(request)
    child = access.access_application_start(ctx, person_id)
    context: dict[str, Any] = {"child": child, "values": request.POST,
                               **choices.enrol_form(request.POST)}  # fmt: skip
    if request.method == "GET":
        _audit_view(ctx, ObjectType.PERSON, child.pk, form="application_new")
        return render(request, "cases/application_form.html", context)
    try:
        app = applications.application_create(ctx=ctx, child=child,
                                               data=choices.enrol_input(request.POST))  # fmt: skip
    except DomainError as exc:
        context["error"] = exc.message
        return render(request, "cases/application_form.html", context, status=400)
    messages.success(request, "已登记申请。请上传或标记所需材料，再报送。")
    return redirect("application_detail", application_id=app.pk)


def _detail(request: HttpRequest, ctx: RequestContext, app: Any, **extra: Any) -> dict[str, Any]:
    assert ctx.user is not None
    disclosure = access.disclosure_for(ctx.user)
    return {
        "app": app, "child": app.child, "line": sel.application_line(app),
        "form": sel.approval_form_data(application=app, disclosure=disclosure),
        "documents": sel.application_documents(app),
        "may_act": app.stage in choices.OPEN and applications.may_act(ctx.user, app.stage),
        "at_county": app.stage == "county",
        "may_return": bool(applications.return_target(app)),
        "may_withdraw": applications.may_withdraw(app, ctx.user),
        "missing": approvals.documents_missing(app),
        "reasons": choices.close_reasons(), "reason_label": reason_label(app.reason_code),
        "notice": sel.termination_notice_data(application=app, disclosure=disclosure),
        "max_mb": MAX_BYTES // 1024 // 1024, "values": request.POST, **extra,
    }  # fmt: skip


@login_required
@require_GET
def application_view(request: HttpRequest, application_id: int) -> HttpResponse:
    ctx = _ctx(request)
    app = access.access_application(ctx, application_id)
    _audit_view(ctx, ObjectType.APPLICATION, app.pk)
    return render(request, "cases/application_detail.html", _detail(request, ctx, app))


def _act(ctx: RequestContext, app: Any, post: Any) -> str:
    decision = post.get("decision", "")
    if decision == "return":
        applications.application_return(ctx=ctx, application=app, reason=post.get("reason", ""))
        return "已退回上一环节，退回理由已记下。"
    if decision == "approve":
        approvals.application_approve(ctx=ctx, application=app,
                                      override=post.get("override", ""),
                                      reason_code=post.get("reason_code", ""),
                                      reason=post.get("close_reason", ""))  # fmt: skip
        return "已批准。" + (
            "个案已开立。" if app.kind == "enrol" else "个案已终止，告知书已生成。"
        )
    if decision == "withdraw":
        applications.application_withdraw(ctx=ctx, application=app,
                                          reason=post.get("withdraw_reason", ""))  # fmt: skip
        return "申请已撤回，撤回理由已记下。"
    if decision != "pass":
        raise InvalidInput("请选择办理决定：报送、退回或批准。")
    applications.application_pass(ctx=ctx, application=app, note=post.get("note", ""))
    return "已报送上一级。"


@login_required
@require_POST
def application_act_view(request: HttpRequest, application_id: int) -> HttpResponse:
    """本环节的决定：报送、退回（写明理由）、批准（县级）。"""
    ctx = _ctx(request)
    app = access.access_application(ctx, application_id, act=True)
    try:
        done = _act(ctx, app, request.POST)
    except DomainError as exc:
        context = _detail(request, ctx, app, error=exc.message)
        return render(request, "cases/application_detail.html", context, status=400)
    messages.success(request, done)
    return redirect("application_detail", application_id=app.pk)


@login_required
@require_POST
def document_upload_view(request: HttpRequest, application_id: int) -> HttpResponse:
    """上传一项材料，或标记缺少（写明情况）。"""
    ctx = _ctx(request)
    app = access.access_application(ctx, application_id, act=True)
    need = request.POST.get("need", "")
    upload = request.FILES.get("file")
    try:
        if request.POST.get("missing"):
            approvals.document_mark_missing(ctx=ctx, application=app, need=need,
                                            note=request.POST.get("note", ""))  # fmt: skip
        else:
            data = upload.read(MAX_BYTES + 1) if upload else b""
            approvals.document_attach(ctx=ctx, application=app, need=need, data=data)
    except DomainError as exc:
        context = _detail(request, ctx, app, error=exc.message)
        return render(request, "cases/application_detail.html", context, status=400)
    messages.success(request, "已记下材料。")
    return redirect(reverse("application_detail", args=[app.pk]) + "#documents")


@login_required
@require_GET
def document_view(request: HttpRequest, document_id: int) -> HttpResponse:
    """查看一份材料（解密后给浏览器）；每次查看都记入审计。"""
    ctx = _ctx(request)
    doc = access.access_document(ctx, document_id)
    data = document_read(doc.file_name)
    _audit_view(ctx, ObjectType.CASE_DOCUMENT, doc.pk, application=doc.application_id)
    response = HttpResponse(data, content_type=doc.content_type)
    extension = choices.EXTENSIONS.get(doc.content_type, "bin")
    response["Content-Disposition"] = f'inline; filename="document-{doc.pk}.{extension}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def termination_new_view(request: HttpRequest, case_id: int) -> HttpResponse:
    """提出终止保障（原因、书面理由），再经乡镇初审、县级审批。"""
    ctx = _ctx(request)
    case = access.access_termination_start(ctx, case_id)
    context: dict[str, Any] = {"case": case, "child": case.child, "values": request.POST,
                               "reasons": choices.close_reasons()}  # fmt: skip
    if request.method == "GET":
        _audit_view(ctx, ObjectType.CASE, case.pk, form="termination_new")
        return render(request, "cases/termination_form.html", context)
    try:
        app = applications.termination_propose(ctx=ctx, case=case,
                                               reason_code=request.POST.get("reason_code", ""),
                                               reason=request.POST.get("reason", ""))  # fmt: skip
    except DomainError as exc:
        context["error"] = exc.message
        return render(request, "cases/termination_form.html", context, status=400)
    messages.success(request, "已提出终止保障，等待审核。")
    return redirect("application_detail", application_id=app.pk)
