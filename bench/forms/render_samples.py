"""Render the four printable forms with sample data to PDF and PNG for people to look at.

    .venv/bin/python bench/forms/render_samples.py [out-dir]   (default bench/out/forms)

PNGs are drawn by pypdfium2 (a dev dependency), 110 dpi; nothing here needs a database.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pypdfium2 as pdfium

from shouhu.web.cases import forms_pdf as fp

TODAY = date(2026, 12, 5)
MARK = "导出人 示例（县级民政经办人员，临河区民政局）  2026-12-05 10:00  用途：资格确认  导出编号 X"


def samples() -> dict[str, bytes]:
    notice = fp.TerminationNotice(
        child_name="王小明",
        child_id_number="150802201203040011",
        category="事实无人抚养儿童",
        opened_on=date(2021, 3, 15),
        closed_on=date(2026, 11, 30),
        reason_label="儿童父亲已刑满释放，不再符合事实无人抚养儿童保障条件",
        reason="2026年10月核查时，临河区人民法院和公安机关的记录表明王大山已于2026年9月刑满释放，"
        "现与儿童共同生活并履行抚养义务。",
        guardian_name="王大海",
        guardian_relation="祖父",
        approving_body="临河区民政局",
        review_body="临河区人民政府",
        issued_on=date(2026, 12, 1),
    )
    facts = (
        fp.FactLine("母亲", "死亡", "2020年1月1日", "临河区人民法院"),
        fp.FactLine("父亲", "重病（尿毒症）", "2019年1月1日起", "临河区医疗保障局"),
        fp.FactLine("儿童本人", "在校就读", "2024年9月1日起", "临河区教育局"),
    )
    carer = fp.Carer("王大海", "祖父", "150802195001010016", "13800000001", "城关镇示范村3组")
    approval = fp.ApprovalForm(
        child_name="王小明",
        child_id_number="150802201203040011",
        gender="男",
        birth_date=date(2012, 3, 4),
        registered_at="内蒙古自治区巴彦淖尔市临河区城关镇示范村",
        category="事实无人抚养儿童",
        placement="散居",
        applied_on=date(2026, 11, 2),
        facts=facts,
        carer=carer,
        village_body="示范村村民委员会",
        township_body="城关镇人民政府",
        county_body="临河区民政局",
        monthly_amount="1,300.00 元",
    )
    lost = fp.LostContact(
        child_name="李小红",
        child_id_number="150802201407090028",
        gender="女",
        birth_date=date(2014, 7, 9),
        registered_at="内蒙古自治区巴彦淖尔市临河区城关镇示范村",
        lost=fp.Parent(
            "母亲", "张秀兰", "150802199001020048", "临河区城关镇示范村", "失联", date(2025, 8, 1)
        ),
        other=fp.Parent("父亲", "李大山", "150802198506010035", "临河区城关镇示范村", "服刑在押"),
        carer_name="李大海",
        carer_relation="祖父",
        carer_phone="13800000002",
        village_body="示范村村民委员会",
        township_body="城关镇人民政府",
        county_body="临河区民政局",
    )
    return {
        "termination_notice": fp.termination_notice_pdf(notice, mark=MARK),
        "approval_form": fp.approval_form_pdf(approval, mark=MARK),
        "lost_contact_receipt": fp.lost_contact_receipt_pdf(lost, today=TODAY, mark=MARK),
        "lost_contact_finding": fp.lost_contact_finding_pdf(lost, today=TODAY, mark=MARK),
    }


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name, data in samples().items():
        (out / f"{name}.pdf").write_bytes(data)
        pdf = pdfium.PdfDocument(data)
        for i in range(len(pdf)):
            image = pdf[i].render(scale=110 / 72).to_pil()
            image.save(out / f"{name}-{i + 1}.png")
        print(f"{name}: {len(data):,} bytes, {len(pdf)} page(s)")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("bench/out/forms"))
