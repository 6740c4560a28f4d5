"""系统管理页面的读取：概览计数、账户和名册列表（分页、筛选）、部门、凭证、区划选项。

调用方传入访问层给出的查询集（已限定在管理员的辖区子树内），这里只整理成页面要的行。
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar

from django.db.models import Count, Model, Q, QuerySet
from django.utils import timezone

from shouhu.core.catalog import AGENCY_LABELS, catalog_load, purpose_label
from shouhu.web.accounts.agencies import agency_catalog_items, agency_items
from shouhu.web.accounts.credentials import CREDENTIAL_STATES, credential_state, expiry_day
from shouhu.web.accounts.models import Agency, RosterMember, SystemCredential, User
from shouhu.web.accounts.permissions import role_label
from shouhu.web.pages import Paged
from shouhu.web.registry.models import Division, DivisionLevel
from shouhu.web.shares.fields import granted_fields

M = TypeVar("M", bound=Model)
PAGE_SIZE = 30
DIVISION_OPTIONS_MAX = 5000
LEVEL_NAMES = {
    "province": "省级",
    "city": "地级",
    "county": "县级",
    "township": "乡镇（街道）",
    "village": "村（居）",
}
ACCOUNT_STATUSES = {
    "active": "正常",
    "must_change": "待改密码",
    "locked": "已锁定",
    "disabled": "已停用",
}


def _page_of(rows: QuerySet[M], page: int) -> tuple[list[M], int, int, int]:
    total = rows.count()
    num_pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), num_pages)
    return list(rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]), total, page, num_pages


# ---------------------------------------------------------------- 概览


@dataclass(frozen=True)
class AdminOverview:
    accounts: Counter[str]
    agencies: int
    directors: int
    supervisors: int
    villages: int
    villages_without_director: int
    townships: int
    credentials: Counter[str]


def admin_overview(*, root: Division, accounts: QuerySet[User]) -> AdminOverview:
    """辖区的管理概况：只有数字。"""
    now = timezone.now()
    statuses = Counter(_account_status(u, now) for u in accounts.only(*_STATUS_FIELDS))
    members = RosterMember.objects.filter(
        division__path__startswith=root.path, left_at__isnull=True
    )
    duties = Counter(members.values_list("duty", flat=True))
    villages = Division.objects.filter(path__startswith=root.path, level=DivisionLevel.VILLAGE)
    staffed = members.filter(duty="child_director").values("division_id")
    credentials = SystemCredential.objects.filter(
        agency__division__path__startswith=root.path
    ).only("revoked_at", "expires_at")
    return AdminOverview(
        accounts=statuses,
        agencies=Agency.objects.filter(division__path__startswith=root.path).count(),
        directors=duties["child_director"],
        supervisors=duties["supervisor"],
        villages=villages.count(),
        villages_without_director=villages.exclude(code__in=staffed).count(),
        townships=Division.objects.filter(
            path__startswith=root.path, level=DivisionLevel.TOWNSHIP
        ).count(),
        credentials=Counter(credential_state(c, now) for c in credentials),
    )


_STATUS_FIELDS = ("is_active", "locked_until", "must_change_password")


def _account_status(user: User, now: datetime) -> str:
    if not user.is_active:
        return "disabled"
    if user.locked_until is not None and user.locked_until > now:
        return "locked"
    return "must_change" if user.must_change_password else "active"


# ---------------------------------------------------------------- 账户


@dataclass(frozen=True)
class AccountRow:
    pk: int
    username: str
    full_name: str
    role: str
    division: str
    agency: str
    status: str
    status_label: str
    last_login: datetime | None


@dataclass(frozen=True)
class AccountPage(Paged):
    rows: list[AccountRow]
    total: int
    page: int
    num_pages: int


def accounts_listed(
    *, accounts: QuerySet[User], q: str = "", role: str = "", status: str = ""
) -> QuerySet[User]:
    """账户列表（和它的导出）：按用户名或姓名查找，按角色、状态筛选；停用的排在后面。"""
    rows = accounts.select_related("division", "agency")
    if q:
        rows = rows.filter(Q(username__icontains=q) | Q(full_name__icontains=q))
    if role:
        rows = rows.filter(role=role)
    return _status_filter(rows, status).order_by("-is_active", "division_id", "pk")


def account_page(*, accounts: QuerySet[User], page: int = 1) -> AccountPage:
    """`accounts_listed` 的一页。"""
    found, total, page, num_pages = _page_of(accounts, page)
    now = timezone.now()
    return AccountPage([_account_row(u, now) for u in found], total, page, num_pages)


ACCOUNT_EXPORT_HEADER = ("用户名", "姓名", "角色", "区划", "部门", "状态", "最近登录")


def account_export_rows(*, accounts: QuerySet[User]) -> Iterator[tuple[object, ...]]:
    """`accounts_listed` 的全部行（不分页），供导出。"""
    now = timezone.now()
    for user in accounts.iterator(chunk_size=2000):
        r = _account_row(user, now)
        yield (r.username, r.full_name, r.role, r.division, r.agency, r.status_label,
               local_naive(r.last_login))  # fmt: skip


def local_naive(moment: datetime | None) -> datetime | str:
    """导出到 Excel 的时间：北京时间，不带时区（Excel 不认时区）；没有为空。"""
    return timezone.localtime(moment).replace(tzinfo=None) if moment else ""


def _status_filter(rows: QuerySet[User], status: str) -> QuerySet[User]:
    now = timezone.now()
    if status == "disabled":
        return rows.filter(is_active=False)
    if status == "locked":
        return rows.filter(is_active=True, locked_until__gt=now)
    if status == "must_change":
        return rows.filter(is_active=True, must_change_password=True)
    return rows


def _account_row(user: User, now: datetime) -> AccountRow:
    status = _account_status(user, now)
    return AccountRow(
        pk=user.pk,
        username=user.username,
        full_name=user.full_name,
        role=role_label(user.role),
        division=user.division.name,
        agency=user.agency.name if user.agency else "",
        status=status,
        status_label=ACCOUNT_STATUSES[status],
        last_login=user.last_login,
    )


def account_status(user: User) -> tuple[str, str]:
    status = _account_status(user, timezone.now())
    return status, ACCOUNT_STATUSES[status]


# ---------------------------------------------------------------- 部门


@dataclass(frozen=True)
class AgencyRow:
    pk: int
    name: str
    agency_type: str
    division: str
    items_total: int
    items_provided: int
    users: int


def agency_rows(*, agencies: QuerySet[Agency]) -> list[AgencyRow]:
    found = agencies.select_related("division").annotate(
        n_users=Count("users", filter=Q(users__is_active=True, users__credential__isnull=True))
    )
    return [
        AgencyRow(
            pk=a.pk,
            name=a.name,
            agency_type=AGENCY_LABELS.get(a.agency_type, "其他部门"),
            division=a.division.name,
            items_total=len(agency_catalog_items(a)),
            items_provided=len(agency_items(a)),
            users=a.n_users,
        )
        for a in found.order_by("division_id", "agency_type")
    ]


AGENCY_EXPORT_HEADER = ("名称", "类型", "区划", "数据目录中的数据项", "报送的数据项", "用户数")


def agency_export_rows(*, rows: list[AgencyRow]) -> list[tuple[object, ...]]:
    return [(a.name, a.agency_type, a.division, a.items_total, a.items_provided, a.users)
            for a in rows]  # fmt: skip


@dataclass(frozen=True)
class ItemChoice:
    code: str
    name: str
    chosen: bool


def agency_item_choices(agency: Agency) -> list[ItemChoice]:
    provided = {item.code for item in agency_items(agency)}
    return [ItemChoice(i.code, i.name, i.code in provided) for i in agency_catalog_items(agency)]


# ---------------------------------------------------------------- 名册


@dataclass(frozen=True)
class MemberRow:
    pk: int
    duty: str
    full_name: str
    phone: str
    division: str
    username: str
    left_at: datetime | None


@dataclass(frozen=True)
class RosterPage(Paged):
    rows: list[MemberRow]
    total: int
    page: int
    num_pages: int


def roster_listed(
    *, members: QuerySet[RosterMember], q: str = "", duty: str = "", include_left: bool = False
) -> QuerySet[RosterMember]:
    """名册（和它的导出）：按姓名或区划查找，按职务筛选，缺省只列在任的；按区划排。"""
    rows = members.select_related("division", "user")
    if q:
        rows = rows.filter(
            Q(full_name__icontains=q) | Q(division__name__icontains=q) | Q(division_id=q)
        )
    if duty:
        rows = rows.filter(duty=duty)
    if not include_left:
        rows = rows.filter(left_at__isnull=True)
    return rows.order_by("division_id", "duty", "pk")


def roster_page(*, members: QuerySet[RosterMember], page: int = 1) -> RosterPage:
    """`roster_listed` 的一页。"""
    found, total, page, num_pages = _page_of(members, page)
    return RosterPage([_member_row(m) for m in found], total, page, num_pages)


ROSTER_EXPORT_HEADER = ("职务", "姓名", "联系电话", "村（居）或乡镇（街道）", "账户", "离任时间")


def roster_export_rows(*, members: QuerySet[RosterMember]) -> Iterator[tuple[object, ...]]:
    """`roster_listed` 的全部行（不分页），供导出。"""
    for member in members.iterator(chunk_size=2000):
        r = _member_row(member)
        yield (r.duty, r.full_name, r.phone, r.division, r.username, local_naive(r.left_at))


def _member_row(member: RosterMember) -> MemberRow:
    return MemberRow(
        pk=member.pk,
        duty=role_label(member.duty),
        full_name=member.full_name,
        phone=member.phone,
        division=member.division.name,
        username=member.user.username if member.user else "",
        left_at=member.left_at,
    )


# ---------------------------------------------------------------- 接口凭证


@dataclass(frozen=True)
class CredentialRow:
    pk: int
    name: str
    agency: str
    items: list[str]  # 报送凭证：可报送的数据项；推送名单凭证：可接收的用途（限部门所在区划）
    prefix: str
    created_at: datetime
    expires_on: date
    last_used_at: datetime | None
    state: str
    state_label: str
    client_cert: str = ""  # 绑定的客户端证书指纹的前 16 位；未绑定为空


def credential_rows(*, credentials: QuerySet[SystemCredential]) -> list[CredentialRow]:
    now = timezone.now()
    rows = []
    for c in credentials.select_related("agency").order_by("-created_at"):
        names = {item.code: item.name for item in agency_catalog_items(c.agency)}
        state = credential_state(c, now)
        rows.append(
            CredentialRow(
                pk=c.pk,
                name=c.name,
                agency=c.agency.name,
                items=[names.get(code, "数据目录中已没有的数据项") for code in c.item_codes]
                + [f"推送名单：{purpose_label(code)}" for code in c.share_purposes],
                prefix=c.token_prefix,
                created_at=c.created_at,
                expires_on=expiry_day(c.expires_at),
                last_used_at=c.last_used_at,
                state=state,
                state_label=CREDENTIAL_STATES[state],
                client_cert=c.client_cert_sha256[:16],
            )
        )
    return rows


def share_purpose_choices(agency: Agency) -> list[tuple[str, str]]:
    """部门现在有名单授权的推送用途（代码, 中文名）：接收推送名单的凭证只能在这些里选。"""
    found = catalog_load().purposes.items()
    return [
        (code, p.label) for code, p in found if p.kind == "share" and granted_fields(agency, code)
    ]


# ---------------------------------------------------------------- 区划


@dataclass(frozen=True)
class DivisionOption:
    code: str
    label: str  # 从管理员辖区往下的路径：干召庙镇 › 一村


def division_options(*, root: Division, levels: tuple[str, ...] = ()) -> list[DivisionOption]:
    """表单里可选的区划（辖区子树内，可限层级），至多 DIVISION_OPTIONS_MAX 个。"""
    rows = Division.objects.filter(path__startswith=root.path)
    if levels:
        rows = rows.filter(level__in=levels)
    found = list(rows.order_by("code").values_list("code", "name", "path")[:DIVISION_OPTIONS_MAX])
    names = dict(
        Division.objects.filter(path__startswith=root.path)
        .exclude(level=DivisionLevel.VILLAGE)
        .values_list("code", "name")
    )
    return [DivisionOption(code, _label(path, root, names, name)) for code, name, path in found]


def _label(path: str, root: Division, names: dict[str, str], name: str) -> str:
    below = path[len(root.path) :].strip("/").split("/")[:-1]
    return " › ".join([*(names.get(code, code) for code in below), name])


@dataclass(frozen=True)
class DivisionSummaryRow:
    code: str
    name: str
    level: str
    townships: int
    villages: int
    synthetic: bool


def division_summary(*, root: Division) -> tuple[Counter[str], list[DivisionSummaryRow]]:
    """辖区内各层级的个数，和直属下级各自的乡、村个数。"""
    below = Division.objects.filter(path__startswith=root.path).exclude(code=root.code)
    levels = Counter(below.values_list("level", flat=True))
    rows = []
    for child in Division.objects.filter(parent=root).order_by("code"):
        counts = Counter(
            Division.objects.filter(path__startswith=child.path).values_list("level", flat=True)
        )
        rows.append(
            DivisionSummaryRow(
                code=child.code,
                name=child.name,
                level=LEVEL_NAMES[child.level],
                townships=counts[DivisionLevel.TOWNSHIP],
                villages=counts[DivisionLevel.VILLAGE],
                synthetic=child.synthetic,
            )
        )
    return levels, rows
