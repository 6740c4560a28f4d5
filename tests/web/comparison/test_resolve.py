"""Confirming and dismissing findings: the register changes with the finding, in one transaction,
with one audit entry each; a termination needs a written reason (bayannur §4(三))."""

from __future__ import annotations

import pytest
from django.utils import timezone

from shouhu.core.errors import DomainError, ErrorCode, InvalidInput
from shouhu.web.audit.models import AuditEntry
from shouhu.web.cases.models import Case
from shouhu.web.cases.services import case_close, case_open
from shouhu.web.comparison.services import finding_confirm, finding_dismiss
from tests.web import factories as f
from tests.web.comparison.conftest import ctx_for

pytestmark = pytest.mark.django_db


def _audit(object_type: str, object_id: object) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(object_type=object_type, object_id=str(object_id)))


def test_confirming_an_enrol_finding_opens_a_case_of_its_category(personas, made):
    done = finding_confirm(ctx=ctx_for(personas.caseworker_a), finding=made.enrol, reason="已核实")
    case = Case.objects.get(child=made.orphan, status="active")
    assert (case.category, case.orphan_type, case.opened_on) == (
        "orphan",
        "scattered",
        timezone.localdate(),
    )
    assert (case.opened_by, case.division) == (personas.caseworker_a, made.orphan.division)
    assert (done.status, done.outcome_case, done.resolved_by) == (
        "confirmed",
        case,
        personas.caseworker_a,
    )
    [opened] = _audit("case", case.pk)
    assert (opened.action, opened.detail["category"]) == ("create", "orphan")
    [resolved] = _audit("finding", made.enrol.pk)
    assert resolved.detail == {
        "resolution": "confirmed",
        "kind": "enrol",
        "case": case.pk,
        "reason_code": "",
        "reason_chars": 3,
    }
    assert "已核实" not in str(resolved.detail)
    assert made.orphan.name not in str(opened.detail)


def test_confirming_an_exit_closes_the_case_with_the_written_reason(personas, made):
    reason = "已于2026年5月1日年满18周岁，依规终止。"
    finding_confirm(
        ctx=ctx_for(personas.caseworker_a), finding=made.exit, reason_code="aged_out", reason=reason
    )
    made.exit_case.refresh_from_db()
    assert made.exit_case.status == "closed"
    assert made.exit_case.close_reason_code == "aged_out"
    assert made.exit_case.close_reason == "已于2026年5月1日年满18周岁，依规终止。"
    assert made.exit_case.closed_by == personas.caseworker_a
    [closed] = _audit("case", made.exit_case.pk)
    assert (closed.action, closed.detail["reason_code"]) == ("close", "aged_out")


@pytest.mark.parametrize("reason", ["", "   \n "])
def test_an_exit_without_a_written_reason_is_refused_and_nothing_changes(personas, made, reason):
    with pytest.raises(InvalidInput, match="书面说明理由"):
        finding_confirm(
            ctx=ctx_for(personas.caseworker_a),
            finding=made.exit,
            reason_code="aged_out",
            reason=reason,
        )
    made.exit.refresh_from_db()
    made.exit_case.refresh_from_db()
    assert (made.exit.status, made.exit_case.status) == ("open", "active")
    assert not _audit("case", made.exit_case.pk)
    assert not _audit("finding", made.exit.pk)


def test_an_exit_needs_one_of_the_findings_reason_codes(personas, made):
    with pytest.raises(InvalidInput, match="终止原因"):
        finding_confirm(
            ctx=ctx_for(personas.caseworker_a),
            finding=made.exit,
            reason_code="adopted",
            reason="理由",
        )
    finding_confirm(
        ctx=ctx_for(personas.caseworker_a),
        finding=made.exit,
        reason_code="other",
        reason="经入户核实，监护情况已改变。",
    )
    made.exit_case.refresh_from_db()
    assert made.exit_case.close_reason_code == "other"


