"""部门系统取推送名单、报反馈的接口：/api/v1/share-lists（OpenAPI 见 /api/v1/openapi.json）。

凭证（`shouhu credential create --purposes …`）只取所属部门、获授权用途的名单。取名单分页，
字段按现在有效的共享授权。报反馈与上传名单走同一套校验和同一个记入服务：整批记入，或者
（任何一行有问题）一行不记、逐行说明；同一幂等键重放返回第一次的结果，不重复记入。
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from typing import Any, Final

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Header, Path, Query, Router, Schema, Status

from shouhu.core.errors import PermissionDenied
from shouhu.web import access
from shouhu.web.accounts.models import SystemCredential
from shouhu.web.audit.context import RequestContext, client_ip
from shouhu.web.audit.models import Action, ObjectType
from shouhu.web.audit.services import audit_record
from shouhu.web.exchange.api import (
    ERRORS,
    KEY_PATTERN,
    MAX_ID,
    ApiError,
    CredentialAuth,
    _idempotency_key,
)
from shouhu.web.shares import selectors
from shouhu.web.shares.api_rows import ApiFeedbackRow, read_api_rows
from shouhu.web.shares.services import feedback_batch_store

MAX_PAGE_SIZE: Final = 1000
MAX_FEEDBACK_ROWS: Final = 100_000

router = Router(tags=["推送名单接口"], auth=CredentialAuth())


class ShareListOut(Schema):
    id: int
    agency: str
    purpose: str = Field(..., description="推送用途代码，如 insurance_enrolment")
    purpose_label: str
    number: int = Field(..., description="该部门该用途的第几份名单")
    full: bool = Field(..., description="全量名单（第一份）；否则只列新增和停止的变动")
    published_at: datetime
    due_on: date = Field(..., description="反馈截止日")
    enrol_count: int
    exit_count: int
    answered: int = Field(..., description="已反馈的行数")


class ShareListsOut(Schema):
    lists: list[ShareListOut]


class FeedbackOut(Schema):
    outcome: str = Field(..., description="done / not_applicable / could_not")
    done_on: date | None
    reference: str
    reason: str


class EntryOut(Schema):
    ref: str = Field(..., description="名单编号：反馈时原样带回")
    change: str = Field(
        ..., description="enrol（新增：请办理）/ exit（停止：已退出保障或不再属于这一用途，请停办）"
    )
    fields: dict[str, str] = Field(..., description="获授权的字段：代码 → 值")
    feedback: FeedbackOut | None


class ShareListPageOut(Schema):
    list: ShareListOut
    fields: dict[str, str] = Field(..., description="字段代码 → 中文表头")
    page: int
    num_pages: int
    entries: list[EntryOut]


class FeedbackIn(Schema):
    idempotency_key: str | None = Field(
        None, max_length=100, description="幂等键（也可用请求头 Idempotency-Key）",
        json_schema_extra={"pattern": KEY_PATTERN},
    )  # fmt: skip
    rows: list[ApiFeedbackRow] = Field(..., min_length=1, max_length=MAX_FEEDBACK_ROWS)


class RowProblemOut(Schema):
    row: int = Field(..., description="rows 中的序号，从 1 起")
    column: str
    message: str


class FeedbackReceiptOut(Schema):
    batch: int = Field(..., description="反馈批次编号")
    duplicate: bool = Field(..., description="重复提交：未再记入，返回的是第一次的结果")
    rows: int
    changed: int = Field(..., description="新记或改动的行数")


class FeedbackRejectedOut(Schema):
    error: str
    message: str
    problems: list[RowProblemOut]


def _credential(request: HttpRequest) -> SystemCredential:
    credential: SystemCredential = request.auth  # type: ignore[attr-defined]
    if not credential.share_purposes:
        raise PermissionDenied("本凭证不是接收推送名单的凭证。")
    return credential


def _ctx(request: HttpRequest, credential: SystemCredential, purpose: str) -> RequestContext:
    return RequestContext(user=credential.account, client_ip=client_ip(request), purpose=purpose)


def _list_out(share_list: Any, answered: int) -> ShareListOut:
    return ShareListOut(
        id=share_list.pk, agency=share_list.agency.name, purpose=share_list.purpose,
        purpose_label=selectors.purpose_label(share_list.purpose), number=share_list.number,
        full=share_list.full, published_at=share_list.published_at, due_on=share_list.due_on,
        enrol_count=share_list.enrol_count, exit_count=share_list.exit_count, answered=answered,
    )  # fmt: skip


def _scoped(request: HttpRequest, credential: SystemCredential, list_id: int) -> Any:
    """凭证所属部门、获授权用途的名单；别的与“不存在”同一答复（记入审计）。"""
    ctx = _ctx(request, credential, credential.share_purposes[0])
    return access.access_credential_share_list(
        ctx, credential.agency, credential.share_purposes, list_id
    )


@router.get("/share-lists", response={200: ShareListsOut, **ERRORS}, summary="发给本部门的推送名单")
def share_lists(request: HttpRequest) -> ShareListsOut:
    credential = _credential(request)
    lists = selectors.credential_lists(credential.agency, credential.share_purposes)
    return ShareListsOut(lists=[_list_out(item, item.answered) for item in lists])


@router.get(
    "/share-lists/{list_id}", response={200: ShareListPageOut, **ERRORS},
    summary="一份推送名单（分页）",
)  # fmt: skip
def share_list_get(
    request: HttpRequest,
    list_id: int = Path(..., ge=1, le=MAX_ID),
    page: int = Query(1, ge=1, le=1_000_000),
    page_size: int = Query(500, ge=1, le=MAX_PAGE_SIZE),
) -> ShareListPageOut:
    credential = _credential(request)
    share_list = _scoped(request, credential, list_id)
    ctx = _ctx(request, credential, share_list.purpose)
    found = selectors.api_page(share_list, credential.account, page, page_size)
    detail = {"rows": len(found.entries), "page": page}
    audit_record(ctx=ctx, action=Action.VIEW, object_type=ObjectType.SHARE_LIST,
                 object_id=share_list.pk, detail=detail)  # fmt: skip
    return ShareListPageOut(
        list=_list_out(share_list, found.answered),
        fields=found.fields,
        page=page,
        num_pages=found.num_pages,
        entries=[EntryOut(**entry) for entry in found.entries],
    )


@router.post(
    "/share-lists/{list_id}/feedback",
    response={201: FeedbackReceiptOut, 200: FeedbackReceiptOut, 422: FeedbackRejectedOut,
              **{k: v for k, v in ERRORS.items() if k != 422}},
    summary="报一批逐人反馈",
    description="新记入返回 201；同一幂等键再次提交返回 200 和第一次的结果，不重复记入。"
    "任何一行有问题时整批不记，返回 422 和逐行的问题。",
)  # fmt: skip
def share_feedback_post(
    request: HttpRequest,
    payload: FeedbackIn,
    list_id: int = Path(..., ge=1, le=MAX_ID),
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", max_length=100),
) -> Status[FeedbackReceiptOut | FeedbackRejectedOut]:
    credential = _credential(request)
    key = _idempotency_key(idempotency_key, payload.idempotency_key)
    share_list = _scoped(request, credential, list_id)
    ctx = _ctx(request, credential, share_list.purpose)
    body = json.dumps([r.model_dump(mode="json") for r in payload.rows], sort_keys=True)
    digest = hashlib.sha256(body.encode()).hexdigest()
    rows, problems = read_api_rows(share_list, payload.rows, today=timezone.localdate())
    if problems:
        message = f"反馈有 {len(problems)} 处问题，整批没有记入，请改正后重新提交。"
        out = [RowProblemOut(row=p.row, column=p.column, message=p.message) for p in problems]
        return Status(422, FeedbackRejectedOut(error="rejected", message=message,
                                               problems=out[:10_000]))  # fmt: skip
    outcome = feedback_batch_store(ctx=ctx, share_list=share_list, channel="api", rows=rows,
                                   content_sha256=digest, idempotency_key=key)  # fmt: skip
    batch = outcome.batch
    if outcome.duplicate and batch.content_sha256 != digest:
        message = f"幂等键已用于另一批内容不同的反馈（批次 {batch.pk}）。"
        return Status(409, ApiError(error="conflict", message=message))  # type: ignore[arg-type]
    receipt = FeedbackReceiptOut(batch=batch.pk, duplicate=outcome.duplicate, rows=batch.rows,
                                 changed=batch.changed)  # fmt: skip
    return Status(200 if outcome.duplicate else 201, receipt)
