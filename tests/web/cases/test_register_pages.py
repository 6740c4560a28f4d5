"""台账导入的页面和命令：上传 → 确认各列 → 结果 → 下载未导入的行；只有本县的民政经办能用；
平台模板可下载；命令行与网页同一个导入。"""

from __future__ import annotations

import io
from datetime import date

import pytest
from click.testing import CliRunner
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from shouhu.cli import main
from shouhu.core.identity import id_number_generate
from shouhu.web.audit.models import AuditEntry
from shouhu.web.cases.models import Case, RegisterImport
from shouhu.web.cases.register_columns import FIELDS
from tests.web import factories as f
from tests.web.cases.conftest import COUNTY_HEADERS, county_sheet, xlsx
from tests.web.factories import client_for
from tests.web.test_pages_speak_chinese import ALLOWED_WORDS, codes_in, visible_text

pytestmark = pytest.mark.django_db


def _upload(client, data: bytes, name: str = "五月台账.xlsx"):
    return client.post("/register/", {"file": SimpleUploadedFile(name, data)})


def test_a_caseworker_uploads_confirms_the_columns_and_sees_the_result(
    region, personas, children
) -> None:
    client = client_for(personas.caseworker_a)
    unknown = id_number_generate(
        division_code="150802", birth_date=date(2010, 1, 1), sequence=99, gender="M"
    )
    stranger_row = [9, "钱小北", unknown, "孤儿", "散居", "2020-01-01"]
    data = xlsx(COUNTY_HEADERS[:6], [stranger_row])

    response = _upload(client, county_sheet(children))
    upload = RegisterImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/register/{upload.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "确认台账的各列" in page
    assert '<option value="id_number" selected>身份证号（必需）</option>' in page
    allowed = ALLOWED_WORDS | {"caseworker_a"}  # 顶栏的用户名
    assert codes_in(visible_text(page), allowed) == []  # 确认页上没有内部代码
    form = {f"column_{i}": key for i, key in enumerate(upload.mapping["columns"])}
    form["column_4"] = ""  # 经办人员认为“供养方式”不必导入
    done = client.post(f"/register/{upload.pk}/", form)
    assert done.status_code == 302
    result = client.get(f"/register/{upload.pk}/").content.decode()
    assert "新建个案 2 个" in result
    assert 'data-testid="cases-created">2<' in result
    assert Case.objects.get(child=children.c).placement == "scattered"  # 由类别“散居孤儿”得出

    second = _upload(client, data, "补充.xlsx")
    other = RegisterImport.objects.exclude(pk=upload.pk).get()
    client.post(second["Location"], {f"column_{i}": k for i, k in
                                     enumerate(other.mapping["columns"])})  # fmt: skip
    result = client.get(second["Location"]).content.decode()
    assert "第2行" in result
    assert "在本辖区的户籍人员中找不到这个身份证号" in result
    assert unknown not in result  # 号码脱敏
    book = load_workbook(io.BytesIO(client.get(f"/register/{other.pk}/problems/").content))
    sheet = book["数据"]
    assert [c.value for c in sheet[1]] == ["行号", "列名", "值（已脱敏）", "问题说明"]
    assert sheet.cell(row=2, column=1).value == 2
    assert "导出编号" in book["导出说明"]["A2"].value
    assert AuditEntry.objects.filter(action="export", object_type="register_import").count() == 1


def test_a_mapping_without_required_columns_is_shown_again_with_the_reason(
    region, personas, children
) -> None:
    client = client_for(personas.caseworker_a)
    _upload(client, county_sheet(children))
    upload = RegisterImport.objects.get()
    response = client.post(f"/register/{upload.pk}/", {"column_1": "name"})
    assert response.status_code == 400
    assert "“身份证号”是必需的" in response.content.decode()
    assert Case.objects.count() == 0


def test_uploading_the_same_file_again_shows_the_earlier_result(region, personas, children) -> None:
    client = client_for(personas.caseworker_a)
    data = county_sheet(children)
    first = _upload(client, data)
    assert _upload(client, data)["Location"] == first["Location"]  # 还没确认：接着那一次
    upload = RegisterImport.objects.get()
    client.post(first["Location"], {f"column_{i}": k for i, k in
                                    enumerate(upload.mapping["columns"])})  # fmt: skip
    again = _upload(client, data, "改了名字.xlsx")
    assert again["Location"] == first["Location"]
    assert "不再重复导入" in client.get(again["Location"]).content.decode()
    assert Case.objects.count() == 2


def test_a_file_that_is_not_a_spreadsheet_is_refused_in_chinese(personas) -> None:
    response = _upload(client_for(personas.caseworker_a), b"not a workbook", "台账.xlsx")
    assert response.status_code == 400
    assert "台账.xlsx" in response.content.decode()


def test_only_the_county_s_caseworkers_may_import(region, personas, children) -> None:
    _upload(client_for(personas.caseworker_a), county_sheet(children))
    upload = RegisterImport.objects.get()
    city_caseworker = f.user("caseworker_city", "caseworker", region.city)
    for user in (personas.child_director_a, personas.court_clerk_a, personas.leader_city,
                 personas.auditor_city, city_caseworker):  # fmt: skip
        client = client_for(user)
        assert client.get("/register/").status_code == 403, user.username
        assert client.get(f"/register/{upload.pk}/").status_code == 403, user.username
    other_county = client_for(personas.caseworker_b)
    assert other_county.get("/register/").status_code == 200
    for url in (f"/register/{upload.pk}/", f"/register/{upload.pk}/problems/"):
        assert other_county.get(url).status_code == 404
    assert other_county.post(f"/register/{upload.pk}/", {}).status_code == 404
    assert other_county.get("/register/999999/").status_code == 404  # 同一答复
    denied = AuditEntry.objects.filter(action="deny", object_type="register_import")
    assert denied.count() == 5 * 2 + 4


def test_the_template_has_the_platform_s_headers_and_is_recognised_as_is(personas) -> None:
    response = client_for(personas.caseworker_a).get("/register/template/")
    workbook = load_workbook(io.BytesIO(response.content))
    headers = [c.value for c in workbook.worksheets[0][1]]
    assert headers == [f.label + ("*" if f.required else "") for f in FIELDS]
    assert workbook.sheetnames == ["台账", "填写说明"]


def test_the_command_imports_with_corrected_columns_once(tmp_path, region, personas, children):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(county_sheet(children))
    problems = tmp_path / "未导入.xlsx"
    args = ["register", "import", str(path), "--division", "150802", "--column", "供养方式=不导入",
            "--user", "caseworker_a", "--problems", str(problems)]  # fmt: skip

    first = CliRunner().invoke(main, args)
    second = CliRunner().invoke(main, args)

    assert first.exit_code == 0, first.output
    assert "供养方式 → 不导入" in first.output
    assert "公民身份号码 → 身份证号" in first.output
    assert "新建个案 2，未导入 0 行" in first.output
    assert second.exit_code == 1
    assert "已经导入过" in second.output
    assert Case.objects.count() == 2
    assert Case.objects.first().opened_by == personas.caseworker_a
    other = tmp_path / "另一个.xlsx"
    other.write_bytes(xlsx(COUNTY_HEADERS, []))
    bad = CliRunner().invoke(main, ["register", "import", str(other), "--division", "150802",
                                    "--column", "没有这列=身份证号"])  # fmt: skip
    assert bad.exit_code == 2
