"""离线走访（docs/offline-data.md）：谁可以把所服务儿童的走访数据带到手机上，谁可以看探访照片。

只有儿童主任和督导员（`Right.WORK_OFFLINE`）下载离线数据包；包里的个案就是他们辖区内保障中的
个案（与个案工作清单同一范围）。探访照片跟着探访所属的个案走：看得到个案的人看得到照片。
"""

from __future__ import annotations

from django.db.models import QuerySet

from shouhu.core.errors import NotFound
from shouhu.web.access._gate import acting_user, as_int, deny, require
from shouhu.web.access.persons import cases_visible_to
from shouhu.web.access.registers import register_entries_visible_to
from shouhu.web.accounts.models import User
from shouhu.web.accounts.permissions import Right
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import ObjectType
from shouhu.web.cases.models import Case, CaseStatus, Visit
from shouhu.web.cases.register_models import RegisterEntry
from shouhu.web.field.models import VisitPhoto

NOT_FOUND_PHOTO = "未找到该照片，或您无权查看。"


def access_field_work(ctx: RequestContext) -> QuerySet[Case]:
    """离线数据包里的个案：辖区内保障中的个案；不是儿童主任、督导员的拒绝（记入审计）。"""
    user = require(
        ctx, Right.WORK_OFFLINE, ObjectType.FIELD_PACKAGE, "只有儿童主任和督导员使用离线走访。"
    )
    return cases_visible_to(user).filter(status=CaseStatus.ACTIVE)


def access_field_entries(ctx: RequestContext) -> QuerySet[RegisterEntry]:
    """离线数据包里没有个案的名册儿童：辖区内在册、自己排探访的登记（与个案工作清单同一范围）。"""
    from shouhu.web.cases.worklists import entries_on_their_own

    user = require(
        ctx, Right.WORK_OFFLINE, ObjectType.FIELD_PACKAGE, "只有儿童主任和督导员使用离线走访。"
    )
    return entries_on_their_own(register_entries_visible_to(user))


def _visible_visit(user: User, visit: Visit) -> bool:
    if visit.case_id is not None:
        return cases_visible_to(user).filter(pk=visit.case_id).exists()
    return register_entries_visible_to(user).filter(pk=visit.entry_id).exists()


def access_visit_photo(ctx: RequestContext, photo_id: object) -> VisitPhoto:
    """一张探访照片，须能看到它所属的个案（或名册登记）；否则 NotFound（“不存在”和“不是你的”
    同一答复）。"""
    user = acting_user(ctx)
    photo = VisitPhoto.objects.select_related("visit").filter(pk=as_int(photo_id)).first()
    if photo is None or not _visible_visit(user, photo.visit):
        why = "not_found" if photo is None else "out_of_scope"
        deny(ctx, ObjectType.VISIT_PHOTO, photo_id, why)
        raise NotFound(NOT_FOUND_PHOTO)
    return photo
