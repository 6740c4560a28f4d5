"""Template helpers for the top bar and Chinese dates. No personal data is computed here."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import template
from django.utils import timezone

from shouhu.core.policy.wording import date_text
from shouhu.core.sources import UnknownCitation, clause_label
from shouhu.web.accounts.models import User
from shouhu.web.ui.context import Nav, nav_for

register = template.Library()
NAV_ATTRIBUTE = "_shouhu_nav"  # 本请求已算出的顶栏


@register.simple_tag(takes_context=True)
def ui_nav(context: dict[str, Any]) -> Nav | None:
    """The signed-in user's top bar, or None on pages seen before signing in."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if not isinstance(user, User):
        return None
    # 一页里可能用到两次（顶栏和页面本身）：每个请求只算一次（未读通知数是一次查询）
    nav = getattr(request, NAV_ATTRIBUTE, None)
    if nav is None:
        match = getattr(request, "resolver_match", None)
        nav = nav_for(user, getattr(match, "url_name", "") or "")
        setattr(request, NAV_ATTRIBUTE, nav)
    return nav


@register.inclusion_tag("ui/_todo.html", takes_context=True)
def todo_panel(context: dict[str, Any]) -> dict[str, Any]:
    """登录用户的待办（`shouhu.web.todo`），放在各角色的首页上。"""
    request = context.get("request")
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_authenticated:
        return {"todo": []}
    from shouhu.web.todo import todo_for_home_page

    return {"todo": todo_for_home_page(user)}


@register.filter
def ymd(value: date | None) -> str:
    """2012年3月4日; an empty value shows as a dash."""
    return "—" if value is None else date_text(value)


@register.filter
def ymd_hm(value: datetime | None) -> str:
    """2026年12月5日 08:07（北京时间）；全平台的时刻都这样写。"""
    if value is None:
        return "—"
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{ymd(local.date())} {local:%H:%M}"


@register.filter
def year_month(value: date | None) -> str:
    if value is None:
        return "—"
    return f"{value.year}年{value.month}月"


@register.filter
def yuan(fen: int | None) -> str:
    """Integer fen as yuan with two decimals, without floating point: 123456 → 1,234.56."""
    if fen is None:
        return ""
    whole, cents = divmod(int(fen), 100)
    return f"{whole:,}.{cents:02d}"


@register.filter
def clause(citation: str | None) -> str:
    """条款引用给人看的写法：《文件名》三（二）2（5）；引用本身放在 title 里给技术支持看。"""
    if not citation:
        return ""
    try:
        return clause_label(citation)
    except UnknownCitation:
        return "相关文件"
