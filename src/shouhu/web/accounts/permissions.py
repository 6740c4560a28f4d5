"""角色及其权限：一张表。“谁能做什么”只在这里回答。

每个角色有中文名（Role 的 label）；每项权限（Right）列出拥有它的角色。访问层
（`shouhu.web.access`）用 `may(user, right)` 判断角色，再按辖区子树判断对象；导航栏也只读这张表。
部门的数据报送员另须属于某个部门（`is_submitter`）。

三员分立：系统管理员管账户、部门、名册、区划和接口凭证，但读不到儿童的档案和审计日志；
安全管理员管共享授权；安全审计员读审计日志。三者都没有读取个人信息的权限
（`PERSONAL_DATA_RIGHTS`，有测试守着），三员的账户也只能在服务器上用命令行管理
（`SEPARATED_ROLES`），网页上的系统管理员不能给自己或别人这三种角色。
"""

from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING, Final

from django.db import models

if TYPE_CHECKING:
    from shouhu.web.accounts.models import User


class Role(models.TextChoices):
    DATA_SUBMITTER = "data_submitter", "数据报送员"
    CASEWORKER = "caseworker", "民政经办"
    CHILD_DIRECTOR = "child_director", "儿童主任"
    SUPERVISOR = "supervisor", "儿童督导员"
    DEPARTMENT_USER = "department_user", "部门用户"
    LEADER = "leader", "领导"
    AUDITOR = "auditor", "安全审计员"
    SECURITY_ADMIN = "security_admin", "安全管理员"
    ADMINISTRATOR = "administrator", "系统管理员"


class Right(StrEnum):
    READ_PERSONS = "read_persons"  # 人员查询、儿童页面（辖区子树内）
    # 辖区内的全体居民；没有这项的（儿童主任、督导员）只看所服务的儿童（未成年人和有个案的人）
    # 及其父母——不浏览一般人口（数据最小化）
    READ_RESIDENTS = "read_residents"
    SEE_ID_NUMBERS = "see_id_numbers"  # 看完整身份证号；其余角色看 150802********0021
    WRITE_CASES = "write_cases"  # 纳入、终止、变更个案，处理比对发现；确认风险等级、复核重大变故
    RECORD_VISITS = "record_visits"  # 记录探访、报告重大变故（辖区内保障中的儿童）
    RECORD_REVIEWS = "record_reviews"  # 记录定期核查（县级经办、乡镇督导员）
    REPORT_CHILD = "report_child"  # 强制报告：发现儿童处于危险之中
    # 离线走访：把所服务儿童的走访数据包下载到手机（docs/offline-data.md：只有村、乡镇两级）
    WORK_OFFLINE = "work_offline"
    READ_DASHBOARD = "read_dashboard"  # 统计概览（只有数字）
    ASSESS = "assess"  # 调用认定规则（/api/v1/assess、儿童页面的“认定日期”）
    READ_FINDINGS = "read_findings"  # 比对发现（含儿童身份和认定理由）
    START_RUNS = "start_runs"  # 发起比对、看运行记录（只有数字）
    # 规则变更模拟：发起、看各县的前后对比（逐人明细另须 READ_FINDINGS）
    SIMULATE_RULES = "simulate_rules"
    SUBMIT = "submit"  # 报送本部门的数据、答复本部门的疑义
    READ_SCOPE_EXCHANGE = "read_scope_exchange"  # 辖区内各部门的回执和报送情况（不含个人信息）
    IMPORT_PACKAGES = "import_packages"  # 导入离线交换包
    ADMINISTER = "administer"  # 系统管理：用户、部门及其数据项、名册、区划、接口凭证（辖区子树内）
    MANAGE_GRANTS = "manage_grants"  # 共享授权（数据保护专项开放）
    READ_AUDIT_LOG = "read_audit_log"  # 审计日志（安全审计专项开放）


_CASE_PEOPLE = frozenset({Role.CASEWORKER, Role.CHILD_DIRECTOR, Role.SUPERVISOR})

