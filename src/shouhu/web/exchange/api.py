"""部门系统对接接口：/api/v1/items、/api/v1/submissions（OpenAPI 见 /api/v1/openapi.json）。

每个对接系统一张凭证（`shouhu credential create`），请求头 `Authorization: Bearer <令牌>`；
凭证只能报送所属部门、获授权的数据项。报送的一批 JSON 行与上传文件走同一套校验
（`read_json_rows`）和同一个入库服务（`submission_store`），得到同样的错误说明和回执。
同一幂等键（请求头 `Idempotency-Key` 或请求体 `idempotency_key`）重放，返回第一次的回执，
不重复入库。所有错误都是带中文说明的 4xx。
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, Final

from django.conf import settings
from django.http import HttpRequest
from ninja import Field, Header, Path, Router, Schema, Status
from ninja.security import HttpBearer
from pydantic import AfterValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from shouhu.core.catalog import FREQUENCY_LABELS, DataItem, FieldSpec
from shouhu.core.errors import DomainError, ErrorCode, InvalidInput, PermissionDenied
from shouhu.core.exchange import CellError
from shouhu.core.exchange.json_rows import read_json_rows
from shouhu.web import access
from shouhu.web.accounts.agencies import agency_items
from shouhu.web.accounts.credentials import credential_authenticate
from shouhu.web.accounts.models import SystemCredential
from shouhu.web.audit.context import RequestContext, client_ip
from shouhu.web.audit.models import Action, ObjectType, Purpose
from shouhu.web.audit.services import audit_record
from shouhu.web.exchange.choices import Channel
from shouhu.web.exchange.items import month_of
from shouhu.web.exchange.selectors import receipt_get, receipt_problems
from shouhu.web.exchange.services import submission_store
from shouhu.web.headers import client_cert_fingerprint

if TYPE_CHECKING:
    from shouhu.web.exchange.models import Submission

MAX_ROWS: Final = 200_000
MAX_ID: Final = 2**63 - 1  # 数据库主键的上限；更大的数在 PostgreSQL 上会出错，先行拒绝
MAX_LISTED_ERRORS: Final = 10_000
PERIOD_PATTERN: Final = r"^\d{4}-(0[1-9]|1[0-2])$"
KEY_PATTERN: Final = r"^[\x21-\x7e]{1,100}$"


class Unauthenticated(DomainError):
    code = ErrorCode.UNAUTHENTICATED


class TooLarge(DomainError):
    code = ErrorCode.TOO_LARGE


# ---------------------------------------------------------------- authentication


def _ctx(request: HttpRequest, credential: SystemCredential | None = None) -> RequestContext:
    user = credential.account if credential is not None else None
    return RequestContext(user=user, client_ip=client_ip(request), purpose=Purpose.SUBMISSION)


def _refuse(request: HttpRequest, why: str, message: str, prefix: str = "") -> Unauthenticated:
    audit_record(
        ctx=_ctx(request),
        action=Action.DENY,
        object_type=ObjectType.CREDENTIAL,
        object_id=prefix,
        detail={"why": why},
        actor_username=f"api-{prefix}" if prefix else "",
    )
    return Unauthenticated(message)


class CredentialAuth(HttpBearer):
    """Bearer 令牌 → 系统接口凭证。缺少、格式不对、无效、已吊销、已过期，绑定了客户端证书
    而请求没带或带错证书，都是 401（审计）。

    请求体过大的检查也放在这里：认证在解析请求体之前运行，是唯一能先于 Django 的
    “请求体过大”异常（它会变成一个英文的 400 页面）给出中文 413 的地方。
    """

    def __call__(self, request: HttpRequest) -> SystemCredential:
        header = request.headers.get(self.header, "")
        scheme, _, token = header.partition(" ")
        if not header:
            raise _refuse(
                request, "missing", "缺少接口凭证：请在请求头 Authorization 中提供 Bearer 令牌。"
            )
        if scheme.lower() != "bearer" or not token.strip():
            raise _refuse(
                request, "malformed", "接口凭证格式不对：应为 Authorization: Bearer <令牌>。"
            )
        check = credential_authenticate(token.strip(), client_cert_fingerprint(request))
        if check.credential is None:
            raise _refuse(request, check.why, check.message)
        if check.why:  # 吊销、过期、客户端证书没带或不符：记下是哪一张
            raise _refuse(request, check.why, check.message, check.credential.token_prefix)
        _check_size(request)
        return check.credential

    def authenticate(self, request: HttpRequest, token: str) -> SystemCredential | None:
        return None  # __call__ does the work; ninja requires the method


def _check_size(request: HttpRequest) -> None:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if limit is not None and length > limit:
        raise TooLarge(f"请求体超过 {limit // 1024} KB 的上限，请把数据分成几批提交。")


router = Router(tags=["数据报送接口"], auth=CredentialAuth())


# ---------------------------------------------------------------- schemas


class ErrorDetail(Schema):
    loc: str = Field(..., description="出错的位置，如“请求体 rows[3]”")
    message: str


class ApiError(Schema):
    error: str = Field(..., description="错误代码，如 invalid_input、unauthenticated、rejected")
    message: str = Field(..., description="中文说明")
    details: list[ErrorDetail] = Field(default_factory=list, description="请求格式错误的逐项说明")


class CodeOptionOut(Schema):
    code: str
    label: str


class FieldOut(Schema):
    key: str = Field(..., description="字段代码，可作为行对象的键")
    header: str = Field(..., description="中文表头，也可作为行对象的键")
    aliases: list[str]
    type: str = Field(
        ..., description="text / id_number / name / date / bool / int / code / division_code"
    )
    required: bool
    codes: list[CodeOptionOut] = Field(..., description="代码字段可填的代码（或其中文名称）")
    max_length: int | None
    min_value: int | None
    max_value: int | None
    note: str
    example: str | None


class ItemOut(Schema):
    code: str
    name: str
    description: str
    frequency: str
    due_day: int | None = Field(..., description="每月截止日（月度数据项）")
    fact_types: list[str]
    fields: list[FieldOut]


class ItemsOut(Schema):
    agency: str
    credential: str
    items: list[ItemOut]


def _scalar(value: object) -> object:
    if isinstance(value, dict | list):
        raise PydanticCustomError("scalar_type", "应为文本、数字、布尔值或 null，不能是对象或数组")
    return value


# One check with one Chinese message (a plain union would report a failure per member type).
Scalar = Annotated[
    Any,
    AfterValidator(_scalar),
    WithJsonSchema(
        {"anyOf": [{"type": "string"}, {"type": "number"}, {"type": "boolean"}, {"type": "null"}]}
    ),
]


class SubmissionIn(Schema):
    item_code: str = Field(..., max_length=64, description="数据项代码，见 GET /items")
    period: str = Field(
        ...,
        max_length=7,
        description="所属月份，YYYY-MM",
        json_schema_extra={"pattern": PERIOD_PATTERN},
    )
    idempotency_key: str | None = Field(
        None,
        max_length=100,
        description="幂等键（也可用请求头 Idempotency-Key）",
        json_schema_extra={"pattern": KEY_PATTERN},
    )
    rows: list[dict[str, Scalar]] = Field(
        ...,
        max_length=MAX_ROWS,
        description="每行一个对象，键为字段代码或中文表头；值为文本、数字、布尔值或 null。"
        "空数组为零报告。",
    )


class RowProblem(Schema):
    row: int = Field(..., description="rows 中的序号，从 1 起；0 表示整批的提示")
    column: str = Field(..., description="中文表头；整行问题时为空")
    value: str = Field(..., description="脱敏后的值")
    message: str


class ReceiptOut(Schema):
    id: int
    receipt_number: str = Field(..., description="回执编号")
    duplicate: bool = Field(..., description="重复提交：未再入库，返回的是第一次的回执")
    agency: str
    item_code: str
    item_name: str
    period: str = Field(..., description="YYYY-MM")
    channel: str
    content_sha256: str
    status: str = Field(..., description="accepted / partial / rejected")
    status_label: str
    nil_return: bool
    rows_total: int
    rows_accepted: int
    rows_rejected: int
    facts_created: int
    facts_superseded: int
    facts_unchanged: int
    error_count: int
    warning_count: int
    submitted_at: datetime
    received_at: datetime
    submitted_by: str
    receiver: str
    errors: list[RowProblem] = Field(
        ..., description=f"被退回的行的问题（最多列出 {MAX_LISTED_ERRORS} 处）"
    )
    warnings: list[RowProblem]


ERRORS: dict[int, Any] = {
    400: ApiError,
    401: ApiError,
    403: ApiError,
    404: ApiError,
    409: ApiError,
    413: ApiError,
    422: ApiError,
}


# ---------------------------------------------------------------- items


def _field_out(spec: FieldSpec) -> FieldOut:
    options = spec.code_list.options if spec.code_list is not None else ()
    return FieldOut(
        key=spec.key,
        header=spec.header,
        aliases=list(spec.aliases),
        type=spec.type.value,
        required=spec.required,
        codes=[CodeOptionOut(code=o.code, label=o.label) for o in options],
        max_length=spec.max_length,
        min_value=spec.min_value,
        max_value=spec.max_value,
        note=spec.note,
        example=spec.example,
    )


def _item_out(item: DataItem) -> ItemOut:
    return ItemOut(
        code=item.code,
        name=item.name,
        description=item.description,
        frequency=FREQUENCY_LABELS[item.frequency],
        due_day=item.due_day,
        fact_types=list(item.fact_types),
        fields=[_field_out(spec) for spec in item.fields],
    )


@router.get("/items", response={200: ItemsOut, **ERRORS}, summary="本凭证可报送的数据项及字段")
def items_list(request: HttpRequest) -> ItemsOut:
    credential: SystemCredential = request.auth  # type: ignore[attr-defined]
    granted = set(credential.item_codes)
    agency = credential.agency
    items = [i for i in agency_items(agency) if i.code in granted]
    return ItemsOut(
        agency=agency.name, credential=credential.name, items=[_item_out(item) for item in items]
    )


# ---------------------------------------------------------------- submissions


def _period(text: str) -> date:
    if not re.fullmatch(PERIOD_PATTERN, text):
        raise InvalidInput("所属月份 period 应为 YYYY-MM 格式，如 2025-03。")
    year, month = int(text[:4]), int(text[5:])
    if year < 2000:
        raise InvalidInput("所属月份 period 不能早于 2000 年。")
    return month_of(date(year, month, 1))


def _idempotency_key(header: str | None, body: str | None) -> str:
    if header and body and header != body:
        raise InvalidInput("请求头 Idempotency-Key 与请求体 idempotency_key 不一致。")
    key = header or body or ""
    if not key:
        raise InvalidInput(
            "缺少幂等键：请在请求头 Idempotency-Key（或请求体 idempotency_key）中提供。"
        )
    if not re.fullmatch(KEY_PATTERN, key):
        raise InvalidInput("幂等键应为 1–100 个可见的 ASCII 字符（不含空格）。")
    return key


def _granted_item(request: HttpRequest, credential: SystemCredential, item_code: str) -> DataItem:
    if item_code not in credential.item_codes:
        audit_record(
            ctx=_ctx(request, credential),
            action=Action.DENY,
            object_type=ObjectType.DATA_ITEM,
            object_id=item_code[:64],
            detail={"why": "item_not_granted"},
        )
        raise PermissionDenied(f"本凭证未获授权报送数据项“{item_code[:64]}”。")
    agency = credential.agency
    for item in agency_items(agency):
        if item.code == item_code:
            return item
    raise PermissionDenied(f"数据项“{item_code}”已不在本单位的数据目录中。")


def _problems(errors: list[CellError]) -> list[RowProblem]:
    return [
        RowProblem(row=e.row, column=e.column, value=e.value, message=e.message)
        for e in errors[:MAX_LISTED_ERRORS]
    ]


def _receipt_out(submission: Submission, *, duplicate: bool) -> ReceiptOut:
    receipt = receipt_get(submission=submission)
    errors, warnings = receipt_problems(submission=submission)
    return ReceiptOut(
        id=submission.pk,
        receipt_number=receipt.receipt_number,
        duplicate=duplicate,
        agency=receipt.agency,
        item_code=receipt.item_code,
        item_name=receipt.item_name,
        period=receipt.period.strftime("%Y-%m"),
        channel=submission.channel,
        content_sha256=receipt.content_sha256,
        status=receipt.status,
        status_label=receipt.status_label,
        nil_return=receipt.nil_return,
        rows_total=receipt.rows_total,
        rows_accepted=receipt.rows_accepted,
        rows_rejected=receipt.rows_rejected,
        facts_created=receipt.facts_created,
        facts_superseded=receipt.facts_superseded,
        facts_unchanged=receipt.facts_unchanged,
        error_count=receipt.error_count,
        warning_count=receipt.warning_count,
        submitted_at=receipt.submitted_at,
        received_at=receipt.received_at,
        submitted_by=receipt.submitted_by,
        receiver=receipt.receiver,
        errors=_problems(errors),
        warnings=_problems(warnings),
    )


@router.post(
    "/submissions",
    response={201: ReceiptOut, 200: ReceiptOut, **ERRORS},
    summary="报送一批数据（JSON 行），返回回执",
    description="新报送返回 201；同一幂等键或同一内容再次提交返回 200 和第一次的回执，不重复入库。"
    "部分行有错时，合格行照常接收，错误逐行列在回执的 errors 中；整批无法接收时返回 422。",
)
def submission_create(
    request: HttpRequest,
    payload: SubmissionIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", max_length=100),
) -> Status[ReceiptOut | ApiError]:
    credential: SystemCredential = request.auth  # type: ignore[attr-defined]
    key = _idempotency_key(idempotency_key, payload.idempotency_key)
    item = _granted_item(request, credential, payload.item_code)
    period = _period(payload.period)
    source = f"{item.code}-{payload.period}.json"
    result = read_json_rows(payload.rows, source=source, item=item)
    outcome = submission_store(
        ctx=_ctx(request, credential),
        agency=credential.agency,
        item_code=item.code,
        period=period,
        channel=Channel.API,
        filename=source,
        result=result,
        idempotency_key=key,
    )
    if outcome.submission is None:
        message = outcome.rejected_whole or "整批数据无法接收。"
        return Status(422, ApiError(error="rejected", message=message))
    submission = outcome.submission
    if outcome.duplicate and _key_reused(submission, key, result.file_sha256):
        message = f"幂等键已用于另一批内容不同的数据（回执 {submission.receipt_number}）。"
        return Status(409, ApiError(error="conflict", message=message))
    receipt = _receipt_out(submission, duplicate=outcome.duplicate)
    return Status(200 if outcome.duplicate else 201, receipt)


def _key_reused(first: Submission, key: str, content_sha256: str) -> bool:
    """同一幂等键、不同内容：对方系统的 bug（键重复使用），不能悄悄当作重放。"""
    return first.idempotency_key == key and first.content_sha256 != content_sha256


@router.get(
    "/submissions/{submission_id}", response={200: ReceiptOut, **ERRORS}, summary="一次报送的回执"
)
def submission_get(
    request: HttpRequest, submission_id: int = Path(..., ge=1, le=MAX_ID)
) -> ReceiptOut:
    credential: SystemCredential = request.auth  # type: ignore[attr-defined]
    ctx = _ctx(request, credential)
    submission = access.access_credential_submission(ctx, credential.agency, submission_id)
    audit_record(
        ctx=ctx, action=Action.VIEW, object_type=ObjectType.SUBMISSION, object_id=submission.pk
    )
    return _receipt_out(submission, duplicate=False)
