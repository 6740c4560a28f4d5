"""Building the audit context of a request: the user, the client address, the purpose."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest

from shouhu.web.access import RUN_STARTERS
from shouhu.web.accounts.models import User
from shouhu.web.accounts.roles import DASHBOARD_READERS, PERSON_READERS, Role
from shouhu.web.audit.services import RequestContext
from shouhu.web.exchange.access import is_submitter, may_read_scope


def client_ip(request: HttpRequest) -> str:
    # Behind a reverse proxy, configure it to set REMOTE_ADDR (we do not trust X-Forwarded-For).
    return str(request.META.get("REMOTE_ADDR", ""))[:45]


def request_context(request: HttpRequest, purpose: str) -> RequestContext:
    user = request.user if isinstance(request.user, User) else None
    return RequestContext(user=user, client_ip=client_ip(request), purpose=purpose)


@dataclass(frozen=True)
class Nav:
    """The top bar: who is signed in, and which pages their role opens (the access layer still
    checks every request; this only avoids showing links that would be refused)."""

    full_name: str
    role_label: str
    agency_name: str
    division_name: str
    dashboard: bool
    persons: bool
    objections_mine: bool  # 我提出的疑义（读人员的角色）
    objections_queue: bool  # 本部门待校核的疑义（部门的数据报送员）
    submit: bool  # 数据报送（部门的数据报送员）
    timeliness: bool  # 各部门报送情况（民政经办、领导）
    comparison: bool  # 数据比对（民政经办、系统管理员）
    home: str  # URL name of the first page the role may open


def nav_for(user: User) -> Nav:
    dashboard, persons = user.role in DASHBOARD_READERS, user.role in PERSON_READERS
    submit = is_submitter(user)
    return Nav(
        full_name=user.full_name or user.username,
        role_label=Role(user.role).label if user.role in Role.values else user.role,
        agency_name=user.agency.name if user.agency_id and user.agency else "",
        division_name=user.division.name,
        dashboard=dashboard,
        persons=persons,
        objections_mine=persons,
        objections_queue=user.role == Role.DATA_SUBMITTER and user.agency_id is not None,
        submit=submit,
        timeliness=may_read_scope(user),
        comparison=user.role in RUN_STARTERS,
        home=_home(dashboard=dashboard, persons=persons, submit=submit),
    )


def landing_url_name(user: User) -> str:
    """Where a user lands after signing in: the first page their role may open."""
    return nav_for(user).home


def _home(*, dashboard: bool, persons: bool, submit: bool) -> str:
    """The first page a role may open: dashboard, person search, submissions, or the account."""
    if dashboard:
        return "dashboard"
    if persons:
        return "person_list"
    return "exchange_home" if submit else "account"