RIGHTS: Final = MappingProxyType(
    {
        Right.READ_PERSONS: _CASE_PEOPLE,
        Right.READ_RESIDENTS: frozenset({Role.CASEWORKER}),
        Right.SEE_ID_NUMBERS: frozenset({Role.CASEWORKER}),
        Right.WRITE_CASES: frozenset({Role.CASEWORKER}),
        Right.RECORD_VISITS: _CASE_PEOPLE,
        Right.RECORD_REVIEWS: frozenset({Role.CASEWORKER, Role.SUPERVISOR}),
        Right.REPORT_CHILD: _CASE_PEOPLE,
        Right.WORK_OFFLINE: frozenset({Role.CHILD_DIRECTOR, Role.SUPERVISOR}),
        Right.READ_DASHBOARD: _CASE_PEOPLE | {Role.LEADER, Role.ADMINISTRATOR},
        Right.ASSESS: _CASE_PEOPLE,
        Right.READ_FINDINGS: frozenset({Role.CASEWORKER}),
        Right.START_RUNS: frozenset({Role.CASEWORKER, Role.ADMINISTRATOR}),
        Right.SIMULATE_RULES: frozenset({Role.CASEWORKER, Role.LEADER}),
        Right.SUBMIT: frozenset({Role.DATA_SUBMITTER}),
        Right.READ_SCOPE_EXCHANGE: frozenset({Role.CASEWORKER, Role.LEADER}),
        Right.IMPORT_PACKAGES: frozenset({Role.CASEWORKER, Role.ADMINISTRATOR}),
        Right.ADMINISTER: frozenset({Role.ADMINISTRATOR}),
        Right.MANAGE_GRANTS: frozenset({Role.SECURITY_ADMIN}),
        Right.READ_AUDIT_LOG: frozenset({Role.AUDITOR}),
    }
)

# 能读到儿童个人信息（身份、档案、发现）的权限：三员一个也不能有。
PERSONAL_DATA_RIGHTS: Final = frozenset(
    {
        Right.READ_PERSONS,
        Right.READ_RESIDENTS,
        Right.SEE_ID_NUMBERS,
        Right.WRITE_CASES,
        Right.RECORD_VISITS,
        Right.RECORD_REVIEWS,
        Right.REPORT_CHILD,
        Right.WORK_OFFLINE,
        Right.ASSESS,
        Right.READ_FINDINGS,
    }
)
# 各角色的工作会用到的用途（purposes.toml）：审计台把用途与角色不符的使用标出来。
_CASE_USES = frozenset({"determination", "review", "case_work", "authentication"})
ROLE_PURPOSES: Final = MappingProxyType(
    {
        Role.CASEWORKER: _CASE_USES
        | {"comparison", "subsidy", "statistics", "insurance_enrolment", "education_aid",
           "funding", "care_services", "rehabilitation", "registry_check"},
        Role.CHILD_DIRECTOR: _CASE_USES,
        Role.SUPERVISOR: _CASE_USES,
        Role.DATA_SUBMITTER: frozenset({"submission", "authentication"}),
        Role.DEPARTMENT_USER: frozenset({"insurance_enrolment", "education_aid", "funding",
                                         "care_services", "rehabilitation", "registry_check",
                                         "authentication"}),
        Role.LEADER: frozenset({"statistics", "authentication"}),
        Role.AUDITOR: frozenset({"audit", "authentication"}),
        Role.SECURITY_ADMIN: frozenset({"administration", "authentication"}),
        Role.ADMINISTRATOR: frozenset({"administration", "authentication", "comparison",
                                       "statistics"}),
    }
)  # fmt: skip
# 三员：账户只由服务器运维人员用命令行开设和变更，网页上的系统管理员不能改动或授予。
SEPARATED_ROLES: Final = frozenset({Role.ADMINISTRATOR, Role.SECURITY_ADMIN, Role.AUDITOR})
# 名册上的两种职务，各自的账户角色和所在层级。
ROSTER_LEVELS: Final = MappingProxyType(
    {Role.CHILD_DIRECTOR: "village", Role.SUPERVISOR: "township"}
)
LEVEL_WORDS: Final = MappingProxyType({"village": "村（居）", "township": "乡镇（街道）"})


def roles_with(right: Right) -> frozenset[str]:
    return frozenset(str(role) for role in RIGHTS[right])


def may(user: User, right: Right) -> bool:
    """角色是否有这项权限（对象是否在辖区内由访问层另行判断）。"""
    return user.role in RIGHTS[right]


def purpose_of_role(user: User, preferred: tuple[str, ...]) -> str | None:
    """一个页面可为多种工作打开时，取 preferred 里该角色用得到的第一个用途；都用不到为 None。"""
    allowed = ROLE_PURPOSES.get(user.role, frozenset())
    return next((p for p in preferred if p in allowed), None)


def is_submitter(user: User) -> bool:
    """部门的数据报送员：角色可以报送，且属于某个部门。"""
    return may(user, Right.SUBMIT) and user.agency_id is not None


def role_label(code: str) -> str:
    return str(Role(code).label) if code in Role.values else "未知角色"
