"""演示的个案迁移：五原县一名保障儿童随家人搬到演示乡镇，五原县经办人员已提出迁移，
等临河区经办人员接收（经办人员一登录，待办里就有“迁入的个案待接收”）。"""

from __future__ import annotations

from shouhu.web.accounts.models import User
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import Purpose
from shouhu.web.cases.models import Case, CaseStatus
from shouhu.web.cases.transfers import transfer_propose


def demo_transfer(*, sender: User, township: User) -> None:
    """`sender`：转出县的经办人员；`township`：迁入乡镇的一名用户（取其所在区划）。"""
    case = (
        Case.objects.filter(
            status=CaseStatus.ACTIVE, division__path__startswith=sender.division.path
        )
        .order_by("pk")
        .first()
    )
    if case is None:
        return
    ctx = RequestContext(user=sender, client_ip="", purpose=Purpose.CASE_WORK)
    transfer_propose(ctx=ctx, case=case, to_division=township.division,
                     reason="儿童随祖母迁居临河区，已在当地小学入学，请接收。")  # fmt: skip
