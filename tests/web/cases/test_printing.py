"""Printable forms: the PDF's text (extracted with pypdf) says what the file says, the Chinese
font is embedded (FontFile2 in every font descriptor, no unembedded font), downloads follow the
case's scope and are audited as exports with their mark."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from django.test import Client
from pypdf import PdfReader

from shouhu.web.audit.models import Action, AuditEntry
from shouhu.web.cases import forms_pdf as fp
from shouhu.web.cases.models import CareArrangement
from shouhu.web.cases.reviews import case_close_after_review
from shouhu.web.exchange.models import Submission
from tests.web import factories as f
from tests.web.cases.conftest import Casework


def pdf_text(data: bytes) -> str:
    """The text of every page, without white space (table cells wrap lines anywhere)."""
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return re.sub(r"\s+", "", text)


def fonts_of(data: bytes) -> list[tuple[str, bool]]:
    """(BaseFont, embedded) of every font the pages use."""
    found = []
    for page in PdfReader(io.BytesIO(data)).pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            descriptor = font.get("/FontDescriptor")
            embedded = descriptor is not None and any(
                k in descriptor.get_object() for k in ("/FontFile2", "/FontFile3")
            )
            found.append((str(font["/BaseFont"]), embedded))
    return found


NOTICE = fp.TerminationNotice(
    child_name="王小明", child_id_number="150802201203040011", category="事实无人抚养儿童",
    opened_on=date(2021, 3, 15), closed_on=date(2026, 11, 30),
    reason_label="儿童父亲已刑满释放", reason="父亲已于2026年9月刑满释放，与儿童共同生活。",
    guardian_name="王大海", guardian_relation="祖父", approving_body="临河区民政局",
    review_body="临河区人民政府",
)  # fmt: skip


def test_termination_notice_says_reason_basis_body_and_right_to_object() -> None:
    data = fp.termination_notice_pdf(NOTICE, mark="导出编号 ABCD1234")
    text = pdf_text(data)
    for expected in ("终止保障告知书", "王大海（祖父）", "王小明", "2026年11月30日",
                     "父亲已于2026年9月刑满释放", "第四部分第（三）项", "临河区民政局（盖章）",
                     "临河区人民政府申请", "行政复议", "行政诉讼", "送达回执",
                     "ABCD1234"):  # fmt: skip
        assert expected in text, expected
    fonts = fonts_of(data)
    assert fonts
    assert all(embedded for _, embedded in fonts), fonts
    assert all("NotoSerifCJK" in name for name, _ in fonts)


def test_a_character_outside_the_font_prints_as_a_box_to_fill_by_hand() -> None:
    assert fp.missing_glyphs("王𠮷明") == "𠮷"
    notice = fp.TerminationNotice(**{**NOTICE.__dict__, "child_name": "王𠮷明"})
    assert "王□明" in pdf_text(fp.termination_notice_pdf(notice))


def test_caseworker_prints_the_approval_form_of_an_open_case(casework: Casework, client: Client,
                                                             personas) -> None:  # fmt: skip
    CareArrangement.objects.create(case=casework.case, carer_name="王大海", relation="祖父",
                                   phone="13800000001", started_on=date(2025, 1, 1))  # fmt: skip
    client.force_login(personas.caseworker_a)
    response = client.get(f"/cases/{casework.case.pk}/forms/approval.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for expected in ("基本生活保障审批表", casework.child.name, casework.child.id_number,
                     "事实无人抚养儿童", "母亲死亡", "父亲重病（尿毒症）", "王大海",
                     "村（居）委会意见", "乡镇（街道）审核意见", "县级民政部门审批意见",
                     "示范村村民委员会", "城关镇人民政府", "临河区民政局"):  # fmt: skip
        assert expected in text, expected
    entry = AuditEntry.objects.filter(action=Action.EXPORT, object_type="case_form").get()
    assert entry.purpose == "determination"
    assert entry.object_id == str(casework.case.pk)
    assert entry.detail["form"] == "approval"
    assert entry.detail["mark"] in text


def test_director_sees_a_masked_number_and_an_outline_only(casework: Casework, client: Client,
                                                           personas) -> None:  # fmt: skip
    client.force_login(personas.child_director_a)
    text = pdf_text(client.get(f"/cases/{casework.case.pk}/forms/approval.pdf").content)
    assert casework.child.name in text
    assert casework.child.id_number not in text  # 150802********0011


def test_out_of_scope_and_wrong_form_are_refused(casework: Casework, client: Client,
                                                 personas) -> None:  # fmt: skip
    client.force_login(personas.caseworker_b)  # 五原县
    assert client.get(f"/cases/{casework.case.pk}/forms/approval.pdf").status_code == 404
    client.force_login(personas.court_clerk_a)
    assert client.get(f"/cases/{casework.case.pk}/forms/approval.pdf").status_code == 404
    client.force_login(personas.caseworker_a)
    closed_only = client.get(f"/cases/{casework.case.pk}/forms/termination.pdf")
    assert closed_only.status_code == 400
    assert "已终止保障的个案" in closed_only.content.decode()
    assert client.get(f"/cases/{casework.case.pk}/forms/lost_receipt.pdf").status_code == 400
    assert not AuditEntry.objects.filter(action=Action.EXPORT).exists()


def test_termination_notice_from_a_closed_case(casework: Casework, client: Client,
                                               personas) -> None:  # fmt: skip
    case_close_after_review(ctx=casework.caseworker, case=casework.case, reason_code="other",
                            reason="父亲病愈，已恢复劳动能力并履行抚养义务。")  # fmt: skip
    client.force_login(personas.caseworker_a)
    page = client.get(f"/persons/{casework.child.pk}/").content.decode()
    assert "终止保障告知书" in page
    assert "基本生活保障审批表" not in page
    text = pdf_text(client.get(f"/cases/{casework.case.pk}/forms/termination.pdf").content)
    assert "父亲病愈，已恢复劳动能力并履行抚养义务。" in text
    assert "临河区人民政府申请" in text


@pytest.mark.parametrize(("form", "title"), [("lost_receipt", "儿童父母失联查找情况回执单"),
                                        ("lost_finding", "儿童父母失联情况认定表")])  # fmt: skip
def test_lost_contact_annexes(casework: Casework, client: Client, personas, region, form: str,
                              title: str) -> None:  # fmt: skip
    police = f.agency("public_security", region.county_a, "临河区公安分局")
    receipt = Submission.objects.create(agency=police, item_code="public_security_lost_contact",
                                        period=date(2025, 6, 1), channel="upload",
                                        content_sha256="f" * 64)  # fmt: skip
    f.fact(casework.father, police, "lost_contact", start=date(2025, 1, 10), submission=receipt)
    client.force_login(personas.caseworker_a)
    page = client.get(f"/persons/{casework.child.pk}/").content.decode()
    assert title in page
    text = pdf_text(client.get(f"/cases/{casework.case.pk}/forms/{form}.pdf").content)
    for expected in (title, casework.child.name, "失联人（父亲）", casework.father.name,
                     "2025年1月10日", "（盖章）"):  # fmt: skip
        assert expected in text, expected
