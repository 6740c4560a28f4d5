"""终止保障告知书、审批表：从个案的数据（纯数据类，不读数据库）排成 PDF。

终止告知书写明理由、依据、审批机关和救济途径（bayannur §4(三)：对决定终止其保障资格的，
应当书面说明理由）；审批表是一张表：儿童、类别、据以认定的事实、照料人，下面是审批链的三栏
意见——村（居）委会、乡镇（街道）、县级民政，各有签字、盖章和日期。意见可以由平台的审批链
填入，没有时留空在纸上手写。
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from shouhu.web.cases.forms_pdf.layout import (
    BLANK,
    build,
    date_text,
    form_table,
    grid,
    opinion,
    para,
    right,
    title,
)

TERMINATION_BASIS = (
    "《国务院办公厅关于加强孤儿保障工作的意见》《关于进一步加强事实无人抚养儿童保障工作的意见》"
    "和巴彦淖尔市民政局等部门《关于建立孤儿和事实无人抚养儿童数据信息共享协同保障工作机制的通知》"
    "第四部分第（三）项"
)


@dataclass(frozen=True)
class TerminationNotice:
    """终止保障告知书的内容。身份证号按查看人的权限给出（可能已脱敏）；空串处留白手写。"""

    child_name: str
    child_id_number: str
    category: str  # 中文：孤儿 / 事实无人抚养儿童
    opened_on: date
    closed_on: date
    reason_label: str  # 终止原因（一句话）
    reason: str  # 书面理由（原文）
    guardian_name: str
    guardian_relation: str
    approving_body: str  # 作出决定的机关：临河区民政局
    review_body: str  # 受理行政复议的机关：临河区人民政府
    legal_basis: str = TERMINATION_BASIS
    issued_on: date | None = None


def body(text: str) -> Flowable:
    """公文正文的一段：段首空两字。"""
    return para(text, indent=True)


def termination_notice_pdf(data: TerminationNotice, *, mark: str = "") -> bytes:
    """终止保障告知书（给监护人或照料人），末尾附送达回执。`mark`：页脚的导出标记。"""
    guardian = data.guardian_name or BLANK
    relation = f"（{data.guardian_relation}）" if data.guardian_relation else ""
    flow: list[Flowable] = [
        *title("终止保障告知书"),
        right(f"编号：{BLANK}{BLANK}", 10.5),
        Spacer(1, 3 * mm),
        para(f"{guardian}{relation}："),
        body(
            f"儿童{data.child_name}（公民身份号码：{data.child_id_number or BLANK}）自"
            f"{date_text(data.opened_on)}起作为{data.category}纳入基本生活保障。经核查，"
            f"{data.reason_label}。经{data.approving_body}审批，决定自{date_text(data.closed_on)}"
            f"起终止其{data.category}基本生活保障。现将有关事项告知如下："
        ),
        body("一、终止理由"),
        body(f"{data.reason}"),
        body("二、依据"),
        body(f"{data.legal_basis}。"),
        body("三、救济途径"),
        body(
            f"如对本决定有异议，可以自收到本告知书之日起六十日内向{data.review_body}申请"
            "行政复议，或者自收到本告知书之日起六个月内依法向人民法院提起行政诉讼；也可以向"
            f"{data.approving_body}书面提出意见，我们将在十五个工作日内答复。"
        ),
        body("儿童今后的情况如有变化、重新符合保障条件的，可以再次提出申请。"),
        Spacer(1, 10 * mm),
        right(f"{data.approving_body}（盖章）"),
        right(date_text(data.issued_on or data.closed_on)),
        Spacer(1, 12 * mm),
        para("—" * 12 + " 送达回执 " + "—" * 12, 9, align=1),
        grid(
            [
                ["受送达人", guardian, "与儿童关系", data.guardian_relation or ""],
                ["送达文书", "终止保障告知书", "送达方式", "□直接送达　□留置送达　□邮寄送达"],
                ["受送达人签收", "", "签收日期", date_text(None)],
                ["送达人（签字）", "", "见证人（签字）", ""],
            ],
            (0.18, 0.32, 0.18, 0.32),
        ),
    ]
    return build(flow, mark=mark, form_title="终止保障告知书")


@dataclass(frozen=True)
class FactLine:
    """据以认定的一项事实：谁、什么情形、起止或日期、出具部门。"""

    subject: str  # 父亲 / 母亲 / 儿童本人
    what: str  # 中文：重病、服刑在押……
    when: str  # 已排好的日期文字
    source: str  # 出具部门


@dataclass(frozen=True)
class Carer:
    name: str = ""
    relation: str = ""
    id_number: str = ""
    phone: str = ""
    address: str = ""


@dataclass(frozen=True)
class ApprovalForm:
    """审批表的内容；`opinions` 是三级意见（村、乡镇、县），空串在纸上手写。"""

    child_name: str
    child_id_number: str
    gender: str
    birth_date: date | None
    registered_at: str  # 户籍地（区划全称）
    category: str
    placement: str
    applied_on: date | None
    facts: tuple[FactLine, ...]
    carer: Carer
    village_body: str  # 示范村村民委员会
    township_body: str  # 城关镇人民政府
    county_body: str  # 临河区民政局
    monthly_amount: str = ""
    opinions: tuple[str, str, str] = ("", "", "")


def _facts_rows(facts: tuple[FactLine, ...]) -> list[list[str | Flowable]]:
    if not facts:
        return [["据以认定的事实", "平台上暂无记录，请据证明材料填写。", "", ""]]
    head: list[list[str | Flowable]] = [["据以认定的事实", "对象　情形", "日期", "出具部门"]]
    return head + [["", f"{f.subject}　{f.what}", f.when, f.source] for f in facts]


def approval_form_pdf(data: ApprovalForm, *, mark: str = "") -> bytes:
    """孤儿、事实无人抚养儿童基本生活保障审批表。"""
    c = data.carer
    facts = _facts_rows(data.facts)
    first_fact = 5
    rows: list[list[str | Flowable]] = [
        ["儿童姓名", data.child_name, "性别", data.gender or ""],
        ["公民身份号码", data.child_id_number or "", "出生日期", date_text(data.birth_date)],
        ["户籍地", data.registered_at, "", ""],
        ["申请类别", data.category, "安置方式", data.placement or "□散居　□集中"],
        ["申请日期", date_text(data.applied_on), "月保障标准", data.monthly_amount or ""],
        *facts,
        ["监护人或照料人", c.name or "", "与儿童关系", c.relation or ""],
        ["公民身份号码", c.id_number or "", "联系电话", c.phone or ""],
        ["家庭住址", c.address or "", "", ""],
        opinion("村（居）委会意见", data.opinions[0], seal=data.village_body),
        opinion("乡镇（街道）审核意见", data.opinions[1], seal=data.township_body),
        opinion(
            "县级民政部门审批意见", data.opinions[2], seal=data.county_body, signer="审批人（签字）"
        ),
    ]
    last_fact = first_fact + len(facts) - 1
    spans = [((1, 2), (3, 2)), ((0, first_fact), (0, last_fact))]
    if not data.facts:
        spans.append(((1, first_fact), (3, first_fact)))
    address_row = last_fact + 3
    spans.append(((1, address_row), (3, address_row)))
    spans += [((1, r), (3, r)) for r in range(address_row + 1, address_row + 4)]
    return form_table(
        "孤儿、事实无人抚养儿童基本生活保障审批表", issuer=data.county_body, rows=rows,
        spans=spans, mark=mark,
        note="本表一式三份，村（居）委会、乡镇（街道）、县级民政部门各存一份；证明材料附后。",
    )  # fmt: skip
