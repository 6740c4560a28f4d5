"""台账导入的测试材料：临河区的几名儿童，以及按两种县里常见写法做成的真实 XLSX 台账。"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

import pytest
from openpyxl import Workbook

from shouhu.web.accounts.models import Agency, User
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import Purpose
from shouhu.web.cases.models import Case
from shouhu.web.cases.services import case_open
from shouhu.web.registry.models import Person
from tests.web import factories as f

# 平台模板的表头（第一种写法）
PLATFORM_HEADERS = ["姓名", "身份证号", "类别", "安置方式", "纳入保障日期", "监护人或照料人姓名",
                    "监护人或照料人身份证号", "联系电话", "与儿童关系", "家庭住址", "月保障标准",
                    "状态"]  # fmt: skip
# 另一个县的写法（第二种）：表头不同、列序不同，多一列序号，日期写成中文，号码有15位旧号
COUNTY_HEADERS = ["序号", "儿童姓名", "公民身份号码", "保障类别", "供养方式", "批准日期",
                  "监护人", "联系方式", "关系", "住址", "保障标准（元/月）",
                  "保障状态"]  # fmt: skip


@dataclass
class Children:
    a: Person
    b: Person
    c: Person
    elsewhere: Person  # 五原县（另一个县）的儿童
    uncle: Person  # 张小军的叔叔（照料人），1975 年生，台账上还是15位旧号码


@pytest.fixture
def children(region, personas) -> Children:
    return Children(
        a=f.person(region.village_a, name="王小明", birth=date(2012, 3, 4)),
        b=f.person(region.village_a, name="李小红", birth=date(2014, 7, 9), gender="F"),
        c=f.person(region.township_a, name="张小军", birth=date(2011, 1, 20)),
        elsewhere=f.person(region.village_b, name="赵小兰", birth=date(2013, 5, 5), gender="F"),
        uncle=f.person(region.township_a, name="张大民", birth=date(1975, 2, 3)),
    )


def xlsx(headers: list[str], rows: list[list[object]], *, sheet: str = "台账") -> bytes:
    workbook = Workbook()
    ws = workbook.active
    assert ws is not None
    ws.title = sheet
    ws.append(headers)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def platform_sheet(children: Children) -> bytes:
    return xlsx(PLATFORM_HEADERS, [
        [children.a.name, children.a.id_number, "事实无人抚养儿童", "散居", "2021-03-15",
         "王大海", "", "13800000001", "祖父", "城关镇示范村3组", "1,300.00", "保障中"],
        [children.b.name, children.b.id_number, "孤儿", "集中", date(2019, 9, 1),
         "", "", "", "", "", 1850, "保障中"],
    ])  # fmt: skip


def county_sheet(children: Children) -> bytes:
    uncle = children.uncle.id_number
    id15 = uncle[:6] + uncle[8:17]  # 同一人的15位旧号码
    spaced = f"{children.c.id_number[:6]} {children.c.id_number[6:14]} {children.c.id_number[14:]}"
    return xlsx([*COUNTY_HEADERS, "监护人身份证号"], [
        [1, children.c.name, spaced, "散居孤儿", "散居供养", "2020年6月1日", "张大民",
         "0478-8123456", "叔叔", "城关镇", 1500, "在保", id15],
        [2, children.a.name, children.a.id_number, "事实无人抚养", "散居", "2021/3/15", "", "", "",
         "", "", "正常", ""],
    ])  # fmt: skip


def ctx_of(user) -> RequestContext:
    return RequestContext(user=user, client_ip="10.20.30.40", purpose=Purpose.CASE_WORK)


# ---------------------------------------------------------------- 个案工作


@dataclass
class Casework:
    """示范村的一名事实无人抚养儿童（母亲死亡、父亲重病：每年核查 1 次），2025 年 1 月 1 日纳入。"""

    case: Case
    child: Person
    father: Person
    court: Agency
    caseworker: RequestContext
    director: RequestContext


def work_ctx(user: User) -> RequestContext:
    return RequestContext(user=user, client_ip=f.CLIENT_IP, purpose=Purpose.CASE_WORK)


@pytest.fixture
def casework(region, personas) -> Casework:
    child, father, mother = f.family(region.village_a)
    court = personas.court_clerk_a.agency
    assert court is not None
    f.fact(mother, court, "deceased", date=date(2020, 1, 1))
    f.fact(father, court, "severe_illness", disease="尿毒症", qualifying=True,
           start=date(2019, 1, 1))  # fmt: skip
    caseworker = work_ctx(personas.caseworker_a)
    case = case_open(ctx=caseworker, child=child, category="de_facto_unsupported",
                     opened_on=date(2025, 1, 1))  # fmt: skip
    return Casework(case, child, father, court, caseworker, work_ctx(personas.child_director_a))
