"""部门平台的查询接口：POST /api/v1/queries（民政平台凭接口凭证调用）。

请求：数据项、用途、截至日期、一批人（每人附民政的个案引用、身份证号、姓名、出生日期）；
答复：每人只有“是否在名单中、是否在执行、起、止”。部门的名单本身从不返回。
"""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from ninja import Field, Router, Schema

from shouhu.web import access
from shouhu.web.accounts.models import SystemCredential
from shouhu.web.audit.context import RequestContext, client_ip
from shouhu.web.audit.models import Purpose
from shouhu.web.exchange.api import ERRORS, ApiError, CredentialAuth
from shouhu.web.queries.services import MAX_BATCH, Asked, query_answer

router = Router(tags=["查询服务接口"], auth=CredentialAuth())


class PersonIn(Schema):
    ref: str = Field(..., min_length=1, max_length=64, description="民政的个案引用")
    id_number: str = Field("", max_length=40, description="身份证号（可有录入错误）")
    name: str = Field(..., min_length=1, max_length=50)
    birth_date: date | None = None


class QueryIn(Schema):
    item_code: str = Field(..., max_length=64, description="只查询的数据项代码")
    purpose: str = Field(..., max_length=32, description="用途代码，须是该数据项允许的用途")
    as_of: date | None = Field(None, description="截至日期（默认今天）")
    persons: list[PersonIn] = Field(..., min_length=1, max_length=MAX_BATCH)


class ReplyOut(Schema):
    ref: str
    found: bool = Field(..., description="是否在部门名单中")
    in_force: bool = Field(..., description="截至日期是否在执行")
    since: date | None
    until: date | None = Field(..., description="止日；无期或未定为 null")


class QueryOut(Schema):
    replies: list[ReplyOut]


@router.post(
    "/queries",
    response={200: QueryOut, **ERRORS, 429: ApiError},
    summary="就一批人查询是否在执行（只查询的数据项）",
    description="只答所问之人；每次查询记入双方的查询记录和审计日志，每个凭证每天限量。",
)
def query_create(request: HttpRequest, payload: QueryIn) -> QueryOut:
    credential: SystemCredential = request.auth  # type: ignore[attr-defined]
    ctx = RequestContext(
        user=credential.account, client_ip=client_ip(request), purpose=_purpose(payload.purpose)
    )
    item = access.access_query_service(ctx, credential, payload.item_code, payload.purpose)
    persons = [Asked(p.ref, p.id_number, p.name, p.birth_date) for p in payload.persons]
    replies = query_answer(
        ctx=ctx, credential=credential, item=item, purpose=payload.purpose, persons=persons,
        as_of=payload.as_of,
    )  # fmt: skip
    return QueryOut(
        replies=[ReplyOut(ref=r.ref, found=r.found, in_force=r.in_force, since=r.since,
                          until=r.until) for r in replies]
    )  # fmt: skip


def _purpose(code: str) -> str:
    return code if code in Purpose.values else Purpose.REVIEW
