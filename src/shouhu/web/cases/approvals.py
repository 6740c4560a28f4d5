"""县级民政审批，以及申请上的证明材料（上传、标记缺少）。

批准纳入、批准终止：需要的材料（core 的 `documents_needed`，终止按原因
`termination_documents_needed`）缺了就不能批准，除非写明仍要批准的理由；
经 `services.case_open` 开个案（与比对发现纳入同一条路），记下申请登记之日、照料人，材料挂到
个案上。批准终止：经 `reviews.case_close_after_review` 终止（原因加书面理由），同一事务里生成
终止保障告知书。申请已批准的再批准答冲突，不会开第二个个案。
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Final

from django.db import transaction
from django.utils import timezone

from shouhu.core.errors import InvalidInput
from shouhu.core.policy.vocabulary import (
    CASE_CATEGORY_LABELS,
    DOCUMENT_LABELS,
    documents_needed,
    termination_documents_needed,
)
from shouhu.core.policy.wording import reason_label
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import Action, ObjectType
from shouhu.web.audit.services import audit_record
from shouhu.web.cases.application_models import (
    Application,
    ApplicationKind,
    CaseDocument,
    Decision,
    DocumentStatus,
    Stage,
    TerminationNotice,
)
from shouhu.web.cases.applications import (
    application_audit,
    application_locked,
    bounded_text,
    conflict,
    step_record,
)
from shouhu.web.cases.documents import document_check, document_discard, document_write
from shouhu.web.cases.models import CareArrangement, Case
from shouhu.web.cases.reviews import CLOSE_REASONS, case_close_after_review
from shouhu.web.cases.services import REASON_MAX, case_open
from shouhu.web.registry.models import Division, DivisionLevel


def documents_needed_for(app: Application) -> tuple[str, ...]:
    """这份申请需要的材料：纳入按所依据的情形，终止按终止原因。"""
    if app.kind != ApplicationKind.ENROL:
        return termination_documents_needed(app.reason_code)
    return documents_needed([c["type"] for c in app.claimed])


def documents_latest(app: Application) -> dict[str, CaseDocument]:
    """每项材料最新的一行（上传或标记缺少）。"""
    latest: dict[str, CaseDocument] = {}
    for doc in app.documents.order_by("recorded_at", "pk"):
        latest[doc.need] = doc
    return latest


def documents_missing(app: Application) -> tuple[str, ...]:
    """需要而没有上传的材料（含标记为缺少的）。"""
    latest = documents_latest(app)
    return tuple(
        need
        for need in documents_needed_for(app)
        if need not in latest or latest[need].status != DocumentStatus.ATTACHED
    )


# ---------------------------------------------------------------- 材料


def _need(need: str) -> str:
    if need not in DOCUMENT_LABELS:
        raise InvalidInput("材料项目不在清单内，请重新选择。")
    return DOCUMENT_LABELS[need]


def document_attach(
    *, ctx: RequestContext, application: Application, need: str, data: bytes
) -> CaseDocument:
    """上传一项材料（查类型和大小，加密存放）；须是正在本人环节办理的申请。"""
    assert ctx.user is not None
    scan = document_check(data, label=_need(need))
    written: list[Path] = []
    try:
        with transaction.atomic():
            app = application_locked(application, ctx.user)
            name, digest = document_write(scan, written)
            doc = CaseDocument.objects.create(
                application=app, need=need, status=DocumentStatus.ATTACHED, file_name=name,
                content_type=scan.content_type, size=len(scan.data), sha256=digest,
                recorded_by=ctx.user,
            )  # fmt: skip
            audit_record(ctx=ctx, action=Action.CREATE, object_type=ObjectType.CASE_DOCUMENT,
                         object_id=doc.pk, detail={"application": app.pk, "need": need,
                                                   "size": doc.size})  # fmt: skip
    except BaseException:
        document_discard(written)
        raise
    return doc


def document_mark_missing(
    *, ctx: RequestContext, application: Application, need: str, note: str
) -> CaseDocument:
    """标记一项材料缺少，须写明情况（如“法院判决书尚未送达，已申请补发”）。"""
    assert ctx.user is not None
    label = _need(need)
    text = bounded_text(note, what="说明", limit=200)
    if not text:
        raise InvalidInput(f"“{label}”标记为缺少时，请写明缺少的情况。")
    with transaction.atomic():
        app = application_locked(application, ctx.user)
        doc = CaseDocument.objects.create(application=app, need=need,
                                          status=DocumentStatus.MISSING, note=text,
                                          recorded_by=ctx.user)  # fmt: skip
        detail = {"application": app.pk, "need": need, "missing": True, "note_chars": len(text)}
        audit_record(ctx=ctx, action=Action.CREATE, object_type=ObjectType.CASE_DOCUMENT,
                     object_id=doc.pk, detail=detail)  # fmt: skip
    return doc


# ---------------------------------------------------------------- 批准


def _override(app: Application, override: str) -> str:
    missing = documents_missing(app)
    text = bounded_text(override, what="仍要批准的理由", limit=REASON_MAX)
    if missing and not text:
        names = "、".join(DOCUMENT_LABELS[n] for n in missing)
        raise InvalidInput(f"还缺少材料：{names}。如仍要批准，请写明理由。")
    return text if missing else ""


def _open_case(ctx: RequestContext, app: Application) -> Case:
    case = case_open(ctx=ctx, child=app.child, category=app.category,
                     orphan_type=app.orphan_type, note=app.statement,
                     applied_on=timezone.localdate(app.created_at))  # fmt: skip
    if app.carer_name:
        CareArrangement.objects.create(
            case=case, carer_name=app.carer_name, carer_id_number=app.carer_id_number,
            relation=app.carer_relation, phone=app.carer_phone, started_on=case.opened_on,
            created_by=ctx.user,
        )  # fmt: skip
    app.documents.update(case=case)
    return case


def notice_text(case: Case, guardian: str, reason_code: str, reason: str, body: str) -> str:
    """终止保障告知书的正文（书面说明理由，bayannur §4(三)）。"""
    to = f"{guardian}：" if guardian else "监护人："
    return (
        f"{to}\n经审核，{case.child.name}自{case.closed_on:%Y年%m月%d日}起终止"
        f"{CASE_CATEGORY_LABELS[case.category]}基本生活保障。\n原因：{reason_label(reason_code)}。"
        f"\n理由：{reason}\n"
        f"如对本决定有异议，可自收到本告知书之日起向{body}提出。\n{body}\n"
        f"{case.closed_on:%Y年%m月%d日}"
    )


_NOTICE_CATEGORY: Final = re.compile(
    "终止(" + "|".join(map(re.escape, CASE_CATEGORY_LABELS.values())) + ")基本生活保障"
)


def notice_text_shown(text: str, category_label: str) -> str:
    """存下的告知书正文（`notice_text`），其中的类别换成给这个用户看的文字
    （`access.category_text`：看不到感染情况的人，每个个案都是“保障对象”）。"""
    return _NOTICE_CATEGORY.sub(f"终止{category_label}基本生活保障", text, count=1)


def approving_body(division: Division) -> str:
    """批准机关：个案所在县（区）的民政局。"""
    county: Division | None = division
    while county is not None and county.level != DivisionLevel.COUNTY:
        county = county.parent
    return f"{county.name}民政局" if county is not None else "县级民政部门"


def _close_reason(reason_code: str) -> str:
    if reason_code not in CLOSE_REASONS:
        raise InvalidInput("请选择终止原因。")
    return reason_code


def _close_case(ctx: RequestContext, app: Application, reason_code: str, reason: str) -> Case:
    assert app.case is not None
    case = case_close_after_review(ctx=ctx, case=app.case, reason_code=reason_code, reason=reason)
    carer = case.care_arrangements.order_by("-started_on", "-pk").first()
    guardian = carer.carer_name if carer else ""
    body = approving_body(case.division)
    assert case.closed_on is not None
    TerminationNotice.objects.create(
        application=app, case=case, guardian_name=guardian, reason_code=reason_code,
        reason=case.close_reason, closed_on=case.closed_on, approving_body=body,
        text=notice_text(case, guardian, reason_code, case.close_reason, body),
    )  # fmt: skip
    return case


def application_approve(
    *,
    ctx: RequestContext,
    application: Application,
    override: str = "",
    reason_code: str = "",
    reason: str = "",
) -> Case:
    """县级民政审批：批准纳入开个案，批准终止关个案（原因、理由不填时用申请上的）。"""
    assert ctx.user is not None
    with transaction.atomic():
        app = application_locked(application, ctx.user)
        if app.stage != Stage.COUNTY:
            raise conflict("只有县级民政部门可以批准。")
        if app.kind == ApplicationKind.TERMINATE and reason_code:
            app.reason_code = _close_reason(reason_code)  # 县级选定的原因定要哪些材料
        text = _override(app, override)
        step_record(ctx, app, Decision.APPROVE, text)
        # 先标为已批准：开案、终止时把这名儿童其余在办的同类申请标为“另行办理”，不含这一份
        app.stage, app.returned, app.decided_at = Stage.APPROVED, False, timezone.now()
        app.save(update_fields=["stage", "returned", "decided_at", "reason_code"])
        if app.kind == ApplicationKind.ENROL:
            case = _open_case(ctx, app)
        else:
            case = _close_case(ctx, app, reason_code or app.reason_code, reason or app.reason)
        app.case, app.missing_override = case, text
        app.save(update_fields=["case", "missing_override"])
        application_audit(ctx, app, Action.UPDATE, decision=Decision.APPROVE, case=case.pk,
                          override_chars=len(text))  # fmt: skip
    return case
