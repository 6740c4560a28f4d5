"""Roles from the design brief, and what each may do. One table, read by the access layer."""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    DATA_SUBMITTER = "data_submitter", "数据报送员"
    CASEWORKER = "caseworker", "民政经办"
    CHILD_DIRECTOR = "child_director", "儿童主任"
    SUPERVISOR = "supervisor", "儿童督导员"
    DEPARTMENT_USER = "department_user", "部门用户"
    LEADER = "leader", "领导"
    AUDITOR = "auditor", "安全审计员"
    ADMINISTRATOR = "administrator", "系统管理员"


class AgencyType(models.TextChoices):
    CIVIL_AFFAIRS = "civil_affairs", "民政"
    COURT = "court", "法院"
    PROCURATORATE = "procuratorate", "检察院"
    PUBLIC_SECURITY = "public_security", "公安"
    JUSTICE = "justice", "司法行政"
    EDUCATION = "education", "教育"
    BIG_DATA_CENTER = "big_data_center", "大数据中心"
    FINANCE = "finance", "财政"
    HEALTH = "health", "卫生健康"
    MEDICAL_INSURANCE = "medical_insurance", "医疗保障"
    RURAL_REVITALIZATION = "rural_revitalization", "乡村振兴"
    WOMENS_FEDERATION = "womens_federation", "妇联"
    DISABLED_FEDERATION = "disabled_federation", "残联"
    HUMAN_RESOURCES = "human_resources", "人社"
    HOUSING = "housing", "住建"
    YOUTH_LEAGUE = "youth_league", "团委"
    TRADE_UNION = "trade_union", "总工会"
    ELDERS_COMMITTEE = "elders_committee", "关工委"
    WOMEN_CHILDREN_COMMITTEE = "women_children_committee", "妇儿工委"


# Who may open a child's page (persons, their facts, their case) within their division subtree.
PERSON_READERS = frozenset({Role.CASEWORKER, Role.CHILD_DIRECTOR, Role.SUPERVISOR})
# Who sees resident ID numbers unmasked. Everyone else sees 150802********0021.
ID_NUMBER_READERS = frozenset({Role.CASEWORKER})
# Who may change cases (open, close, record reviews).
CASE_WRITERS = frozenset({Role.CASEWORKER})
# Who sees aggregate dashboards (counts only, no personal data).
DASHBOARD_READERS = frozenset(
    {Role.CASEWORKER, Role.CHILD_DIRECTOR, Role.SUPERVISOR, Role.LEADER, Role.ADMINISTRATOR}
)
# Who reads the audit log.
AUDIT_READERS = frozenset({Role.AUDITOR})
# Who may ask the rule engine for a decision (POST /api/v1/assess, "what if" on a child's page).
ASSESSORS = frozenset({Role.CASEWORKER, Role.SUPERVISOR, Role.CHILD_DIRECTOR})
