"""申请和审批：村（居）登记 → 乡镇初审 → 县级审批，退回须写明理由，县级批准经同一个开案服务
开个案且只开一次；缺材料不能批准（除非写明理由）；终止走同一条链并生成告知书；材料查类型和
大小、加密存放；每一步都记入审计，审计里没有陈述和理由原文。"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from shouhu.core.errors import DomainError, InvalidInput, NotFound, PermissionDenied
from shouhu.web import access
from shouhu.web.access import disclosure_for
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import AuditEntry
from shouhu.web.cases.application_models import (
    Application,
    ApplicationStep,
    CaseDocument,
    Stage,
    TerminationNotice,
)
from shouhu.web.cases.application_selectors import (
    application_documents,
    approval_form_data,
    termination_notice_data,
)
from shouhu.web.cases.applications import (
    EnrolInput,
    application_create,
    application_pass,
    application_return,
    application_withdraw,
    termination_propose,
)
from shouhu.web.cases.approvals import (
    application_approve,
    document_attach,
    document_mark_missing,
)
from shouhu.web.cases.documents import document_read
from shouhu.web.cases.models import Case, CaseStatus
from shouhu.web.cases.printing import approval_form_of, termination_notice_of
from shouhu.web.cases.reviews import review_record
from shouhu.web.cases.services import case_close, case_open
from tests.web import factories as f
from tests.web.cases.conftest import work_ctx
from tests.web.factories import client_for

PDF = b"%PDF-1.4\n" + b"0" * 200
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 100
ENROL = EnrolInput(category="de_facto_unsupported",
                   claimed=(("father", "imprisoned"), ("mother", "lost_contact")),
                   statement="父亲服刑，母亲离家三年未归", carer_name="王大海",
                   carer_relation="祖父", carer_phone="13800000001")  # fmt: skip
NEEDS = ("household_register", "guardian_id_card", "custody_proof", "lost_contact_proof")


@dataclass
class Chain:
    director: RequestContext
    supervisor: RequestContext
    caseworker: RequestContext
    other_county: RequestContext
    child: object


@pytest.fixture
def chain(region, personas, settings, tmp_path) -> Chain:
    settings.DOCUMENT_DIR = tmp_path / "documents"
    civil = personas.caseworker_a.agency
    supervisor = f.user("supervisor_a", "supervisor", region.township_a, civil)
    child = f.person(region.village_a, name="王小明", birth=date(2014, 3, 4))
    director, caseworker = work_ctx(personas.child_director_a), work_ctx(personas.caseworker_a)
    return Chain(director, work_ctx(supervisor), caseworker, work_ctx(personas.caseworker_b), child)


def _attach_all(ctx, app) -> None:
    for need in NEEDS:
        document_attach(ctx=ctx, application=app, need=need, data=PDF)


def test_director_applies_township_returns_once_county_approves_once(chain) -> None:
    app = application_create(ctx=chain.director, child=chain.child, data=ENROL)
    assert app.stage == Stage.VILLAGE
    _attach_all(chain.director, app)
    application_pass(ctx=chain.director, application=app)
    application_return(ctx=chain.supervisor, application=app, reason="户口簿缺少户主页，请补拍")
    app.refresh_from_db()
    assert (app.stage, app.returned) == (Stage.VILLAGE, True)
    application_pass(ctx=chain.director, application=app)
    application_pass(ctx=chain.supervisor, application=app, note="材料齐全")
    case = application_approve(ctx=chain.caseworker, application=app)
    assert (case.status, case.category, case.applied_on) == (
        CaseStatus.ACTIVE,
        "de_facto_unsupported",
        timezone.localdate(app.created_at),
    )
    assert case.care_arrangements.get().carer_name == "王大海"
    assert CaseDocument.objects.filter(case=case).count() == 4
    decisions = list(ApplicationStep.objects.values_list("stage", "decision"))
    assert decisions == [
        ("village", "register"), ("village", "pass"), ("township", "return"),
        ("village", "pass"), ("township", "pass"), ("county", "approve"),
    ]  # fmt: skip
    with pytest.raises(DomainError):  # 再批准一次：冲突，不会开第二个个案
        application_approve(ctx=chain.caseworker, application=app)
    assert Case.objects.filter(child=chain.child).count() == 1
    form = approval_form_data(application=Application.objects.get(),
                              disclosure=disclosure_for(chain.caseworker.user))  # fmt: skip
    assert form.claimed == ("父亲：服刑在押", "母亲：失联")
    assert form.category_label == "事实无人抚养儿童"
    printed = approval_form_of(user=chain.caseworker.user, case=case)  # 审批表三栏意见照审批链
    village, township, county = printed.opinions
    assert village.startswith("通过，报上一级")
    assert "材料齐全" in township
    assert county.startswith("批准")
    assert [s.decision_label for s in form.steps][2] == "退回"
    details = str(list(AuditEntry.objects.filter(object_type="application").values("detail")))
    assert "户主页" not in details
    assert "服刑" not in details
    assert (
        AuditEntry.objects.filter(object_type="application").count() == 6
    )  # 登记、报送、退回、报送、报送、批准


def test_return_needs_a_reason_and_a_step_to_return_to(chain) -> None:
    app = application_create(ctx=chain.director, child=chain.child, data=ENROL)
    application_pass(ctx=chain.director, application=app)
    with pytest.raises(InvalidInput, match="理由"):
        application_return(ctx=chain.supervisor, application=app, reason="  ")
    app.refresh_from_db()
    assert app.stage == Stage.TOWNSHIP
    with pytest.raises(DomainError, match="不在您办理的环节"):  # 已报乡镇，村里不能再办
        application_pass(ctx=chain.director, application=app)
    own = application_create(ctx=chain.caseworker, child=f.person(chain.child.division),
                             data=ENROL)  # fmt: skip
    with pytest.raises(DomainError, match="没有上一环节"):
        application_return(ctx=chain.caseworker, application=own, reason="重新核实")


def test_scope_and_stage_are_checked_by_the_access_layer(chain) -> None:
    app = application_create(ctx=chain.director, child=chain.child, data=ENROL)
    with pytest.raises(NotFound):  # 另一个县的经办人员：同“不存在”
        access.access_application(chain.other_county, app.pk)
    with pytest.raises(PermissionDenied):  # 辖区内，但申请在村里登记环节
        access.access_application(chain.caseworker, app.pk, act=True)
    assert access.access_application(chain.supervisor, app.pk, act=True) == app
    denied = AuditEntry.objects.filter(action="deny", object_type="application")
    assert denied.count() == 2


def test_missing_documents_block_approval_unless_a_reason_is_written(chain) -> None:
    app = application_create(ctx=chain.caseworker, child=chain.child, data=ENROL)
    document_attach(ctx=chain.caseworker, application=app, need="household_register", data=PNG)
    document_mark_missing(ctx=chain.caseworker, application=app, need="custody_proof",
                          note="判决书在法院补发中")  # fmt: skip
    with pytest.raises(InvalidInput, match="监护人居民身份证、服刑判决书或在押证明"):
        application_approve(ctx=chain.caseworker, application=app)
    assert not Case.objects.exists()
    case = application_approve(ctx=chain.caseworker, application=app,
                               override="已电话向法院核实在押，判决书补发后补交")  # fmt: skip
    app.refresh_from_db()
    assert app.missing_override.startswith("已电话")
    assert case.status == CaseStatus.ACTIVE
    rows = {r.need: r.status for r in application_documents(app)}
    assert rows["custody_proof"] == "missing"
    assert rows["household_register"] == "attached"


def test_documents_are_checked_by_content_and_stored_encrypted(chain, settings) -> None:
    app = application_create(ctx=chain.director, child=chain.child, data=ENROL)
    with pytest.raises(InvalidInput, match="“户口簿”：文件不是 PDF、JPEG 或 PNG"):
        document_attach(ctx=chain.director, application=app, need="household_register",
                        data=b"MZ\x90\x00 not a scan")  # fmt: skip
    big = b"%PDF-" + b"0" * (10 * 1024 * 1024)
    with pytest.raises(InvalidInput, match="超过 10 MB"):
        document_attach(ctx=chain.director, application=app, need="household_register", data=big)
    assert not CaseDocument.objects.exists()
    doc = document_attach(ctx=chain.director, application=app, need="household_register",
                          data=PDF)  # fmt: skip
    stored = (settings.DOCUMENT_DIR / doc.file_name).read_bytes()
    assert PDF not in stored
    assert b"%PDF" not in stored
    assert document_read(doc.file_name) == PDF
    (settings.DOCUMENT_DIR / doc.file_name).write_bytes(stored[:-1] + bytes([stored[-1] ^ 1]))
    with pytest.raises(NotFound, match="无法解密"):
        document_read(doc.file_name)
    entry = AuditEntry.objects.get(object_type="case_document")
    assert entry.detail == {"application": app.pk, "need": "household_register", "size": len(PDF)}


def test_termination_from_a_review_goes_up_the_chain_and_writes_a_notice(chain) -> None:
    case = case_open(ctx=chain.caseworker, child=chain.child, category="orphan",
                     orphan_type="scattered", opened_on=date(2025, 1, 1))  # fmt: skip
    review_record(ctx=chain.supervisor, case=case, reviewed_on=date(2026, 1, 5),
                  outcome="termination_proposed", note="儿童已被亲属收养")  # fmt: skip
    app = Application.objects.get(kind="terminate")
    assert (app.stage, app.reason, app.case) == (Stage.TOWNSHIP, "儿童已被亲属收养", case)
    application_pass(ctx=chain.supervisor, application=app)
    with pytest.raises(InvalidInput, match="终止原因"):  # 核查提出的，县级批准时选原因
        application_approve(ctx=chain.caseworker, application=app)
    with pytest.raises(InvalidInput, match="还缺少材料：收养登记证"):  # 终止也按原因要材料
        application_approve(ctx=chain.caseworker, application=app, reason_code="adopted")
    document_attach(ctx=chain.caseworker, application=app, need="adoption_certificate", data=PDF)
    application_approve(ctx=chain.caseworker, application=app, reason_code="adopted")
    case.refresh_from_db()
    assert (case.status, case.close_reason_code, case.close_reason) == (
        CaseStatus.CLOSED,
        "adopted",
        "儿童已被亲属收养",
    )
    done = Application.objects.get(pk=app.pk)
    notice = termination_notice_data(
        application=done, disclosure=disclosure_for(chain.caseworker.user)
    )
    assert notice is not None
    assert "终止孤儿基本生活保障" in notice.text
    # 看不到感染情况的人（乡镇督导员）读到的正文里，每个个案的类别都是“保障对象”
    seen = termination_notice_data(
        application=done, disclosure=disclosure_for(chain.supervisor.user)
    )
    assert seen is not None
    assert "终止保障对象基本生活保障" in seen.text
    assert "孤儿" not in seen.text
    assert notice.approving_body == "临河区民政局"
    assert "王小明" in notice.text
    assert "已被依法收养" in notice.text
    assert notice.closed_on == case.closed_on
    assert TerminationNotice.objects.count() == 1
    printed = termination_notice_of(user=chain.caseworker.user, case=case)  # 打印的告知书照它
    assert (printed.reason, printed.approving_body) == ("儿童已被亲属收养", "临河区民政局")


def test_termination_by_hand_needs_a_reason_code_and_a_written_reason(chain) -> None:
    case = case_open(ctx=chain.caseworker, child=chain.child, category="orphan",
                     orphan_type="scattered")  # fmt: skip
    with pytest.raises(InvalidInput, match="终止原因"):
        termination_propose(ctx=chain.supervisor, case=case, reason_code="", reason="已成年")
    with pytest.raises(InvalidInput, match="书面说明理由"):
        termination_propose(ctx=chain.supervisor, case=case, reason_code="aged_out", reason=" ")
    app = termination_propose(ctx=chain.caseworker, case=case, reason_code="aged_out",
                              reason="2026 年 3 月年满 18 周岁，未在校就读")  # fmt: skip
    application_approve(ctx=chain.caseworker, application=app)
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    assert case.close_reason.startswith("2026")


def test_a_case_opened_or_closed_another_way_takes_the_open_applications_off_the_chain(
    chain,
) -> None:
    app = application_create(ctx=chain.director, child=chain.child, data=ENROL)
    case = case_open(ctx=chain.caseworker, child=chain.child, category="orphan",
                     orphan_type="scattered")  # 比对发现确认纳入（同一个开案服务）  # fmt: skip
    app.refresh_from_db()
    assert app.stage == Stage.SUPERSEDED
    with pytest.raises(DomainError, match="不在您办理的环节"):
        application_pass(ctx=chain.director, application=app)
    proposal = termination_propose(ctx=chain.supervisor, case=case, reason_code="adopted",
                                   reason="已被收养")  # fmt: skip
    case_close(ctx=chain.caseworker, case=case, reason_code="adopted", reason="已被收养")
    proposal.refresh_from_db()
    assert proposal.stage == Stage.SUPERSEDED
    entry = AuditEntry.objects.filter(object_type="case", action="close").get()
    assert entry.detail["superseded"] == [proposal.pk]


def test_documents_and_starting_points_follow_scope_and_role(chain, personas) -> None:
    app = application_create(ctx=chain.director, child=chain.child, data=ENROL)
    doc = document_attach(ctx=chain.director, application=app, need="household_register",
                          data=PNG)  # fmt: skip
    assert access.access_document(chain.supervisor, doc.pk) == doc
    with pytest.raises(NotFound):  # 另一个县：同“不存在”
        access.access_document(chain.other_county, doc.pk)
    leader = work_ctx(personas.leader_city)
    with pytest.raises(NotFound):  # 领导不办理申请，也看不到材料
        access.access_document(leader, doc.pk)
    with pytest.raises(NotFound):
        access.access_application_start(chain.other_county, chain.child.pk)
    case = case_open(ctx=chain.caseworker, child=f.person(chain.child.division),
                     category="orphan", orphan_type="scattered")  # fmt: skip
    with pytest.raises(PermissionDenied):  # 儿童主任不提出终止（由核查或督导员、经办提出）
        access.access_termination_start(chain.director, case.pk)
    assert access.access_termination_start(chain.supervisor, case.pk) == case


def test_a_tab_of_applications_exports_whole_with_its_last_step(chain, personas) -> None:
    app = application_create(ctx=chain.director, child=chain.child, data=ENROL)
    application_pass(ctx=chain.director, application=app)
    client = client_for(personas.caseworker_a)
    assert (
        "/cases/applications/export.xlsx?tab=open"
        in client.get("/cases/applications/", {"tab": "open"}).content.decode()
    )
    answer = client.get("/cases/applications/export.xlsx", {"tab": "open"})
    rows = list(load_workbook(io.BytesIO(answer.content))["数据"].iter_rows(values_only=True))
    assert rows[0][0] == "儿童"
    assert [row[0] for row in rows[1:]] == ["王小明"]
    assert rows[1][5].startswith("村（居）")  # the last step: the village passed it on
    assert AuditEntry.objects.filter(action="export", object_type="application_list").exists()
    assert client.get("/cases/applications/export.xlsx", {"tab": "x"}).status_code == 404
    other = client_for(personas.caseworker_b).get(
        "/cases/applications/export.xlsx", {"tab": "open"}
    )
    other_rows = list(load_workbook(io.BytesIO(other.content))["数据"].iter_rows(min_row=2))
    assert other_rows == []  # another county's caseworker gets none of it


def test_an_open_application_is_withdrawn_with_a_reason_and_can_be_registered_again(
    chain,
) -> None:
    app = application_create(ctx=chain.director, child=chain.child, data=ENROL)
    application_pass(ctx=chain.director, application=app)  # 到了乡镇
    with pytest.raises(InvalidInput, match="撤回申请须书面说明理由"):
        application_withdraw(ctx=chain.director, application=app, reason=" ")
    with pytest.raises(DomainError, match="不能撤回"):  # 别的县的经办人员
        application_withdraw(ctx=chain.other_county, application=app, reason="不再申请")
    # 登记它的儿童主任替家庭撤回（申请已在乡镇，他仍可撤回）
    application_withdraw(ctx=chain.director, application=app, reason="监护人表示不再申请")
    app.refresh_from_db()
    assert app.stage == Stage.WITHDRAWN
    step = ApplicationStep.objects.filter(application=app).order_by("pk").last()
    assert step is not None
    assert (step.decision, step.reason) == ("withdraw", "监护人表示不再申请")
    with pytest.raises(DomainError, match="不能撤回"):
        application_withdraw(ctx=chain.director, application=app, reason="再撤一次")
    entry = AuditEntry.objects.filter(object_type="application", object_id=str(app.pk)).last()
    assert entry is not None
    assert entry.detail["decision"] == "withdraw"
    assert "不再申请" not in str(entry.detail)
    page = client_for(chain.caseworker.user).get("/cases/applications/?tab=withdrawn")
    assert "王小明" in page.content.decode()
    again = application_create(ctx=chain.director, child=chain.child, data=ENROL)
    assert again.stage == Stage.VILLAGE
