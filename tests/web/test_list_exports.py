"""Every list of the platform can be taken away as Excel through the one export path (issue 17:
"every table and list in the platform exportable to XLSX"). A list page added later must either
name its export here or be named, with the reason, among the lists that have none yet — so a gap is
a decision someone wrote down, not an oversight. The exports themselves are tested with their
pages (content, masking, audit); the every-page walk requests each of them for every role. The
exports added for the remaining lists are tested here: each opens as a workbook with its Chinese
header and a row of the page, through the one export path (audited, with a purpose)."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.urls import get_resolver, reverse
from django.utils import timezone
from openpyxl import load_workbook

from shouhu.web.accounts.models import RosterMember, User
from shouhu.web.audit.models import AuditEntry
from shouhu.web.cases.registers import EntryInput, register_entry_create
from shouhu.web.cases.transfers import transfer_propose
from shouhu.web.exchange.models import Submission
from shouhu.web.jobs.models import Job, JobStatus
from shouhu.web.jobs.registry import JobKind
from shouhu.web.objections.models import Objection
from shouhu.web.registry.models import RegistryLoad
from shouhu.web.registry.selectors import id_number_display
from tests.web import factories as f
from tests.web.comparison.conftest import ctx_for
from tests.web.conftest import Personas, Region

# list page → its export
LIST_EXPORTS = {
    "comparison_findings": "comparison_findings_export",
    "person_list": "person_export",
    "case_work_list": "case_work_export",
    "application_list": "application_export",
    "objection_queue": "objection_queue_export",
    "dashboard": "dashboard_export",
    "meeting_board": "meeting_board_export",
    "audit_desk": "audit_export",
    "share_list": "share_export",
    "subsidy_roster": "subsidy_export",
    "stat_reports": "stat_report_export",
    "exchange_receipts": "exchange_receipts_export",
    "query_log": "query_log_export",
    "objection_mine": "objection_mine_export",
    "exchange_timeliness": "exchange_timeliness_export",
    "registry_load_list": "registry_load_export",
    "duplicate_list": "duplicate_export",
    "case_transfer_list": "case_transfer_export",
    "register_list": "register_export",
    "admin_users": "admin_users_export",
    "admin_agencies": "admin_agencies_export",
    "admin_roster": "admin_roster_export",
    "admin_jobs": "admin_jobs_export",
}
# list pages without an export yet, and why
NO_EXPORT_YET = {
    "notification_list": "the bell's notices: not a working list",
    "admin_credentials": "API credentials: secrets are never exported",
}
LIST_NAME = re.compile(
    r"(_list|_queue|_findings|_receipts|_roster|_reports|_board|_desk|_users"
    r"|_agencies|_credentials|_jobs|_timeliness|_mine|_log)$|^dashboard$"
)


def _names() -> set[str]:
    return {name for name in get_resolver().reverse_dict if isinstance(name, str)}


def test_every_list_page_has_an_export_or_a_written_reason() -> None:
    lists = {name for name in _names() if LIST_NAME.search(name)}
    undecided = lists - set(LIST_EXPORTS) - set(NO_EXPORT_YET)
    assert not undecided, f"give these lists an export or a reason: {sorted(undecided)}"
    assert not set(LIST_EXPORTS) & set(NO_EXPORT_YET)


def test_the_named_exports_exist() -> None:
    names = _names()
    missing = {p: e for p, e in LIST_EXPORTS.items() if p not in names or e not in names}
    assert not missing, missing


# -------------------------------------------------------------- the exports of the remaining lists


def _admin(region: Region) -> User:
    center = f.agency("big_data_center", region.county_a, "临河区大数据中心")
    return f.user("admin_a", "administrator", region.county_a, center)


def _users(region: Region, p: Personas) -> tuple[User, str, str]:
    return _admin(region), "?role=caseworker", p.caseworker_a.username  # 只有本辖区的经办人员


def _agencies(region: Region, p: Personas) -> tuple[User, str, str]:
    return _admin(region), "", "临河区人民法院"


def _roster(region: Region, p: Personas) -> tuple[User, str, str]:
    RosterMember.objects.create(duty="child_director", full_name="张主任", phone="13812341234",
                                division=region.village_a)  # fmt: skip
    return _admin(region), "?duty=child_director", "13812341234"


def _jobs(region: Region, p: Personas) -> tuple[User, str, str]:
    Job.objects.create(kind=JobKind.COMPARISON_RUN, created_by=p.caseworker_a,
                       status=JobStatus.FAILED, attempts=3, message="处理失败")  # fmt: skip
    return _admin(region), "", "处理失败"


def _timeliness(region: Region, p: Personas) -> tuple[User, str, str]:
    return p.leader_city, "?months=6", "临河区人民法院"


def _loads(region: Region, p: Personas) -> tuple[User, str, str]:
    police = f.agency("public_security", region.county_a, "临河区公安分局")
    sub = Submission.objects.create(agency=police, item_code="household_registry",
                                    period=date(2026, 10, 1), channel="upload",
                                    content_sha256="0" * 64, rows_total=5, rows_accepted=5,
                                    receipt_number="HZ2026100001")  # fmt: skip
    RegistryLoad.objects.create(submission=sub, scope=region.county_a, mode="full",
                                status="applied", counts={"rows": 5})  # fmt: skip
    return p.caseworker_a, "", "HZ2026100001"


def _duplicates(region: Region, p: Personas) -> tuple[User, str, str]:
    twin = f.person(region.village_a, name="李重复")
    f.person(region.village_a, name="李重复")
    return p.caseworker_a, "", id_number_display(user=p.caseworker_a, id_number=twin.id_number)


def _transfers(region: Region, p: Personas) -> tuple[User, str, str]:
    case = f.case(f.person(region.village_a, name="赵迁移"))
    transfer_propose(ctx=ctx_for(p.caseworker_a), case=case, to_division=region.county_b,
                     reason="全家搬到五原县")  # fmt: skip
    return p.caseworker_a, "", "赵迁移"


def _registers(region: Region, p: Personas) -> tuple[User, str, str]:
    child = f.person(region.village_a, name="孙留守", birth=date(2016, 2, 2))
    data = EntryInput("left_behind", "父母在外省务工", timezone.localdate(), "away_out_of_province",
                      "away_out_of_province", "孙大爷", "祖父")  # fmt: skip
    register_entry_create(ctx=ctx_for(p.caseworker_a), child=child, data=data)
    return p.caseworker_a, "?register=left_behind", "孙留守"


def _objections(region: Region, p: Personas) -> tuple[User, str, str]:
    court = p.court_clerk_a.agency
    fact = f.fact(f.person(region.village_a, name="钱疑义"), court, "declared_dead")
    Objection.objects.create(
        fact=fact, agency=court,
        reason="人还健在", raised_by=p.caseworker_a, raised_at=timezone.now(),
        due_on=timezone.localdate() + timedelta(days=10), status="open",
    )  # fmt: skip
    return p.caseworker_a, "", "钱疑义"


Setup = Callable[[Region, Personas], tuple[User, str, str]]
# list page → (who exports, filters, a cell it must hold), header cells (the first one first)
REMAINING: dict[str, tuple[Setup, tuple[str, ...]]] = {
    "admin_users": (_users, ("用户名", "角色", "状态")),
    "admin_agencies": (_agencies, ("名称", "报送的数据项")),
    "admin_roster": (_roster, ("职务", "联系电话")),
    "admin_jobs": (_jobs, ("编号", "状态", "说明")),
    "exchange_timeliness": (_timeliness, ("部门", "按时率（%）")),
    "registry_load_list": (_loads, ("接收时间", "回执编号", "名单中的人员")),
    "duplicate_list": (_duplicates, ("疑似原因", "记录一身份证号", "记录二身份证号")),
    "case_transfer_list": (_transfers, ("分组", "儿童", "迁入地")),
    "register_list": (_registers, ("儿童", "所在地", "登记类型", "下次探访")),
    "objection_mine": (_objections, ("数据项", "当事人", "答复期限")),
}


@pytest.mark.parametrize("page", sorted(REMAINING))
def test_the_remaining_lists_export_what_their_page_shows(region, personas, page: str) -> None:
    setup, headers = REMAINING[page]
    user, query, expected = setup(region, personas)
    client = f.client_for(user)
    export_url = reverse(LIST_EXPORTS[page])
    shown = client.get(reverse(page) + query).content.decode()
    assert f'href="{export_url}' in shown  # the page offers its export to this user
    response = client.get(export_url + query)
    assert response.status_code == 200, response.content[:500]
    rows = list(load_workbook(io.BytesIO(response.content))["数据"].iter_rows(values_only=True))
    assert rows[0][0] == headers[0]
    assert set(headers) <= set(rows[0])
    assert all(re.search(r"[一-鿿]", str(h)) for h in rows[0])  # Chinese headers, no codes
    assert any(expected in [str(c) for c in row] for row in rows[1:]), rows
    entry = AuditEntry.objects.filter(action="export").latest("seq")
    assert (entry.actor_id, entry.detail["rows"]) == (user.pk, len(rows) - 1)


def test_exports_keep_the_page_filters(region, personas) -> None:
    """The accounts export filtered by role holds no one of another role or another county."""
    client = f.client_for(_admin(region))
    response = client.get("/manage/users/export.xlsx?role=caseworker")
    sheet = load_workbook(io.BytesIO(response.content))["数据"]
    names = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names == [personas.caseworker_a.username]


def test_a_role_without_the_purpose_sees_no_export_link_and_gets_none(region, personas) -> None:
    client = f.client_for(personas.court_clerk_a)  # 报送员：没有个案办理的用途
    assert "case_transfer_export" not in client.get(reverse("case_transfer_list")).content.decode()
    assert client.get(reverse("case_transfer_export")).status_code in (403, 404)