def test_confirming_a_change_updates_the_category_in_place(personas, made):
    finding_confirm(ctx=ctx_for(personas.caseworker_a), finding=made.change)
    made.change_case.refresh_from_db()
    assert (made.change_case.status, made.change_case.category, made.change_case.orphan_type) == (
        "active",
        "orphan",
        "scattered",
    )
    [changed] = _audit("case", made.change_case.pk)
    assert changed.action == "update"
    assert changed.detail["from"] == {"category": "de_facto_unsupported", "orphan_type": ""}
    assert changed.detail["to"] == {"category": "orphan", "orphan_type": "scattered"}


def test_a_review_records_an_outcome_and_what_was_checked_and_leaves_the_register(personas, made):
    ctx = ctx_for(personas.caseworker_a)
    text = "已入户核实，死亡日期为2024年3月1日，待公安更正。"
    with pytest.raises(InvalidInput, match="核查结果"):
        finding_confirm(ctx=ctx, finding=made.review, reason=text)  # 没选结果
    with pytest.raises(InvalidInput, match="核查结果"):
        finding_confirm(ctx=ctx, finding=made.review, reason=" ", reason_code="record_wrong")
    done = finding_confirm(ctx=ctx, finding=made.review, reason=text, reason_code="record_wrong")
    assert (done.status, done.resolution_code) == ("confirmed", "record_wrong")
    page = f.client_for(personas.caseworker_a).get(f"/comparison/findings/{done.pk}/")
    assert "已核查" in page.content.decode()
    assert "记录有误，已请报送部门更正" in page.content.decode()
    assert done.outcome_case is None
    assert not Case.objects.filter(child=made.review.person).exists()


def test_dismissing_needs_a_reason_and_is_audited(personas, made):
    ctx = ctx_for(personas.caseworker_a)
    with pytest.raises(InvalidInput, match="驳回比对发现须书面说明理由"):
        finding_dismiss(ctx=ctx, finding=made.unlinked, reason="")
    done = finding_dismiss(
        ctx=ctx, finding=made.unlinked, reason="该记录为外省人员，已告知报送部门。"
    )
    assert (done.status, done.resolution_reason) == (
        "dismissed",
        "该记录为外省人员，已告知报送部门。",
    )
    [entry] = _audit("finding", made.unlinked.pk)
    assert (entry.action, entry.purpose, entry.detail["resolution"]) == (
        "update",
        "comparison",
        "dismissed",
    )


def test_a_finding_is_resolved_once(personas, made):
    ctx = ctx_for(personas.caseworker_a)
    finding_dismiss(ctx=ctx, finding=made.enrol, reason="重复")
    with pytest.raises(DomainError) as again:
        finding_confirm(ctx=ctx, finding=made.enrol)
    assert again.value.code == ErrorCode.CONFLICT
    assert not Case.objects.filter(child=made.orphan).exists()


def test_enrol_is_refused_when_the_child_already_has_an_active_case(personas, made):
    case_open(ctx=ctx_for(personas.caseworker_a), child=made.orphan, category="orphan")
    with pytest.raises(DomainError) as refused:
        finding_confirm(ctx=ctx_for(personas.caseworker_a), finding=made.enrol)
    assert refused.value.code == ErrorCode.CONFLICT
    made.enrol.refresh_from_db()
    assert made.enrol.status == "open"
    assert Case.objects.filter(child=made.orphan).count() == 1


def test_exit_is_refused_when_someone_closed_the_case_meanwhile(personas, made):
    case_close(
        ctx=ctx_for(personas.caseworker_a),
        case=made.exit_case,
        reason_code="aged_out",
        reason="已满18周岁。",
    )
    with pytest.raises(DomainError) as refused:
        finding_confirm(
            ctx=ctx_for(personas.caseworker_a),
            finding=made.exit,
            reason_code="aged_out",
            reason="已满18周岁。",
        )
    assert refused.value.code == ErrorCode.CONFLICT


def test_case_open_checks_the_category(personas, made):
    with pytest.raises(InvalidInput):
        case_open(ctx=ctx_for(personas.caseworker_a), child=made.orphan, category="left_behind")
    with pytest.raises(InvalidInput):
        case_open(
            ctx=ctx_for(personas.caseworker_a),
            child=made.orphan,
            category="de_facto_unsupported",
            orphan_type="scattered",
        )
