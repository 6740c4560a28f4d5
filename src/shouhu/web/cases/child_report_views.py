"""强制报告一名没有保障个案的儿童（/cases/children/<人员>/report/）：学校、医院、公安、村（居）委会
报告的儿童不一定在保障中，也不一定在名册上。报告记在名册登记上（`cases.register_risk`）；有个案
的儿童转到个案的报告表单。视图只解析输入、经访问层取儿童、调用一个服务、渲染。
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from shouhu.core.errors import DomainError
from shouhu.web import access
from shouhu.web.audit.context import request_context
from shouhu.web.audit.models import Action, ObjectType, Purpose
from shouhu.web.audit.services import audit_record
from shouhu.web.cases import register_risk, reports
from shouhu.web.cases.models import CaseStatus
from shouhu.web.cases.work_choices import REPORTER_KINDS
from shouhu.web.cases.work_views import _moment, _now_text


@login_required
@require_http_methods(["GET", "POST"])
def child_report_view(request: HttpRequest, person_id: int) -> HttpResponse:
    ctx = request_context(request, Purpose.CASE_WORK)
    child = access.access_child_report(ctx, person_id)
    case = child.cases.filter(status=CaseStatus.ACTIVE).first()
    if case is not None:
        return redirect("case_report_new", case.pk)
    entered = child.register_entries.filter(ended_on__isnull=True, case__isnull=True).exists()
    context = {"child": child, "now": _now_text(), "values": request.POST,
               "reporter_kinds": REPORTER_KINDS,
               "report_kinds": [] if entered else register_risk.report_kind_options()}  # fmt: skip
    if request.method == "GET":
        audit_record(ctx=ctx, action=Action.VIEW, object_type=ObjectType.PERSON,
                     object_id=child.pk, detail={"form": "report_form"})  # fmt: skip
        return render(request, "cases/report_form.html", context)
    post = request.POST
    data = reports.ReportInput(
        reporter_kind=post.get("reporter_kind", ""), reporter_org=post.get("reporter_org", ""),
        reporter_name=post.get("reporter_name", ""), reporter_phone=post.get("reporter_phone", ""),
        seen_at=_moment(post.get("seen_at", "")), what_seen=post.get("what_seen", ""),
    )  # fmt: skip
    try:
        report = register_risk.child_report_create(ctx=ctx, child=child, data=data,
                                                   kind=post.get("kind", ""))  # fmt: skip
    except DomainError as exc:
        context["error"] = exc.message
        return render(request, "cases/report_form.html", context, status=400)
    messages.success(request, "已收到强制报告：儿童已在困境儿童名册上，临时按高风险，"
                              "儿童主任须在 24 小时内走访到位，县级经办人员复核。")  # fmt: skip
    entry_id = report.change.entry_id
    return redirect(reverse("register_entry", args=[entry_id]))
