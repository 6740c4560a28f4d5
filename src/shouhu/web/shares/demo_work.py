"""演示的推送名单：临河区民政向医疗保障局推送资助参保名单，医保已对一部分儿童反馈（其中一人改正过）——
部门用户一登录就有待反馈的名单，民政经办看得到闭环和尚未办好的儿童。经由真实的服务。"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from shouhu.web.accounts.models import Agency, User
from shouhu.web.audit.context import RequestContext
from shouhu.web.shares.models import Outcome
from shouhu.web.shares.services import FeedbackInput, share_feedback_record, share_list_publish

PURPOSE = "insurance_enrolment"


def demo_shares(*, caseworker: User, department: User) -> None:
    agency = Agency.objects.get(pk=department.agency_id)
    publish_ctx = RequestContext(user=caseworker, client_ip="", purpose=PURPOSE)
    share_list = share_list_publish(
        ctx=publish_ctx, division=caseworker.division, agency=agency, purpose=PURPOSE
    )
    ids = list(share_list.entries.order_by("pk").values_list("pk", flat=True))
    ctx = RequestContext(user=department, client_ip="", purpose=PURPOSE)
    done_on = timezone.localdate() - timedelta(days=1)
    if ids:  # 先报了“未能办理”，后来办好了改正：名单页和儿童页看得到改正前的
        waiting = FeedbackInput(Outcome.COULD_NOT, reason="参保系统核对身份中")
        share_feedback_record(ctx=ctx, share_list=share_list, entry_ids=ids[:1], feedback=waiting)
    for index, entry_id in enumerate(ids[: len(ids) // 3]):
        done = FeedbackInput(Outcome.DONE, done_on, f"YB150802{2026_0000 + index:08d}")
        share_feedback_record(ctx=ctx, share_list=share_list, entry_ids=[entry_id], feedback=done)
    if len(ids) > 3:
        could_not = FeedbackInput(Outcome.COULD_NOT, reason="监护人暂未提供户口簿，已电话联系")
        share_feedback_record(
            ctx=ctx, share_list=share_list, entry_ids=[ids[-1]], feedback=could_not
        )
