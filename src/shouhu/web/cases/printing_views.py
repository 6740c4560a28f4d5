"""文书下载（/cases/<个案>/forms/<文书>.pdf）：县级经办，以及辖区内的督导员、儿童主任。

个案经访问层取（辖区外的与不存在的同一答复）；下载走导出的唯一出口（`exports.export_document`）：
用途为该文书的工作（资格确认或核查），每页页脚印导出人、时间、用途和导出编号，审计记下文书的种类和导出编号。
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from shouhu.core.errors import NotFound
from shouhu.web import access
from shouhu.web.audit.context import request_context
from shouhu.web.audit.models import ObjectType
from shouhu.web.cases import printing
from shouhu.web.exports import export_document


@login_required
@require_GET
def case_form_view(request: HttpRequest, case_id: int, form: str) -> HttpResponse:
    if form not in printing.FORMS:
        raise NotFound("没有这种文书。")
    ctx = request_context(request, printing.FORM_PURPOSES[form])
    case = access.access_case(ctx, case_id)
    user = ctx.user
    assert user is not None  # login_required
    return export_document(
        ctx=ctx, title=printing.FORMS[form], object_type=ObjectType.CASE_FORM, object_id=case.pk,
        render=lambda mark: printing.form_pdf(user=user, case=case, code=form, mark=mark),
        detail={"form": form},
    )  # fmt: skip
