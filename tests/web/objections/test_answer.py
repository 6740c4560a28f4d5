"""The providing department answers: confirm, correct (a new version), reject; or the raiser
withdraws. Times and resolution are kept; every step is audited in its transaction."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone
from openpyxl import load_workbook

from shouhu.core.policy.vocabulary import FIELD_LABELS
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import AuditEntry
from shouhu.web.exchange.models import Fact
from shouhu.web.objections.models import Objection
from shouhu.web.objections.services import objection_raise
from tests.web.factories import client_for
from tests.web.objections.conftest import court_submit, judgment_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def objection(personas, missing) -> Objection:
    ctx = RequestContext(user=personas.caseworker_a, client_ip="10.1.1.1", purpose="case_work")
    return objection_raise(ctx=ctx, fact=missing.fact, reason="当事人已返乡。")


def answer(user, objection: Objection, **form: str):
    return client_for(user).post(f"/objections/{objection.pk}/answer/", form)


def test_the_department_sees_it_in_its_queue(personas, objection):
    html = client_for(personas.court_clerk_a).get("/objections/queue/").content.decode()
    assert f'href="/objections/{objection.pk}/"' in html
    assert "宣告失踪" in html
    assert "（2025）蒙0802民特7号" in html
    detail = client_for(personas.court_clerk_a).get(f"/objections/{objection.pk}/").content.decode()
    assert "当事人已返乡。" in detail
    assert 'name="resolution"' in detail  # the reply form


def test_the_department_exports_its_queue(personas, objection):
    client = client_for(personas.court_clerk_a)
    assert "/objections/queue/export.xlsx" in client.get("/objections/queue/").content.decode()
    answer = client.get("/objections/queue/export.xlsx")
    sheet = load_workbook(io.BytesIO(answer.content))["数据"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[2]) for r in rows] == [("宣告失踪", objection.fact.source_record_id)]
    entry = AuditEntry.objects.filter(action="export").get()
    assert (entry.object_type, entry.purpose) == ("objection_list", "submission")
    assert client_for(personas.caseworker_a).get("/objections/queue/export.xlsx").status_code in {
        403,
        404,
    }


def test_confirm_keeps_the_fact_and_records_reply_and_times(personas, missing, objection):
    response = answer(
        personas.court_clerk_a, objection, resolution="confirm", reply="判决书核对无误。"
    )
    assert response.status_code == 302
    objection.refresh_from_db()
    assert (objection.status, objection.reply, objection.answered_by) == (
        "confirmed",
        "判决书核对无误。",
        personas.court_clerk_a,
    )
    assert objection.answered_at == objection.resolved_at is not None
    assert objection.resolved_at >= objection.raised_at
    missing.fact.refresh_from_db()
    assert missing.fact.is_current
    assert Fact.objects.count() == 1
    entry = AuditEntry.objects.get(action="update", object_type="objection")
    assert (entry.purpose, entry.detail["resolution"]) == ("submission", "confirmed")
    assert "判决书核对无误" not in str(entry.detail)


def test_correct_writes_a_new_version_that_supersedes_the_old(personas, missing, objection):
    response = answer(
        personas.court_clerk_a,
        objection,
        resolution="correct",
        reply="生效日期录错，已更正。",
        f_date="2025-02-12",
        f_end="",
    )
    assert response.status_code == 302
    objection.refresh_from_db()
    old = Fact.objects.get(pk=missing.fact.pk)
    new = objection.correction
    assert objection.status == "corrected"
    assert new is not None
    assert (old.is_current, new.is_current) == (False, True)
    assert (new.version, new.supersedes_id) == (2, old.pk)
    assert (new.agency_id, new.item_code, new.source_record_id) == (
        old.agency_id,
        old.item_code,
        old.source_record_id,
    )
    assert (new.type, new.date, new.person_id) == (
        "declared_missing",
        date(2025, 2, 12),
        old.person_id,
    )
    assert new.record_sha256 != old.record_sha256
    assert new.subject_name == old.subject_name
    assert new.extra == old.extra
    with connection.cursor() as cursor:  # the new version is sealed at rest like the old one
        cursor.execute(
            "SELECT source_record_id FROM exchange_fact WHERE id IN (%s, %s)", [old.pk, new.pk]
        )
        tokens = {row[0] for row in cursor.fetchall()}
    assert len(tokens) == 1
    assert tokens.pop().startswith("sm4:")
    created = AuditEntry.objects.get(action="create", object_type="fact")
    assert created.detail == {"supersedes": old.pk, "version": 2, "objection": objection.pk}


def test_a_later_delivery_of_the_corrected_record_adds_nothing(personas, missing, objection):
    answer(
        personas.court_clerk_a,
        objection,
        resolution="correct",
        reply="已更正。",
        f_date="2025-02-12",
    )
    corrected = judgment_row(missing.father, missing.child, 判决生效日期="2025-02-12")
    again = court_submit(missing.court, personas.court_clerk_a, [corrected])
    assert (again.facts_created, again.facts_superseded, again.facts_unchanged) == (0, 0, 1)
    assert Fact.objects.filter(is_current=True).count() == 1


def test_the_childs_page_shows_the_corrected_version_with_the_old_one_kept(
    personas, missing, objection
):
    answer(
        personas.court_clerk_a,
        objection,
        resolution="correct",
        reply="已更正。",
        f_date="2025-02-12",
    )
    url = f"/persons/{missing.child.pk}/?purpose=review"
    html = client_for(personas.caseworker_a).get(url).content.decode()
    current, older = html.split('<details class="tl-older">', 1)
    assert "2025年2月12日" in current
    assert "2025年2月10日" in older.split("</details>", 1)[0]


def test_a_correction_that_changes_nothing_is_refused(personas, objection):
    response = answer(
        personas.court_clerk_a, objection, resolution="correct", reply="更正。", f_date="2025-02-10"
    )
    assert response.status_code == 400
    assert "与原记录相同" in response.content.decode()
    objection.refresh_from_db()
    assert objection.status == "open"
    assert Fact.objects.count() == 1


def test_a_correction_with_an_end_before_the_date_is_refused(personas, objection):
    response = answer(
        personas.court_clerk_a, objection, resolution="correct", reply="更正。", f_end="2025-01-01"
    )
    assert response.status_code == 400
    expected = f"「{FIELD_LABELS['end']}」不能早于「{FIELD_LABELS['date']}」"
    assert expected in response.content.decode()
    assert Fact.objects.count() == 1


def test_a_bad_date_keeps_what_was_typed_and_says_why(personas, objection):
    response = answer(
        personas.court_clerk_a,
        objection,
        resolution="correct",
        reply="更正说明",
        f_date="2025-13-01",
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "不是真实存在的日期" in html
    assert 'value="2025-13-01"' in html
    assert "更正说明" in html


def test_reject_needs_a_reason(personas, objection):
    assert (
        answer(personas.court_clerk_a, objection, resolution="reject", reply="").status_code == 400
    )
    response = answer(
        personas.court_clerk_a, objection, resolution="reject", reply="不是本院的判决。"
    )
    assert response.status_code == 302
    objection.refresh_from_db()
    assert (objection.status, objection.reply) == ("rejected", "不是本院的判决。")


def test_an_answered_objection_cannot_be_answered_again(personas, objection):
    answer(personas.court_clerk_a, objection, resolution="confirm", reply="无误。")
    again = answer(personas.court_clerk_a, objection, resolution="reject", reply="不予采纳。")
    assert again.status_code == 400
    assert "已经办结" in again.content.decode()
    objection.refresh_from_db()
    assert objection.status == "confirmed"


def test_an_unknown_resolution_is_refused(personas, objection):
    response = answer(personas.court_clerk_a, objection, resolution="delete", reply="x")
    assert response.status_code == 400
    assert "请选择答复结论" in response.content.decode()


def test_only_the_providing_departments_submitter_answers(personas, objection, education_clerk_a):
    # another department's submitter does not even see it; the raiser sees it but may not answer
    other = answer(education_clerk_a, objection, resolution="confirm", reply="无误。")
    raiser = answer(personas.caseworker_a, objection, resolution="confirm", reply="无误。")
    assert (other.status_code, raiser.status_code) == (404, 403)
    objection.refresh_from_db()
    assert objection.status == "open"
    whys = set(AuditEntry.objects.filter(action="deny").values_list("detail__why", flat=True))
    assert whys == {"out_of_scope", "not_the_provider"}
    queue = client_for(education_clerk_a).get("/objections/queue/").content.decode()
    assert "没有待校核的疑义" in queue
    assert f"/objections/{objection.pk}/" not in queue


def test_the_queue_is_for_data_submitters_only(personas, objection):
    assert client_for(personas.caseworker_a).get("/objections/queue/").status_code == 403
    assert AuditEntry.objects.filter(action="deny", object_type="objection_queue").exists()


def test_overdue_objections_are_marked_and_counted(personas, objection):
    Objection.objects.filter(pk=objection.pk).update(
        due_on=timezone.localdate() - timedelta(days=1)
    )
    html = client_for(personas.court_clerk_a).get("/objections/queue/").content.decode()
    assert "已逾期" in html
    detail = client_for(personas.caseworker_a).get(f"/objections/{objection.pk}/").content.decode()
    assert "已逾期" in detail


def test_the_raiser_withdraws_and_the_time_is_kept(personas, objection):
    assert (
        client_for(personas.court_clerk_a).post(f"/objections/{objection.pk}/withdraw/").status_code
        == 403
    )
    response = client_for(personas.caseworker_a).post(f"/objections/{objection.pk}/withdraw/")
    assert response.status_code == 302
    objection.refresh_from_db()
    assert objection.status == "withdrawn"
    assert objection.resolved_at is not None
    assert objection.answered_at is None
    assert AuditEntry.objects.filter(action="close", object_type="objection").exists()


def test_colleagues_in_scope_see_it_other_counties_do_not(personas, objection):
    assert (
        client_for(personas.child_director_a).get(f"/objections/{objection.pk}/").status_code == 200
    )
    foreign = client_for(personas.caseworker_b).get(f"/objections/{objection.pk}/")
    absent = client_for(personas.caseworker_b).get("/objections/999999/")
    assert foreign.status_code == absent.status_code == 404
    assert foreign.content == absent.content


def test_viewing_an_objection_is_audited(personas, objection):
    client_for(personas.court_clerk_a).get(f"/objections/{objection.pk}/")
    entry = AuditEntry.objects.get(action="view", object_type="objection")
    assert (entry.object_id, entry.purpose) == (str(objection.pk), "submission")


def test_nav_shows_the_pages_each_role_opens(personas):
    court = client_for(personas.court_clerk_a).get("/me/").content.decode()
    caseworker = client_for(personas.caseworker_a).get("/me/").content.decode()
    assert "待校核疑义" in court
    assert "我提出的疑义" not in court
    assert "我提出的疑义" in caseworker
    assert "待校核疑义" not in caseworker
