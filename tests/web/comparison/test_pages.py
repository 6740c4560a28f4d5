"""The 数据比对 pages: start a run, watch its progress, work the queue, confirm and dismiss."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from shouhu.web.audit.models import AuditEntry
from shouhu.web.cases.models import Case
from shouhu.web.comparison.models import ComparisonRun
from shouhu.web.jobs.models import Job
from tests.web import factories as f
from tests.web.comparison.conftest import finding
from tests.web.factories import client_for

pytestmark = pytest.mark.django_db


def test_caseworker_starts_a_run_which_is_queued_as_a_job(personas, region):
    client = client_for(personas.caseworker_a)
    page = client.get(reverse("comparison_home"))
    assert page.status_code == 200
    assert "开始比对" in page.content.decode()
    answer = client.post(
        reverse("comparison_home"), {"division": region.county_a.code, "as_of": "2026-11-01"}
    )
    assert answer.status_code == 302
    run = ComparisonRun.objects.get()
    assert (run.division, run.as_of.isoformat(), run.status) == (
        region.county_a,
        "2026-11-01",
        "queued",
    )
    job = Job.objects.get()
    assert (run.job, job.kind, job.payload) == (job, "comparison.run", {"run_id": run.pk})
    assert AuditEntry.objects.filter(object_type="comparison_run", action="create").count() == 1
    # pressing the button again while it is queued does not start a second run
    client.post(
        reverse("comparison_home"), {"division": region.county_a.code, "as_of": "2026-11-01"}
    )
    assert ComparisonRun.objects.count() == 1
    listed = client.get(reverse("comparison_home")).content.decode()
    assert f'data-status-url="{reverse("comparison_run_status", args=[run.pk])}"' in listed


def test_a_bad_date_is_explained_and_nothing_is_queued(personas, region):
    answer = client_for(personas.caseworker_a).post(
        reverse("comparison_home"), {"division": region.county_a.code, "as_of": "2026-13-01"}
    )
    assert answer.status_code == 400
    assert "比对基准日格式" in answer.content.decode()
    assert not ComparisonRun.objects.exists()


def test_a_run_over_another_county_is_refused_like_a_missing_division(personas, region):
    client = client_for(personas.caseworker_a)
    foreign = client.post(reverse("comparison_home"), {"division": region.county_b.code})
    missing = client.post(reverse("comparison_home"), {"division": "999999"})
    assert foreign.status_code == missing.status_code == 404
    assert not ComparisonRun.objects.exists()


def test_progress_endpoint_reports_status_and_counts_without_personal_data(personas, made):
    ComparisonRun.objects.filter(pk=made.run_a.pk).update(
        status="running", progress=37, message="正在关联与认定"
    )
    client = client_for(personas.caseworker_a)
    data = client.get(reverse("comparison_run_status", args=[made.run_a.pk])).json()
    assert (data["status"], data["progress"], data["message"]) == ("running", 37, "正在关联与认定")
    assert data["findings_url"] == ""
    ComparisonRun.objects.filter(pk=made.run_a.pk).update(status="done", progress=100)
    data = client.get(reverse("comparison_run_status", args=[made.run_a.pk])).json()
    assert data["counts"] == {"enrol": 1, "exit": 1, "change": 1, "review": 1, "unlinked": 1}
    assert data["findings_url"].endswith(f"?run={made.run_a.pk}")
    foreign = client.get(reverse("comparison_run_status", args=[made.run_b.pk]))
    assert foreign.status_code == 404


def test_the_queue_filters_by_kind_and_division(personas, made, region):
    client = client_for(personas.caseworker_a)
    every = client.get(reverse("comparison_findings")).content.decode()
    for item in (made.enrol, made.exit, made.change, made.review, made.unlinked):
        assert f'data-finding="{item.pk}"' in every
    assert f'data-finding="{made.in_b.pk}"' not in every
    assert "孙小丽" not in every
    exits = client.get(reverse("comparison_findings"), {"kind": "exit"}).content.decode()
    assert exits.count("data-finding=") == 1
    assert "李长大" in exits
    township = client.get(
        reverse("comparison_findings"), {"division": region.township_a.code}
    ).content.decode()
    assert township.count("data-finding=") == 4  # the unlinked record belongs to the county
    entry = AuditEntry.objects.filter(object_type="finding_list").last()
    assert entry is not None
    assert entry.detail["division"] == region.township_a.code


def test_the_queue_pages_through_many_findings(personas, made):
    for n in range(30):
        finding(
            made.run_a,
            "review",
            f.person(made.orphan.division, name=f"测试{n}"),
            codes=["missing_date"],
        )
    client = client_for(personas.caseworker_a)
    first = client.get(reverse("comparison_findings"), {"kind": "review"}).content.decode()
    second = client.get(
        reverse("comparison_findings"), {"kind": "review", "page": 2}
    ).content.decode()
    assert first.count("data-finding=") == 25
    assert second.count("data-finding=") == 6
    assert "第 2 / 2 页" in second


def test_the_queue_shows_reasons_departments_and_link_confidence(personas, made):
    page = client_for(personas.caseworker_a).get(reverse("comparison_findings"), {"kind": "enrol"})
    text = page.content.decode()
    assert "父亲死亡" in text
    assert "母亲死亡" in text
    assert "临河区公安分局" in text
    assert "近似号码 97%" in text
    assert made.orphan.id_number in text  # caseworkers see full ID numbers


def test_the_queue_exports_every_page_as_filtered_and_audited(personas, made):
    for n in range(30):
        finding(made.run_a, "review", f.person(made.orphan.division, name=f"测试{n}"),
                codes=["missing_date"])  # fmt: skip
    client = client_for(personas.caseworker_a)
    queue = client.get(reverse("comparison_findings"), {"kind": "review"}).content.decode()
    assert reverse("comparison_findings_export") in queue
    answer = client.get(
        reverse("comparison_findings_export"), {"run": made.run_a.pk, "kind": "review"}
    )
    sheet = load_workbook(io.BytesIO(answer.content))["数据"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("类型", "姓名", "身份证号")
    assert len(rows) == 1 + 31  # both pages, only the kind asked for
    assert {row[0] for row in rows[1:]} == {"需人工核查"}
    every = client.get(reverse("comparison_findings_export"), {"run": made.run_a.pk})
    names = {row[1] for row in load_workbook(io.BytesIO(every.content))["数据"].iter_rows(
        min_row=2, values_only=True)}  # fmt: skip
    assert "孙小丽" not in names  # another county's run is not in it
    entry = AuditEntry.objects.filter(action="export").last()
    assert entry is not None
    assert (entry.object_type, entry.purpose) == ("finding_list", "comparison")
    foreign = client.get(reverse("comparison_findings_export"), {"run": made.run_b.pk})
    assert foreign.status_code == 404 or "孙小丽" not in foreign.content.decode(errors="ignore")


def test_a_finding_page_explains_the_decision_and_the_records(personas, made):
    page = client_for(personas.caseworker_a).get(
        reverse("comparison_finding", args=[made.enrol.pk])
    )
    text = page.content.decode()
    assert page.status_code == 200
    assert "孤儿" in text
    assert "近似号码 97%" in text
    assert reverse("person_detail", args=[made.orphan.pk]) in text
    assert "确认纳入" in text
    assert "驳回" in text
    assert "2024年3月1日" in text  # the reason's text, recomputed from the facts
    assert AuditEntry.objects.filter(object_type="finding", action="view").count() == 1


def test_another_countys_finding_is_the_same_404_as_a_missing_one(personas, made):
    client = client_for(personas.caseworker_b)
    foreign = client.get(reverse("comparison_finding", args=[made.enrol.pk]))
    missing = client.get(reverse("comparison_finding", args=[10**9]))
    assert foreign.status_code == missing.status_code == 404
    assert foreign.content == missing.content
    acting = client.post(reverse("comparison_finding_confirm", args=[made.enrol.pk]))
    assert acting.status_code == 404
    assert not Case.objects.filter(child=made.orphan).exists()


def test_confirming_an_exit_without_a_reason_shows_the_form_again(personas, made):
    client = client_for(personas.caseworker_a)
    url = reverse("comparison_finding_confirm", args=[made.exit.pk])
    refused = client.post(url, {"reason_code": "aged_out", "reason": " "})
    assert refused.status_code == 400
    assert "终止保障须书面说明理由" in refused.content.decode()
    made.exit_case.refresh_from_db()
    assert made.exit_case.status == "active"
    done = client.post(url, {"reason_code": "aged_out", "reason": "已年满18周岁。"}, follow=True)
    assert "已终止保障" in done.content.decode()
    made.exit_case.refresh_from_db()
    assert made.exit_case.status == "closed"


def test_confirm_and_dismiss_through_the_pages(personas, made):
    client = client_for(personas.caseworker_a)
    confirmed = client.post(
        reverse("comparison_finding_confirm", args=[made.enrol.pk]), follow=True
    )
    assert "已纳入保障" in confirmed.content.decode()
    assert Case.objects.filter(child=made.orphan, status="active", category="orphan").exists()
    dismissed = client.post(
        reverse("comparison_finding_dismiss", args=[made.review.pk]),
        {"reason": "数据有误，已提出疑义。"},
        follow=True,
    )
    assert "已驳回" in dismissed.content.decode()
    child_page = client.get(reverse("person_detail", args=[made.orphan.pk])).content.decode()
    assert "保障中" in child_page


def test_administrator_sees_runs_but_not_findings(administrator_a, made):
    client = client_for(administrator_a)
    home = client.get(reverse("comparison_home"))
    assert home.status_code == 200
    assert "数据比对" in home.content.decode()
    assert reverse("comparison_findings") not in home.content.decode()
    assert client.get(reverse("comparison_findings")).status_code == 403
    assert client.get(reverse("comparison_finding", args=[made.enrol.pk])).status_code == 404


@pytest.mark.parametrize("who", ["court_clerk_a", "child_director_a", "leader_city"])
def test_other_roles_have_no_comparison_pages(personas, made, who):
    client = client_for(getattr(personas, who))
    assert client.get(reverse("comparison_home")).status_code == 403
    assert client.get(reverse("comparison_findings")).status_code == 403
    assert "数据比对" not in client.get(reverse("account")).content.decode()
