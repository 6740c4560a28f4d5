"""顶栏和菜单：谁登录了，他的角色能打开哪些页面。

菜单是一张表（MENU），每一项由 `accounts.permissions` 的权限决定是否显示；访问层仍然检查每个
请求——这里只是不显示点了也会被拒绝的链接。新页面在这里加一行。
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from shouhu.web.access.applications import may_handle_applications
from shouhu.web.access.exchange import may_read_scope
from shouhu.web.access.queries import query_log_visible_to
from shouhu.web.access.register import may_import_register
from shouhu.web.access.registry import may_see_registry_loads
from shouhu.web.access.shares import may_see_shares
from shouhu.web.access.statistics import may_report
from shouhu.web.access.subsidies import may_handle_subsidies
from shouhu.web.accounts.models import User
from shouhu.web.accounts.permissions import Right, is_submitter, may, role_label
from shouhu.web.meetings.selectors import may_see_tasks
from shouhu.web.notifications.services import notification_unread_count


def _right(right: Right) -> Callable[[User], bool]:
    return lambda user: may(user, right)


def _receipts(user: User) -> bool:
    return is_submitter(user) or may_read_scope(user)


def _query_log(user: User) -> bool:
    """只在部署了只查询的数据项（民政一侧问、部门一侧答）时出现在菜单里。"""
    from django.conf import settings

    deployed = settings.QUERY_ONLY_ITEMS or settings.QUERY_SERVED_ITEMS
    return bool(deployed) and query_log_visible_to(user) is not None


def _always(user: User) -> bool:
    return True


@dataclass(frozen=True)
class MenuItem:
    label: str
    url_name: str
    description: str  # “我的账户”页上对这项功能的一句话说明
    shows: Callable[[User], bool]
    current_on: tuple[str, ...] = ()  # 这些页面（URL 名称，或以 * 结尾的前缀）属于这一项
    landing: bool = False  # 登录后可作为首页

    def is_current(self, url_name: str) -> bool:
        names = self.current_on or (self.url_name,)
        return any(url_name.startswith(n[:-1]) if n.endswith("*") else url_name == n for n in names)


MENU: tuple[MenuItem, ...] = (
    MenuItem(
        "系统管理",
        "admin_home",
        "本辖区的用户、部门及其报送的数据项、儿童主任和督导员名册、行政区划、接口凭证。",
        _right(Right.ADMINISTER),
        ("admin_*",),
        landing=True,
    ),
    MenuItem(
        "共享授权",
        "grants_home",
        "各部门、各角色为何种用途可以使用哪些数据（数据保护专项开放）。",
        _right(Right.MANAGE_GRANTS),
        landing=True,
    ),
    MenuItem(
        "审计台",
        "audit_desk",
        "谁在何时、为何目的查看或改动了什么；异常使用提示；日志完整性校验。",
        _right(Right.READ_AUDIT_LOG),
        ("audit_desk", "audit_export", "audit_verify"),
        landing=True,
    ),
    MenuItem(
        "查看记录不告知",
        "audit_suppressions",
        "依法需要保密的机关的查看，在截止日前不列入给监护人的查看记录。",
        _right(Right.MANAGE_GRANTS),
        ("audit_suppression*",),
    ),
    MenuItem(
        "统计概览",
        "dashboard",
        "本辖区保障中儿童的数量（只有数字）。",
        _right(Right.READ_DASHBOARD),
        ("dashboard", "dashboard_export"),
        landing=True,
    ),
    MenuItem(
        "统计报表",
        "stat_reports",
        "月报、季报逐级上报和审核（只有数字）。",
        may_report,
        ("stat_report*",),
    ),
    MenuItem(
        "人员查询",
        "person_list",
        "本辖区人员和儿童的档案。",
        _right(Right.READ_PERSONS),
        ("person_list", "person_detail"),
        landing=True,
    ),
    MenuItem(
        "困境和留守儿童",
        "register_list",
        "困境儿童和农村留守儿童名册：规则提出的待登记、手工登记、帮扶措施、每季度走访。",
        _right(Right.READ_PERSONS),
        (
            "register_list",
            "register_entry",
            "register_new",
            "register_proposals",
            "register_visit_new",
        ),
    ),
    MenuItem(
        "离线走访",
        "field_app",
        "在没有信号的村里查看所服务的儿童，记录探访（含照片）、核查和强制报告，联网后自动同步。",
        _right(Right.WORK_OFFLINE),
    ),
    MenuItem(
        "申请和审批",
        "application_list",
        "纳入保障和终止保障的申请：村（居）登记、乡镇（街道）初审、县级民政审批，退回的补正后再报。",
        may_handle_applications,
        ("application_*", "case_terminate", "case_document"),
    ),
    MenuItem(
        "户籍载入",
        "registry_load_list",
        "公安部门报送的户籍名单每次载入的变动报告；全量名单缺人过多时在此确认。",
        may_see_registry_loads,
        ("registry_load_*",),
    ),
    MenuItem(
        "外地数据接收",
        "exchange_acceptance",
        "其他地区的部门报送的本辖区居民的数据，接收后才用于认定和比对。",
        _right(Right.WRITE_CASES),
    ),
    MenuItem(
        "数据比对",
        "comparison_home",
        "发起比对，处理应纳未纳、应退未退等比对发现。",
        _right(Right.START_RUNS),
        ("comparison_home", "comparison_run*", "comparison_finding*", "comparison_record*"),
    ),
    MenuItem(
        "规则变更模拟",
        "comparison_simulations",
        "拟议的规则参数（如在校延续保障的年龄）在一次已完成的比对上试算，按县、按人看与现行参数的差别；只供参考，不办理。",
        _right(Right.SIMULATE_RULES),
        ("comparison_simulation*",),
    ),
    MenuItem(
        "台账导入",
        "register_home",
        "把本县原有的孤儿和事实无人抚养儿童台账（Excel）导入平台，建立个案。",
        may_import_register,
        ("register_home", "register_template", "register_import", "register_problems"),
    ),
    MenuItem(
        "补贴发放",
        "subsidy_home",
        "本县每月的基本生活补贴名册：生成、审核、批准锁定，导出发放文件，导入财政的发放结果对账。",
        may_handle_subsidies,
        ("subsidy_*",),
    ),
    MenuItem(
        "推送名单",
        "share_home",
        "民政按用途推送给部门的儿童名单（资助参保、教育资助、关爱服务……）和部门的逐人反馈。",
        may_see_shares,
        ("share_*",),
        landing=True,
    ),
    MenuItem(
        "我提出的疑义",
        "objection_mine",
        "对部门数据提出的疑义及其答复。",
        _right(Right.READ_PERSONS),
        ("objection_mine", "objection_detail", "objection_new"),
    ),
    MenuItem(
        "待校核疑义",
        "objection_queue",
        "其他单位对本部门数据提出的疑义，须按期答复。",
        is_submitter,
    ),
    MenuItem(
        "数据报送",
        "exchange_home",
        "按月报送本部门的数据，下载模板，查看校验结果。",
        is_submitter,
        ("exchange_home", "exchange_upload", "exchange_upload_detail", "exchange_job"),
        landing=True,
    ),
    MenuItem(
        "报送回执",
        "exchange_receipts",
        "报送批次的回执（只有计数，不含个人信息）。",
        _receipts,
        ("exchange_receipts", "exchange_receipt"),
    ),
    MenuItem(
        "联席会议任务",
        "meeting_board",
        "联席会议的重点任务分工：牵头和配合单位、完成时限、进展；逾期的列入领导的待办。",
        may_see_tasks,
        ("meeting_*",),
    ),
    MenuItem("报送情况", "exchange_timeliness", "辖区内各部门按月报送是否及时。", may_read_scope),
    MenuItem(
        "离线交换包",
        "exchange_package_import",
        "导入部门用移动存储介质送来的加密数据包。",
        _right(Right.IMPORT_PACKAGES),
    ),
    MenuItem(
        "查询记录",
        "query_log",
        "只查询的数据项：民政提出、部门答复的每一次查询（谁、为何、问了几人）。",
        _query_log,
        ("query_log*",),
    ),
    MenuItem("我的账户", "account", "本人的账户信息。", _always, landing=True),
)


@dataclass(frozen=True)
class NavLink:
    label: str
    url_name: str
    description: str
    current: bool


@dataclass(frozen=True)
class Nav:
    """顶栏：谁登录了、角色和辖区，以及他能打开的页面。"""

    full_name: str
    role_label: str
    agency_name: str
    division_name: str
    links: tuple[NavLink, ...]
    home: str  # 登录后的首页（URL 名称）
    unread: int = 0  # 未读的站内通知（顶栏的铃铛）


def _items_for(user: User) -> list[MenuItem]:
    return [item for item in MENU if item.shows(user)]


def nav_for(user: User, current_url_name: str = "") -> Nav:
    items = _items_for(user)
    links = tuple(
        NavLink(item.label, item.url_name, item.description, item.is_current(current_url_name))
        for item in items
    )
    return Nav(
        full_name=user.full_name or user.username,
        role_label=role_label(user.role),
        agency_name=user.agency.name if user.agency_id and user.agency else "",
        division_name=user.division.name,
        links=links,
        home=next(item.url_name for item in items if item.landing),
        unread=notification_unread_count(user=user) if user.pk else 0,
    )


def landing_url_name(user: User) -> str:
    """Where a user lands after signing in: the first page their role may open."""
    return next(item.url_name for item in _items_for(user) if item.landing)
