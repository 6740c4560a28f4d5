"""The joint-meeting task board (sixian annex 重点任务分工表): a caseworker or leader sets a task
with a lead and cooperating units and a deadline; each unit sees it on its to-do; past the
deadline and not done it shows as 逾期 and lands on the leaders' to-do; units write progress;
the board exports."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from shouhu.core.errors import InvalidInput, PermissionDenied
from shouhu.web.audit.models import AuditEntry
from shouhu.web.meetings.selectors import task_rows, tasks_visible_to
from shouhu.web.meetings.services import joint_task_create, joint_task_note
from shouhu.web.todo import todo_for
from tests.web import factories as f
from tests.web.comparison.conftest import ctx_for


@pytest.fixture
def units(region, personas):
    health = f.agency("health", region.county_a, "临河区卫生健康委员会")
    insurance = f.agency("medical_insurance", region.county_a, "临河区医疗保障局")
    return {
        "health": health,
        "insurance": insurance,
        "insurance_user": f.user("yibao", "department_user", region.county_a, insurance),
        "health_user": f.user("weijian", "department_user", region.county_a, health),
    }


def _task(personas, units, days: int):
    return joint_task_create(
        ctx=ctx_for(personas.caseworker_a), title="对符合条件的困境儿童实施医疗救助",
        lead=units["insurance"], cooperating=[units["health"]],
        due_on=timezone.localdate() + timedelta(days=days),
    )  # fmt: skip


def test_units_see_their_tasks_and_overdue_ones_reach_the_leader(region, personas, units) -> None:
    task = _task(personas, units, -3)
    labels = {i.label: i.count for i in todo_for(units["health_user"])}
    assert labels == {"本单位的联席会议任务已逾期": 1}
    assert {i.label for i in todo_for(personas.leader_city)} >= {"联席会议任务逾期未完成"}
    assert list(tasks_visible_to(personas.court_clerk_a)) == []  # 不相干的单位看不到
    assert list(tasks_visible_to(personas.caseworker_b)) == []  # 五原县的经办也看不到
    (row,) = task_rows(tasks_visible_to(personas.leader_city), timezone.localdate())
    assert (row.status_label, row.cooperating) == ("逾期", "临河区卫生健康委员会")
    joint_task_note(ctx=ctx_for(units["insurance_user"]), task=task, text="起付线已下调",
                    evidence="临医保发〔2026〕3号", status="done")  # fmt: skip
    assert todo_for(units["health_user"]) == []
    (row,) = task_rows(tasks_visible_to(units["insurance_user"]), timezone.localdate())
    assert (row.status_label, row.latest) == ("已完成", "起付线已下调")
    assert AuditEntry.objects.filter(object_type="joint_task").count() == 2


def test_only_organisers_create_and_only_its_units_write_progress(region, personas, units) -> None:
    with pytest.raises(PermissionDenied):
        joint_task_create(ctx=ctx_for(units["insurance_user"]), title="x", lead=units["health"],
                          cooperating=[], due_on=timezone.localdate())  # fmt: skip
    task = _task(personas, units, 10)
    with pytest.raises(PermissionDenied):
        joint_task_note(ctx=ctx_for(personas.court_clerk_a), task=task, text="x", evidence="",
                        status="done")  # fmt: skip
    with pytest.raises(InvalidInput):
        joint_task_note(ctx=ctx_for(units["health_user"]), task=task, text="x", evidence="",
                        status="overdue")  # fmt: skip
    assert {i.label for i in todo_for(units["health_user"])} == {"本单位牵头或配合的联席会议任务"}


def test_the_board_pages_create_note_and_export(region, personas, units) -> None:
    client = f.client_for(personas.caseworker_a)
    due = (timezone.localdate() + timedelta(days=30)).isoformat()
    form = {"title": "健全发现报告机制", "lead": units["health"].pk,
            "cooperating": [units["insurance"].pk], "due_on": due}  # fmt: skip
    created = client.post("/meetings/", form)
    assert created.status_code == 302
    page = client.get(created["Location"]).content.decode()
    assert "健全发现报告机制" in page
    assert "临河区医疗保障局" in page
    bad = client.post("/meetings/", {"title": "x", "lead": units["health"].pk, "due_on": "明天"})
    assert "完成时限的日期不对" in client.get(bad["Location"]).content.decode()
    insurer = f.client_for(units["insurance_user"])
    task_url = created["Location"]
    insurer.post(f"{task_url}note/", {"text": "已召开协调会", "status": "in_progress"})
    assert "进行中" in insurer.get("/meetings/").content.decode()
    assert f.client_for(personas.court_clerk_a).get(task_url).status_code == 404
    response = client.get("/meetings/export.xlsx")
    assert response.status_code == 200
    cells = [c for row in load_workbook(io.BytesIO(response.content)).worksheets[0]
             .iter_rows(values_only=True) for c in row]  # fmt: skip
    assert "健全发现报告机制" in cells
    assert "已召开协调会" in cells
