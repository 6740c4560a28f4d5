"""bayannur 的两个附件：《儿童父母失联查找情况回执单》（附件1，公安机关出具）和
《儿童父母失联情况认定表》（附件2，民政部门出具）。

通知只给了标题和用途（§3(二)2(6)：失联指失去联系且未履行监护抚养责任6个月以上；查不了的，
走“个人承诺+邻里证明+嘎查村(居)证实+苏木乡镇人民政府(街道办事处)查验+旗县级民政部门确认”），
所以按民政、公安此类表单的通常样式排：上半是平台已知的事实（儿童、失联的父或母、最后联系
日期），下半是要在纸上填写的查找情况、承诺、证明和各级签章。平台不知道的一律留白。
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from shouhu.web.cases.forms_pdf.layout import (
    BLANK,
    date_blank,
    date_text,
    form_table,
    opinion,
    para,
    right,
)

DEFINITION = "失联是指失去联系且未履行监护抚养责任6个月以上。"


@dataclass(frozen=True)
class Parent:
    relation: str  # 父亲 / 母亲
    name: str
    id_number: str
    registered_at: str
    situation: str = ""  # 平台记载的情形（失联、重病……），没有记录为空
    since: date | None = None  # 失联：最后联系日期


@dataclass(frozen=True)
class LostContact:
    """两个附件共用的内容：儿童、失联的父或母、另一方、照料人；空串在纸上手写。"""

    child_name: str
    child_id_number: str
    gender: str
    birth_date: date | None
    registered_at: str
    lost: Parent
    other: Parent | None
    carer_name: str
    carer_relation: str
    carer_phone: str
    village_body: str
    township_body: str
    county_body: str
    police_body: str = ""  # 出具回执单的公安机关：平台不知道，留白


def _months(since: date | None, today: date) -> str:
    if since is None:
        return BLANK
    months = (today.year - since.year) * 12 + today.month - since.month - (today.day < since.day)
    return f"{max(months, 0)} 个月"


def _people(data: LostContact, today: date) -> list[list[str | Flowable]]:
    lost = data.lost
    return [
        ["儿童姓名", data.child_name, "性别", data.gender or ""],
        ["公民身份号码", data.child_id_number or "", "出生日期", date_text(data.birth_date)],
        ["户籍地", data.registered_at, "", ""],
        [f"失联人（{lost.relation}）", lost.name or "", "公民身份号码", lost.id_number or ""],
        ["失联人户籍地", lost.registered_at or "", "", ""],
        ["最后联系日期", date_text(lost.since), "失联时长", _months(lost.since, today)],
    ]


def lost_contact_receipt_pdf(data: LostContact, *, today: date, mark: str = "") -> bytes:
    """附件1 儿童父母失联查找情况回执单：报案（申请查找）事项由平台填，查找情况由公安机关填。"""
    rows = [
        *_people(data, today),
        ["申请查找人", data.carer_name or "", "与儿童关系", data.carer_relation or ""],
        ["联系电话", data.carer_phone or "", "报案（申请）日期", date_blank()],
        ["查找情况", [para("□已受理报案并登记　□已比对人口信息　□已比对出入境信息", 10),
                     para("□已比对羁押、在押、强制隔离戒毒信息　□已走访询问知情人", 10),
                     para("其他：", 10), Spacer(1, 14 * mm)], "", ""],
        ["查找结果", [para("□经查找，仍未找到失联人下落", 10),
                     para("□已找到失联人下落（下落：" + BLANK * 3 + "）", 10)], "", ""],
        opinion("公安机关意见", seal=data.police_body or "公安机关",
                signer="承办民警（签字）", lines=2),
    ]  # fmt: skip
    spans = [((1, r), (3, r)) for r in (2, 4, 8, 9, 10)]
    return form_table(
        "儿童父母失联查找情况回执单", subtitle="（附件1）", rows=rows, spans=spans, mark=mark,
        note=f"{DEFINITION}本回执单一式三份，申请查找人、公安机关、县级民政部门各执一份。",
    )  # fmt: skip


PLEDGE = (
    "本人承诺以上所填情况真实，失联人确已失去联系且未履行监护抚养责任6个月以上。如有虚假，"
    "愿承担相应法律责任，并退回已领取的保障资金。"
)


def lost_contact_finding_pdf(data: LostContact, *, today: date, mark: str = "") -> bytes:
    """附件2 儿童父母失联情况认定表：个人承诺、邻里证明、村（居）证实、乡镇查验、县级民政确认。"""
    other = data.other
    other_row: list[str | Flowable] = (
        [f"另一方（{other.relation}）", other.name or "", "情况", other.situation or ""]
        if other
        else ["另一方父（母）", BLANK, "情况", BLANK]
    )
    rows = [
        *_people(data, today),
        other_row,
        ["监护人或照料人", data.carer_name or "", "联系电话", data.carer_phone or ""],
        ["失联经过", [para("（最后一次联系的时间、地点、方式，此后寻找的经过）", 9),
                     Spacer(1, 5 * mm)], "", ""],
        ["个人承诺", [para(PLEDGE, 10),
                     right(f"承诺人（签字、按手印）：{BLANK}　与儿童关系：{BLANK}", 10),
                     right(date_blank(), 10)], "", ""],
        ["邻里证明", [para("我们是儿童家庭的邻居，证明以上情况属实。", 10),
                     para(f"证明人（签字）：{BLANK} 住址：{BLANK} 电话：{BLANK}", 10),
                     para(f"证明人（签字）：{BLANK} 住址：{BLANK} 电话：{BLANK}", 10),
                     right(date_blank(), 10)], "", ""],
        opinion("村（居）委会证实意见", seal=data.village_body, lines=1),
        opinion("乡镇（街道）查验意见", seal=data.township_body, lines=1),
        opinion("县级民政部门认定意见", seal=data.county_body, signer="审批人（签字）",
                lines=1),
    ]  # fmt: skip
    spans = [((1, r), (3, r)) for r in (2, 4, 8, 9, 10, 11, 12, 13)]
    return form_table(
        "儿童父母失联情况认定表", subtitle="（附件2）", issuer=data.county_body, rows=rows,
        spans=spans, mark=mark,
        note=f"{DEFINITION}本表用于公安部门因不具备查询条件难以接警查找的情形；"
        "一式三份，村（居）委会、乡镇（街道）、县级民政部门各存一份。",
    )  # fmt: skip
