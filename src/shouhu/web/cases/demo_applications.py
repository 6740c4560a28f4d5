"""演示的申请和审批：每个环节各有一份（村里登记中、被乡镇退回、等乡镇初审、两份等县级审批），
另有一份督导员提出的终止申请，让儿童主任、督导员、经办人员一登录就有申请可办。

全部经由真实的服务，材料是加密存放的一页空白 PDF。
"""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet

from shouhu.web.accounts.models import User
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import Purpose
from shouhu.web.cases.application_models import Application
from shouhu.web.cases.applications import (
    EnrolInput,
    application_create,
    application_pass,
    application_return,
    termination_propose,
)
from shouhu.web.cases.approvals import (
    document_attach,
    document_mark_missing,
    documents_needed_for,
)
from shouhu.web.cases.models import Case, CaseStatus
from shouhu.web.registry.models import Person

# 一页空白的 PDF（演示材料）
BLANK_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
CLAIMS = (
    (("father", "imprisoned"), ("mother", "lost_contact")),
    (("father", "deceased"), ("mother", "severe_disability")),
    (("father", "compulsory_rehab"),),
    (("mother", "severe_illness"), ("father", "lost_contact")),
    (("father", "deceased"), ("mother", "imprisoned")),
)
CARERS = (("王桂兰", "祖母"), ("李建国", "祖父"), ("张秀英", "外祖母"), ("赵志强", "叔叔"),
          ("刘玉梅", "姑姑"))  # fmt: skip


def _ctx(user: User) -> RequestContext:
    return RequestContext(user=user, client_ip="", purpose=Purpose.CASE_WORK)


def _children(director: User, today: date) -> QuerySet[Person]:
    """儿童主任所在村没有保障中个案的未成年人（演示的申请对象）。"""
    adult_born = date(today.year - 18, today.month, min(today.day, 28))
    with_case = Case.objects.filter(status=CaseStatus.ACTIVE).values("child_id")
    return (
        Person.objects.filter(division_id=director.division_id, birth_date__gt=adult_born)
        .exclude(pk__in=with_case)
        .order_by("pk")
    )


def _apply(director: RequestContext, child: Person, i: int) -> Application:
    carer, relation = CARERS[i]
    data = EnrolInput(
        category="de_facto_unsupported", claimed=CLAIMS[i],
        statement="入户排查发现，家庭无力抚养，监护人申请纳入保障。",
        carer_name=carer, carer_relation=relation, carer_phone="13800000000",
    )  # fmt: skip
    app = application_create(ctx=director, child=child, data=data)
    needs = documents_needed_for(app)
    for need in needs[:-1]:
        document_attach(ctx=director, application=app, need=need, data=BLANK_PDF)
    if i == 0:  # 第一份留一项缺少（已说明）
        document_mark_missing(ctx=director, application=app, need=needs[-1],
                              note="公安部门的查找回执尚未出具")  # fmt: skip
    else:
        document_attach(ctx=director, application=app, need=needs[-1], data=BLANK_PDF)
    return app


def demo_applications(*, supervisor: User, director: User, today: date) -> None:
    # 不在演示里批准：批准会为编造了情形的儿童开个案，首次比对就多出一条“应退未退”
    d, s = _ctx(director), _ctx(supervisor)
    children = list(_children(director, today)[: len(CLAIMS)])
    apps = [_apply(d, child, i) for i, child in enumerate(children)]
    for app in apps[1:]:
        application_pass(ctx=d, application=app)
    if len(apps) > 1:
        application_return(ctx=s, application=apps[1],
                           reason="户口簿只拍了首页，请补拍儿童本人页后重新报送。")  # fmt: skip
    for app in apps[3:]:
        application_pass(ctx=s, application=app, note="已入户核实，材料齐全。")
    township = supervisor.division.path
    case = (
        Case.objects.filter(status=CaseStatus.ACTIVE, division__path__startswith=township)
        .exclude(pk__in=Application.objects.filter(case__isnull=False).values("case_id"))
        .order_by("-pk")
        .first()
    )
    if case is not None:
        reason = "父亲已刑满释放回家，能够履行抚养义务，不再符合保障条件。"
        termination_propose(ctx=s, case=case, reason_code="no_qualifying_condition", reason=reason)
