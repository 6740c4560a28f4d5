"""Refusals and crashes of the web shell: CSRF refusals are audited, a program error logs its
type and place but never its message, and oversized IDs in a URL are denied (and audited), never
a 500 — on PostgreSQL too, where the audit column and integer keys have limits (M3)."""

from __future__ import annotations

import logging
import re
import sys

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from shouhu.web.audit.models import AuditEntry
from shouhu.web.errors import ExceptionTextFilter
from tests.web.factories import CLIENT_IP, client_for

HUGE = "9" * 65
SECRET = "王小明110101199003077777"


def test_csrf_refusal_is_audited_without_the_request(personas) -> None:
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR=CLIENT_IP)
    client.force_login(personas.caseworker_a)

    response = client.post("/objections/new/1/", {"reason": SECRET})

    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()
    entry = AuditEntry.objects.get(action="deny", object_type="request")
    assert entry.detail == {"why": "csrf", "reason": "no_cookie", "method": "POST"}
    assert entry.actor_username == personas.caseworker_a.username
    assert SECRET not in str(entry.detail)


def test_a_program_error_logs_no_message(personas, monkeypatch, caplog, settings) -> None:
    settings.DEBUG = False

    def broken(*args: object, **kwargs: object) -> None:
        raise ValueError(f"单元格的值“{SECRET}”")

    monkeypatch.setattr("shouhu.web.exchange.views.selectors.submitter_home", broken)
    monkeypatch.setattr("shouhu.web.exchange.views.selectors.receipt_list", broken)
    caplog.set_level(logging.INFO)
    client = client_for(personas.court_clerk_a)

    response = client.get("/submissions/")

    assert response.status_code == 500
    assert "服务器内部错误" in response.content.decode()
    assert "ValueError" in caplog.text
    assert SECRET not in caplog.text


def test_log_filter_strips_exception_text() -> None:
    try:
        raise KeyError(SECRET)
    except KeyError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "boom", None, True)
        record.exc_info = sys.exc_info()
    ExceptionTextFilter().filter(record)

    text = logging.Formatter().format(record)
    assert "KeyError" in text
    assert SECRET not in text


def _int_routes(resolver: URLResolver, prefix: str = "") -> list[str]:
    routes = []
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            routes += _int_routes(pattern, route)
        elif isinstance(pattern, URLPattern) and "<int:" in route and "<" not in _fill(route):
            routes.append(_fill(route))
    return routes


def _fill(route: str) -> str:
    return "/" + re.sub(r"<int:\w+>", HUGE, route).lstrip("^").rstrip("$")


@pytest.mark.parametrize("who", ["caseworker_a", "court_clerk_a"])
def test_huge_ids_in_urls_are_denied_not_crashed(personas, who) -> None:
    client = client_for(getattr(personas, who))
    routes = _int_routes(get_resolver())
    assert len(routes) > 15

    statuses = {route: client.get(route).status_code for route in routes}

    assert {r: s for r, s in statuses.items() if s >= 500} == {}
    denied = AuditEntry.objects.filter(action="deny")
    assert all(len(e.object_id) <= 64 for e in denied)
    if who == "caseworker_a":
        assert denied.filter(object_type="person", object_id=HUGE[:64]).exists()
