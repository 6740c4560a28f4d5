"""台账导入的服务：两种写法的台账都变成个案（真实的纳入日期、安置方式、月保障标准、照料人）；
匹配不上、有误、重复的行逐行说明、不导入；一个事务；同一文件只导入一次；每个个案记入审计。"""

from __future__ import annotations

from datetime import date

import pytest

from shouhu.core.errors import DomainError, InvalidInput
from shouhu.web.audit.models import AuditEntry
from shouhu.web.cases import register_import as service
from shouhu.web.cases.models import CareArrangement, Case, RegisterImport
from shouhu.web.cases.register_import import register_import_run, register_import_upload
from shouhu.web.exchange.errorlists import errors_unpack
from tests.web import factories as f
from tests.web.cases.conftest import (
    PLATFORM_HEADERS,
    county_sheet,
    ctx_of,
    platform_sheet,
    xlsx,
)

pytestmark = pytest.mark.django_db


def _import(user, division, data: bytes, filename: str = "台账.xlsx", columns=None):
    upload = register_import_upload(
        ctx=ctx_of(user), division=division, filename=filename, data=data
    ).register_import
    chosen = columns if columns is not None else upload.mapping["columns"]
    return register_import_run(ctx=ctx_of(user), register_import=upload, columns=chosen)


def test_the_platform_s_own_headers_import_with_true_dates_and_carers(
    region, personas, children
) -> None:
    outcome = _import(personas.caseworker_a, region.county_a, platform_sheet(children))

    assert (outcome.cases_created, outcome.problems) == (2, [])
    a = Case.objects.get(child=children.a)
    assert (a.category, a.placement, a.opened_on, a.monthly_amount_fen, a.status) == (
        "de_facto_unsupported",
        "scattered",
        date(2021, 3, 15),
        130000,
        "active",
    )
    assert (a.division, a.opened_by, a.register_import) == (
        region.village_a,
        personas.caseworker_a,
        outcome.register_import,
    )
    b = Case.objects.get(child=children.b)
    assert (b.category, b.orphan_type, b.placement, b.opened_on, b.monthly_amount_fen) == (
        "orphan",
        "institutional",
        "institutional",
        date(2019, 9, 1),
        185000,
    )
    care = CareArrangement.objects.get()
    assert (care.case, care.carer_name, care.relation, care.phone, care.address) == (
        a,
        "王大海",
        "祖父",
        "13800000001",
        "城关镇示范村3组",
    )
    assert (care.started_on, care.ended_on, care.carer) == (date(2021, 3, 15), None, None)
    created = AuditEntry.objects.filter(action="create", object_type="case")
    assert {e.object_id for e in created} == {str(a.pk), str(b.pk)}
    assert all(e.purpose == "case_work" and e.actor_id == personas.caseworker_a.pk for e in created)
    assert "王" not in str([e.detail for e in AuditEntry.objects.all()])  # 审计里没有个人信息


def test_a_county_s_own_sheet_imports_after_its_columns_are_recognised(
    region, personas, children, monkeypatch
) -> None:
    monkeypatch.setattr(service, "CHUNK", 1)  # 户籍按批查询：批的边界不丢人
    outcome = _import(personas.caseworker_a, region.county_a, county_sheet(children), "五月.xlsx")

    assert (outcome.cases_created, outcome.problems) == (2, [])
    c = Case.objects.get(child=children.c)
    assert (c.category, c.orphan_type, c.placement, c.opened_on, c.monthly_amount_fen) == (
        "orphan",
        "scattered",
        "scattered",
        date(2020, 6, 1),
        150000,
    )
    care = CareArrangement.objects.get(case=c)
    # 15位旧号码升为18位，并在户籍中找到了这位叔叔
    assert (care.carer_id_number, care.carer, care.relation) == (
        children.uncle.id_number,
        children.uncle,
        "叔叔",
    )
    assert not CareArrangement.objects.filter(case__child=children.a).exists()  # 没有填照料人


