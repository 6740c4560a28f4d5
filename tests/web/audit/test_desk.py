"""The auditor's desk: who looked at which child, filters, flags, export, verification; and the
guardian's report of who looked at their child, with suppressed bodies left out."""

from __future__ import annotations

from datetime import date, timedelta

from shouhu.web.audit.models import AuditEntry, ChainCheck
from shouhu.web.jobs.worker import job_run_next
from tests.web import factories as f


def _auditor(region):
    return f.user("auditor_county", "auditor", region.county_a)


def test_the_auditor_finds_who_viewed_a_child(region, personas) -> None:
    child, _, _ = f.family(region.village_a)
    f.client_for(personas.caseworker_a).get(f"/persons/{child.pk}/")
    f.client_for(personas.child_director_a).get(f"/persons/{child.pk}/")
    client = f.client_for(_auditor(region))

    page = client.get("/audit/", {"child": child.id_number}).content.decode()

    assert "caseworker_a" in page
    assert "director_a" in page
    assert child.name not in page  # 审计员看不到孩子的个人信息
    entry = AuditEntry.objects.filter(object_type="audit_log", action="view").latest("seq")
    assert entry.detail["child"] == child.pk
    assert child.id_number not in str(entry.detail)


def test_the_desk_flags_purposes_that_do_not_fit_the_role(region, personas) -> None:
    from shouhu.web.audit.context import RequestContext
    from shouhu.web.audit.services import audit_record

    ctx = RequestContext(user=personas.child_director_a, client_ip="", purpose="subsidy")
    audit_record(ctx=ctx, action="view", object_type="person", object_id=1)
    page = f.client_for(_auditor(region)).get("/audit/").content.decode()
    assert "用途与角色不符" in page


def test_other_roles_have_no_desk(region, personas) -> None:
    for user in (personas.caseworker_a, personas.leader_city):
        assert f.client_for(user).get("/audit/").status_code == 403


def test_export_and_verification_are_audited(region, personas, django_capture_on_commit_callbacks):
    client = f.client_for(_auditor(region))
    answer = client.get("/audit/export.csv")
    assert answer.content.decode("utf-8-sig").startswith("序号,时间,用户")
    assert AuditEntry.objects.filter(object_type="audit_log", action="export").exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/audit/verify/")
    while job_run_next(worker="test"):
        pass
    check = ChainCheck.objects.get()
    assert check.ok, check.message
    assert "签名和见证记录全部相符" in client.get("/audit/").content.decode()


def test_the_guardian_report_lists_views_and_leaves_out_suppressed_bodies(region, personas) -> None:
    child, _, _ = f.family(region.village_a)
    police = f.agency("public_security", region.county_a, "临河公安分局")
    investigator = f.user("investigator", "caseworker", region.county_a, police)
    f.client_for(personas.child_director_a).get(f"/persons/{child.pk}/")
    f.client_for(investigator).get(f"/persons/{child.pk}/")
    security = f.user("security_a", "security_admin", region.county_a)
    admin = f.client_for(security)
    until = (date.today() + timedelta(days=90)).isoformat()
    form = {"agency_type": "public_security", "until": until, "reason": "侦查期间保密"}
    answer = admin.post("/audit/suppressions/", form)
    assert answer.status_code == 302

    page = f.client_for(personas.caseworker_a).get(f"/persons/{child.pk}/accesses/")
    text = page.content.decode()
    assert "director_a" in text
    assert "investigator" not in text
    assert "依照法律规定需要保密的查看未列出" in text
    assert (
        f.client_for(personas.child_director_a).get(f"/persons/{child.pk}/accesses/").status_code
        == 403
    )
    assert (
        f.client_for(personas.caseworker_b).get(f"/persons/{child.pk}/accesses/").status_code == 404
    )


def test_only_the_security_admin_sets_suppressions(region, personas) -> None:
    assert f.client_for(personas.caseworker_a).get("/audit/suppressions/").status_code == 403
    security = f.client_for(f.user("security_a", "security_admin", region.county_a))
    answer = security.post("/audit/suppressions/", {"agency_type": "court", "until": "2020-01-01",
                                                    "reason": "x"})  # fmt: skip
    assert "截止日期应晚于今天" in answer.content.decode()
