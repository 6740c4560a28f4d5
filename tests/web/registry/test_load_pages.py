"""The load report pages: who sees them, the held confirmation, the download, the receipt and the
person's registry history — and the upload form's full-snapshot choice."""

from __future__ import annotations

import io

from click.testing import CliRunner
from openpyxl import load_workbook

from shouhu.cli import main
from shouhu.web.audit.models import AuditEntry
from shouhu.web.exchange.models import Upload
from shouhu.web.jobs.worker import job_run_next
from shouhu.web.registry.models import Person, RegistryLoad
from tests.web import factories as f
from tests.web.exchange.conftest import xlsx_of
from tests.web.registry.conftest import FEB, family_rows, load, the_load


def _held(police, item) -> tuple[RegistryLoad, list[dict[str, object]]]:
    rows = [row for i in range(1, 11) for row in family_rows(i)]
    load(police, item, rows, full=True)
    return the_load(load(police, item, rows[3:], period=FEB, full=True)), rows


def test_the_caseworker_confirms_a_held_snapshot(region, personas, police, item) -> None:
    held, rows = _held(police, item)
    client = f.client_for(personas.caseworker_a)

    listing = client.get("/persons/loads/").content.decode()
    assert "待确认" in listing
    page = client.get(f"/persons/loads/{held.pk}/").content.decode()
    assert "名单中缺少 3 人" in page
    assert "确认标记这 3 人" in page
    answer = client.post(f"/persons/loads/{held.pk}/decide/", {"decision": "confirm"})

    assert answer.status_code == 302
    missing = Person.objects.filter(id_number__in=[r["id_number"] for r in rows[:3]])
    assert {p.registry_status for p in missing} == {"absent"}
    held.refresh_from_db()
    assert (held.status, held.decided_by) == ("confirmed", personas.caseworker_a)
    entry = AuditEntry.objects.filter(object_type="registry_load", action="update").get()
    assert entry.detail == {"decision": "confirm", "pending": 3, "marked": 3}
    again = client.post(f"/persons/loads/{held.pk}/decide/", {"decision": "confirm"})
    assert again.status_code == 404


def test_discarding_leaves_everyone_registered(region, personas, police, item) -> None:
    held, _ = _held(police, item)
    client = f.client_for(personas.caseworker_a)
    client.post(f"/persons/loads/{held.pk}/decide/", {"decision": "discard"})
    held.refresh_from_db()
    assert held.status == "discarded"
    assert not Person.objects.filter(registry_status="absent").exists()


def test_the_police_see_their_report_but_do_not_decide(region, personas, police, item) -> None:
    held, _ = _held(police, item)
    client = f.client_for(police[1])
    page = client.get(f"/persons/loads/{held.pk}/").content.decode()
    assert "由本辖区民政经办人员确认" in page
    assert "确认标记" not in page
    assert (
        client.post(f"/persons/loads/{held.pk}/decide/", {"decision": "confirm"}).status_code == 404
    )
    held.refresh_from_db()
    assert held.status == "held"


def test_other_counties_and_other_roles_see_nothing(region, personas, police, item) -> None:
    held, _ = _held(police, item)
    assert f.client_for(personas.caseworker_b).get(f"/persons/loads/{held.pk}/").status_code == 404
    assert f.client_for(personas.leader_city).get("/persons/loads/").status_code == 403
    court = f.client_for(personas.court_clerk_a)
    assert court.get(f"/persons/loads/{held.pk}/").status_code == 404
    assert AuditEntry.objects.filter(object_type="registry_load", action="deny").count() == 3


def test_the_change_report_downloads_and_is_audited(region, personas, police, item) -> None:
    held, rows = _held(police, item)
    client = f.client_for(personas.caseworker_a)
    answer = client.get(f"/persons/loads/{held.pk}/report.xlsx")
    workbook = load_workbook(io.BytesIO(answer.content))
    data = [[c or "" for c in row] for row in workbook["数据"].iter_rows(values_only=True)]
    assert data[0][:4] == ["类别", "名单行号", "姓名", "身份证号"]
    assert sum(row[0] == "待确认：不在全量名单中" for row in data) == 3
    assert str(rows[0]["id_number"]) in {row[3] for row in data}
    export = AuditEntry.objects.get(object_type="registry_load", action="export")
    assert str(rows[0]["id_number"]) not in str(export.detail)
    # 水印：导出人、用途和导出编号，也在审计记录里
    mark = export.detail["mark"]
    assert mark in workbook["数据"].oddHeader.center.text
    assert "用途：数据比对" in workbook["导出说明"]["A2"].value
    assert "no-store" in answer["Cache-Control"]


def test_the_receipt_tells_what_the_load_changed(region, personas, police, item) -> None:
    result = load(police, item, family_rows(1))
    page = f.client_for(police[1]).get(f"/submissions/receipts/{result.submission.pk}/")
    text = page.content.decode()
    assert "新登记 3" in text
    assert "查看载入报告" in text
    assert "其中：新增记录" not in text


def test_the_person_page_shows_the_registry_history(region, personas, police, item) -> None:
    rows = family_rows(1)
    load(police, item, rows)
    moved = [dict(row) for row in rows]
    moved[2]["division_code"] = "150802100"
    load(police, item, moved, period=FEB)
    child = Person.objects.get(id_number=rows[2]["id_number"])
    page = f.client_for(personas.caseworker_a).get(f"/persons/{child.pk}/").content.decode()
    assert "户籍历史" in page
    assert "2026年2月1日" in page
    assert "户籍地变更" in page
    assert "临河公安分局（回执" in page


def test_the_upload_form_offers_a_full_snapshot_to_the_police(region, personas, police, item):
    _, clerk = police
    client = f.client_for(clerk)
    assert "全量名单" in client.get("/submissions/new/").content.decode()
    assert (
        "全量名单"
        not in f.client_for(personas.court_clerk_a).get("/submissions/new/").content.decode()
    )
    data = xlsx_of(item, family_rows(1))
    client.post(
        "/submissions/new/",
        {"item": item.code, "period": "2026-01", "mode": "store", "full_snapshot": "1",
         "file": _named(data, "户籍.xlsx")},
    )  # fmt: skip
    assert Upload.objects.get().full_snapshot
    while job_run_next(worker="test"):
        pass
    assert RegistryLoad.objects.get().mode == "full"


def test_the_command_line_loads_a_registry_file(region, police, item, tmp_path) -> None:
    path = tmp_path / "户籍.xlsx"
    path.write_bytes(xlsx_of(item, family_rows(1)))
    args = ["submission", "import", str(path), "--agency", "150802:public_security",
            "--item", item.code, "--period", "2026-01", "--full-snapshot"]  # fmt: skip
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "户籍载入：名单中的人员 3，新登记 3" in result.output
    assert Person.objects.count() == 3
    assert RegistryLoad.objects.get().mode == "full"


def _named(data: bytes, name: str) -> io.BytesIO:
    file = io.BytesIO(data)
    file.name = name
    return file