def test_rows_that_cannot_be_imported_are_listed_with_row_column_and_reason(
    region, personas, children
) -> None:
    f.case(children.b)  # 已有保障中的个案
    stranger = f.person(region.village_a, name="孙小东")
    unknown = stranger.id_number
    stranger.delete()  # 一个合格、但户籍中没有的号码
    young = f.person(region.village_a, name="周小丽", birth=date(2016, 2, 2), gender="F")
    data = xlsx(PLATFORM_HEADERS[:5], [
        [children.a.name, children.a.id_number, "孤儿", "散居", "2021-03-15"],  # 导入
        [children.b.name, children.b.id_number, "孤儿", "散居", "2021-03-15"],  # 已有个案
        ["钱小北", unknown, "孤儿", "散居", "2021-03-15"],  # 户籍中没有
        [children.elsewhere.name, children.elsewhere.id_number, "孤儿", "散居", "2021-03-15"],
        ["王小虎", children.uncle.id_number, "孤儿", "散居", "2021-03-15"],  # 姓名不符
        [children.c.name, children.c.id_number, "孤儿", "散居", "2021-01-01"],  # 同一号码两行
        [children.c.name, children.c.id_number, "孤儿", "散居", "2022-01-01"],
        [children.c.name, "15080220110120", "孤儿", "散居", "2022-01-01"],  # 号码残缺
        [young.name, young.id_number, "孤儿", "散居", "2015-01-01"],  # 早于出生
    ])  # fmt: skip

    outcome = _import(personas.caseworker_a, region.county_a, data, "台账.xlsx")

    assert outcome.cases_created == 1
    assert Case.objects.filter(register_import=outcome.register_import).get().child == children.a
    by_row = {p.row: p.message for p in outcome.problems}
    assert sorted(by_row) == [3, 4, 5, 6, 7, 8, 9, 10]
    assert by_row[3].startswith("文件「台账.xlsx」第3行「身份证号」列")
    assert "已有保障中的个案" in by_row[3]
    assert "在本辖区的户籍人员中找不到这个身份证号" in by_row[4]
    assert "在本辖区的户籍人员中找不到这个身份证号" in by_row[5]  # 外县的儿童：同一答复
    assert "「姓名」列" in by_row[6]
    assert "与户籍登记的姓名不一致" in by_row[6]
    assert "与第8行是同一个身份证号" in by_row[7]
    assert "与第7行" in by_row[8]
    assert "应为18位公民身份号码，现为14位" in by_row[9]
    assert "「纳入保障日期」列" in by_row[10]
    assert "早于儿童的出生日期" in by_row[10]
    stored = errors_unpack(outcome.register_import.problems)
    assert [p.row for p in stored] == [3, 4, 5, 6, 7, 8, 9, 10]
    assert children.a.id_number not in str(stored)
    assert unknown not in str(stored)


def test_the_same_file_imports_once(region, personas, children) -> None:
    data = platform_sheet(children)
    first = _import(personas.caseworker_a, region.county_a, data)

    again = register_import_upload(
        ctx=ctx_of(personas.caseworker_a), division=region.county_a, filename="又一次.xlsx",
        data=data,
    )  # fmt: skip
    with pytest.raises(DomainError, match="已经导入过"):
        register_import_run(
            ctx=ctx_of(personas.caseworker_a),
            register_import=first.register_import,
            columns=first.register_import.mapping["columns"],
        )

    assert again.earlier
    assert again.register_import == first.register_import
    assert Case.objects.count() == 2
    assert RegisterImport.objects.count() == 1


def test_a_failure_part_way_stores_nothing(region, personas, children, monkeypatch) -> None:
    calls = []
    real = service._care_create

    def failing(ctx, case, row):  # 第二个照料人写入时数据库出错
        calls.append(row.row)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(ctx, case, row)

    monkeypatch.setattr(service, "_care_create", failing)
    data = xlsx(PLATFORM_HEADERS[:6], [
        [children.a.name, children.a.id_number, "孤儿", "散居", "2021-03-15", "王大海"],
        [children.b.name, children.b.id_number, "孤儿", "散居", "2021-03-15", "李大姐"],
    ])  # fmt: skip
    audit_before = AuditEntry.objects.count()

    with pytest.raises(RuntimeError):
        _import(personas.caseworker_a, region.county_a, data)

    assert (Case.objects.count(), CareArrangement.objects.count()) == (0, 0)
    assert RegisterImport.objects.get().status == "uploaded"  # 可以改正后再导入
    assert AuditEntry.objects.count() == audit_before + 1  # 只有上传那一条


def test_a_wrong_mapping_is_refused_before_anything_is_read(region, personas, children) -> None:
    upload = register_import_upload(
        ctx=ctx_of(personas.caseworker_a), division=region.county_a, filename="台账.xlsx",
        data=platform_sheet(children),
    ).register_import  # fmt: skip
    columns = ["" if key == "opened_on" else key for key in upload.mapping["columns"]]
    with pytest.raises(InvalidInput, match="“纳入保障日期”是必需的"):
        register_import_run(
            ctx=ctx_of(personas.caseworker_a), register_import=upload, columns=columns
        )
    assert Case.objects.count() == 0


def test_a_row_already_ended_becomes_a_closed_case_with_its_written_reason(
    region, personas, children
) -> None:
    headers = [*PLATFORM_HEADERS[:5], "状态", "终止日期", "终止原因", "监护人姓名"]
    row = [children.a.name, children.a.id_number, "事实无人抚养儿童", "散居", "2020-01-01",
           "已终止", "2024-05-31", "父亲刑满释放", "王大海"]  # fmt: skip
    data = xlsx(headers, [row])

    outcome = _import(personas.caseworker_a, region.county_a, data)

    case = Case.objects.get()
    assert (outcome.cases_created, case.status, case.closed_on, case.close_reason) == (
        1,
        "closed",
        date(2024, 5, 31),
        "父亲刑满释放",
    )
    assert CareArrangement.objects.get().ended_on == date(2024, 5, 31)
    # 已终止的个案不妨碍再导入一次保障中的（比如后来重新纳入）
    again = xlsx(PLATFORM_HEADERS[:5], [[children.a.name, children.a.id_number, "孤儿", "散居",
                                         "2025-01-01"]])  # fmt: skip
    assert _import(personas.caseworker_a, region.county_a, again).cases_created == 1
