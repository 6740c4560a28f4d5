"""个案迁移：谁能提出、谁能看到、谁能接收。

- 提出：县级经办、乡镇督导员，对辖区内保障中的个案（儿童主任在村里发现搬家，报给督导员）；
- 看到：转出方（迁出地在辖区内）和接收方（迁入地在辖区内）的经办、督导员、儿童主任——
  接收前个案仍归转出方，接收方只从迁移页面看到决定接收所需的内容；
- 接收或退回：跨县的由迁入县的经办人员办理；县内的（换乡镇、换村）由迁入乡镇的督导员确认，
  本县经办人员也可以办理。

区划的县级前缀取自路径（/省/市/县/…）：县内外只比较这一段，不查数据库。
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from shouhu.core.errors import PermissionDenied
from shouhu.web.access._gate import acting_user, deny, fetch_or_deny
from shouhu.web.access.persons import access_case, subtree
from shouhu.web.access.registers import access_register_entry
from shouhu.web.accounts.models import User
from shouhu.web.accounts.permissions import Right, Role, may
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import ObjectType
from shouhu.web.cases.models import Case, Transfer, TransferStatus
from shouhu.web.cases.register_models import RegisterEntry

PROPOSERS = frozenset({Role.CASEWORKER, Role.SUPERVISOR})
NOT_FOUND_TRANSFER = "未找到该迁移，或您无权查看。"


def county_path(path: str) -> str:
    """/150000/150800/150802/150802100/ → /150000/150800/150802/（县级及以上的原样返回）。"""
    parts = [p for p in path.split("/") if p]
    return "/" + "/".join(parts[:3]) + "/"


def transfers_visible_to(user: User) -> QuerySet[Transfer]:
    if not may(user, Right.READ_PERSONS):
        return Transfer.objects.none()
    mine = subtree(user)
    return Transfer.objects.filter(
        Q(from_division__path__startswith=mine) | Q(to_division__path__startswith=mine)
    )


def transfers_to_receive(user: User) -> QuerySet[Transfer]:
    """这名用户可以接收或退回的待接收迁移。"""
    pending = Transfer.objects.filter(
        status=TransferStatus.PENDING, to_division__path__startswith=subtree(user)
    )
    if user.role == Role.CASEWORKER:
        return pending
    if user.role == Role.SUPERVISOR:  # 只确认本县之内迁入本乡镇的
        return pending.filter(from_division__path__startswith=county_path(subtree(user)))
    return Transfer.objects.none()


def transfers_sent(user: User) -> QuerySet[Transfer]:
    """转出方：迁出地在辖区内的迁移。"""
    if user.role not in PROPOSERS:
        return Transfer.objects.none()
    return Transfer.objects.filter(from_division__path__startswith=subtree(user))


def may_receive(user: User, transfer: Transfer) -> bool:
    return transfers_to_receive(user).filter(pk=transfer.pk).exists()


def may_propose_transfer(user: User) -> bool:
    return user.role in PROPOSERS


def access_transfer(ctx: RequestContext, transfer_id: object) -> Transfer:
    """转出方或接收方能看到的迁移；否则 NotFound（记入审计）。"""
    user = acting_user(ctx)
    return fetch_or_deny(
        ctx,
        queryset=Transfer.objects.select_related(
            "case__child", "case__division", "entry__child", "from_division", "to_division"
        ),
        visible=transfers_visible_to(user),
        pk=transfer_id,
        object_type=ObjectType.CASE_TRANSFER,
        message=NOT_FOUND_TRANSFER,
    )


def access_transfer_receive(ctx: RequestContext, transfer_id: object) -> Transfer:
    """接收或退回：能看到、且是接收方；看得到而不是接收方的答 403（记入审计）。"""
    transfer = access_transfer(ctx, transfer_id)
    if not may_receive(acting_user(ctx), transfer):
        deny(ctx, ObjectType.CASE_TRANSFER, transfer.pk, "not_receiver")
        raise PermissionDenied("只有迁入地的经办人员（县内迁移：迁入乡镇的督导员）能办理。")
    return transfer


def access_transfer_propose(ctx: RequestContext, case_id: object) -> Case:
    """提出迁移：辖区内的个案，且是县级经办或乡镇督导员。"""
    user = acting_user(ctx)
    case = access_case(ctx, case_id)
    if not may_propose_transfer(user):
        deny(ctx, ObjectType.CASE, case.pk, "role:transfer")
        raise PermissionDenied("只有县级经办人员和乡镇督导员能提出迁移。")
    return case


def access_register_transfer_propose(ctx: RequestContext, entry_id: object) -> RegisterEntry:
    """没有个案的名册儿童的迁移：辖区内的登记，且是县级经办或乡镇督导员。"""
    user = acting_user(ctx)
    entry = access_register_entry(ctx, entry_id)
    if not may_propose_transfer(user):
        deny(ctx, ObjectType.CHILD_REGISTER, entry.pk, "role:transfer")
        raise PermissionDenied("只有县级经办人员和乡镇督导员能提出迁移。")
    return entry
