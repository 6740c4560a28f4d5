"""系统管理页面共用的小事：审计上下文、小导航、只显示一次的答复、表单里的区划。"""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

from shouhu.web import access
from shouhu.web.accounts.models import User
from shouhu.web.accounts.selectors import DivisionOption, division_options
from shouhu.web.audit.context import RequestContext, request_context
from shouhu.web.audit.models import Purpose

# 系统管理各页的小导航：(标题, URL 名称, 属于这一项的页面的 URL 名称前缀)
SECTIONS = (
    ("概况", "admin_home", "admin_home"),
    ("用户", "admin_users", "admin_user"),
    ("部门", "admin_agencies", "admin_agenc"),
    ("名册", "admin_roster", "admin_roster"),
    ("行政区划", "admin_divisions", "admin_division"),
    ("接口凭证", "admin_credentials", "admin_credential"),
    ("后台任务", "admin_jobs", "admin_job"),
)


def admin_ctx(request: HttpRequest) -> RequestContext:
    return request_context(request, Purpose.ADMINISTRATION)


def current_user(request: HttpRequest) -> User:
    return cast(User, request.user)  # behind @login_required


def page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """系统管理的一页：带上小导航。"""
    match = request.resolver_match
    name = (match.url_name if match else "") or ""
    sections = [(label, url, name.startswith(prefix)) for label, url, prefix in SECTIONS]
    return render(request, template, {**context, "sections": sections}, status=status)


def shown_once(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """临时密码、令牌的答复：不进任何缓存；刷新是一次新的请求，不会再显示。"""
    response = page(request, template, context)
    add_never_cache_headers(response)
    return response


def posted_division_code(request: HttpRequest) -> str:
    """表单里的区划：从列表选的是“代码”，手填的可能是“代码 名称”。"""
    raw = request.POST.get("division", "").strip()
    return raw.split()[0][:12] if raw else ""


def division_choices(user: User, levels: tuple[str, ...] = ()) -> list[DivisionOption]:
    return division_options(root=user.division, levels=levels)


def admin_of(ctx: RequestContext) -> User:
    """当前系统管理员（不是的拒绝，记入审计）。"""
    return access.access_administration(ctx)
