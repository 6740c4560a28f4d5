"""The one way personal data leaves as a file: a purpose that fits the role, a size limit per file
and per day, a watermark that names the exporter and traces back to the audit entry."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from shouhu.core.errors import DomainError, InvalidInput, PermissionDenied
from shouhu.web import exports
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import AuditEntry
from shouhu.web.exports import Export, export_xlsx


def _export(n: int) -> Export:
    rows = ([i, "=HYPERLINK(1)" if i == 0 else f"名{i}"] for i in range(n))
    return Export("测试导出", ("序号", "姓名"), rows, "person_list")


def _ctx(user, purpose: str = "case_work") -> RequestContext:
    return RequestContext(user=user, client_ip="10.0.0.1", purpose=purpose)


def test_a_file_carries_its_watermark_and_escapes_formulas(personas) -> None:
    answer = export_xlsx(ctx=_ctx(personas.caseworker_a), export=_export(3))
    book = load_workbook(io.BytesIO(answer.content))
    entry = AuditEntry.objects.get(action="export")
    assert entry.detail == {"format": "xlsx", "rows": 3, "part": 1, "more": False,
                            "mark": entry.detail["mark"]}  # fmt: skip
    assert entry.detail["mark"] in book["数据"].oddHeader.center.text
    assert "用途：个案办理" in book["数据"].oddHeader.center.text
    assert book["数据"]["B2"].value.startswith("'=")
    assert entry.purpose == "case_work"


def test_a_purpose_outside_the_role_is_refused(personas) -> None:
    with pytest.raises(PermissionDenied):
        export_xlsx(ctx=_ctx(personas.child_director_a, "subsidy"), export=_export(1))
    assert not AuditEntry.objects.filter(action="export").exists()


def test_large_exports_come_in_parts(personas, monkeypatch) -> None:
    monkeypatch.setattr(exports, "EXPORT_MAX_ROWS", 4)
    first = export_xlsx(ctx=_ctx(personas.caseworker_a), export=_export(6))
    second = export_xlsx(ctx=_ctx(personas.caseworker_a), export=_export(6), part=2)
    rows = [load_workbook(io.BytesIO(a.content))["数据"].max_row - 1 for a in (first, second)]
    assert rows == [4, 2]
    assert "第1部分" in first["Content-Disposition"] or "%E7%AC%AC1" in first["Content-Disposition"]
    with pytest.raises(InvalidInput):
        export_xlsx(ctx=_ctx(personas.caseworker_a), export=_export(6), part=3)


def test_a_day_has_a_limit(personas, monkeypatch) -> None:
    monkeypatch.setattr(exports, "EXPORT_DAILY_ROWS", 5)
    export_xlsx(ctx=_ctx(personas.caseworker_a), export=_export(3))
    with pytest.raises(DomainError, match="一天内最多导出"):
        export_xlsx(ctx=_ctx(personas.caseworker_a), export=_export(3))
    export_xlsx(ctx=_ctx(personas.caseworker_b), export=_export(3))  # 别人不受影响
