"""POST /api/v1/assess — the rule engine over HTTP, per docs/formats/assess.md."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Body, Router

from shouhu.core import policy
from shouhu.core.errors import PermissionDenied
from shouhu.web.accounts.permissions import Right, may
from shouhu.web.audit.context import request_context
from shouhu.web.audit.models import Action, ObjectType, Purpose
from shouhu.web.audit.services import audit_record

router = Router(tags=["资格认定"])


@router.post("/assess", summary="按政策规则认定一个或多个儿童", response=Any)
def assess(
    request: HttpRequest,
    payload: Any = Body(...),
    as_of: date | None = None,
    region: str | None = None,
) -> Any:
    ctx = request_context(request, Purpose.DETERMINATION)
    if ctx.user is None or not may(ctx.user, Right.ASSESS):
        audit_record(
            ctx=ctx, action=Action.DENY, object_type=ObjectType.ASSESS, detail={"why": "role"}
        )
        raise PermissionDenied("您的角色不能使用资格认定接口。")
    cases, single = policy.cases_from_json(
        payload, default_as_of=as_of or timezone.localdate(), default_region=region
    )
    results = [policy.assessment_to_json(policy.assess_case(case)) for case in cases]
    audit_record(
        ctx=ctx, action=Action.ASSESS, object_type=ObjectType.ASSESS, detail={"cases": len(cases)}
    )
    return results[0] if single else results
