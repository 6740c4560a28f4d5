"""JSON batches: stored like uploads (same validation, messages and receipts), idempotent."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.utils import timezone

from shouhu.core.catalog import catalog_load
from shouhu.core.exchange import read_table
from shouhu.web.exchange.models import Fact, Submission
from tests.web.api.conftest import ITEM, judgment

pytestmark = pytest.mark.django_db


def test_a_batch_is_stored_as_facts_with_provenance_and_a_receipt(api, family, court_credential):
    response = api.submit([judgment(family.father)])
    assert response.status_code == 201
    receipt = response.json()
    assert (receipt["rows_total"], receipt["rows_accepted"], receipt["rows_rejected"]) == (1, 1, 0)
    assert (receipt["facts_created"], receipt["duplicate"], receipt["channel"]) == (1, False, "api")
    assert (receipt["item_code"], receipt["period"], receipt["status"]) == (
        ITEM,
        "2025-03",
        "accepted",
    )
    assert receipt["receipt_number"].startswith("HZ-")
    assert receipt["submitted_by"] == "法院审判系统"
    fact = Fact.objects.get()
    assert (fact.type, fact.date, fact.person) == (
        "declared_missing",
        date(2025, 2, 10),
        family.father,
    )
    assert fact.submission.channel == "api"
    assert fact.submission.received_by == court_credential.credential.account
    assert fact.source_record_id == "（2025）蒙0802民特7号"


def test_rows_may_be_keyed_by_chinese_headers(api, family):
    row = {
        "案号": "（2025）蒙0802民特8号",
        "文书类型": "宣告死亡",
        "当事人身份证号": family.mother.id_number,
        "当事人姓名": family.mother.name,
        "判决生效日期": "2025年2月1日",
    }
    assert api.submit([row]).status_code == 201
    assert Fact.objects.get().type == "declared_dead"


def test_replaying_the_idempotency_key_returns_the_same_receipt_and_stores_once(api, family):
    first = api.submit([judgment(family.father)]).json()
    again = api.submit([judgment(family.father)])
    assert again.status_code == 200
    replay = again.json()
    assert replay["duplicate"] is True
    assert {k: v for k, v in replay.items() if k != "duplicate"} == {
        k: v for k, v in first.items() if k != "duplicate"
    }
    assert Submission.objects.count() == 1
    assert Fact.objects.count() == 1


def test_the_key_may_come_in_the_body(api, family):
    first = api.submit([judgment(family.father)], key=None, idempotency_key="body-key-1")
    again = api.submit([judgment(family.father)], key=None, idempotency_key="body-key-1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert Submission.objects.get().idempotency_key == "body-key-1"


def test_the_same_key_with_other_content_is_a_conflict_and_stores_nothing(api, family):
    api.submit([judgment(family.father)])
    other = api.submit([judgment(family.father, number=9)])
    assert other.status_code == 409
    assert "幂等键已用于另一批" in other.json()["message"]
    assert Submission.objects.count() == 1
    assert Fact.objects.count() == 1


def test_the_same_content_under_a_new_key_is_not_stored_twice(api, family):
    first = api.submit([judgment(family.father)], key="k-1").json()
    again = api.submit([judgment(family.father)], key="k-2")
    assert (again.status_code, again.json()["id"]) == (200, first["id"])
    assert Fact.objects.count() == 1


def test_a_corrected_record_supersedes_the_earlier_version(api, family):
    api.submit([judgment(family.father)], key="k-1")
    corrected = api.submit([judgment(family.father, effective_date="2025-02-11")], key="k-2")
    assert corrected.json()["facts_superseded"] == 1
    old, new = Fact.objects.order_by("version")
    assert (old.is_current, new.is_current, new.supersedes_id) == (False, True, old.pk)


def test_bad_rows_are_returned_with_the_uploads_messages_and_good_rows_kept(api, family):
    rows = [
        judgment(family.father),
        judgment(family.mother, number=8, judgment_kind="被拐卖", effective_date="2025-02-30"),
        judgment(family.mother, number=9, name=""),
    ]
    response = api.submit(rows)
    receipt = response.json()
    assert response.status_code == 201
    assert (receipt["rows_accepted"], receipt["rows_rejected"], receipt["status"]) == (
        1,
        2,
        "partial",
    )
    got = [(e["row"], e["column"], e["message"]) for e in receipt["errors"]]
    # the same rows as a CSV upload: the same messages, the rows one lower (the header is row 1)
    csv_errors = _csv_errors(rows, filename=f"{ITEM}-2025-03.json")
    assert got == [
        (row - 1, column, message.replace(f"第{row}行", f"第{row - 1}行"))
        for row, column, message in csv_errors
    ]
    assert any(
        "文书类型" in e["column"] and "应为以下之一" in e["message"] for e in receipt["errors"]
    )
    assert Fact.objects.count() == 1


def _csv_errors(rows: list[dict[str, object]], filename: str) -> list[tuple[int, str, str]]:
    item = catalog_load("150802").item(ITEM)
    headers = {spec.key: spec.header for spec in item.fields}
    keys = list(dict.fromkeys(k for row in rows for k in row))
    lines = [",".join(headers[k] for k in keys)]
    lines += [",".join(str(row.get(k, "")) for k in keys) for row in rows]
    result = read_table("\n".join(lines).encode("utf-8"), filename=filename, item=item)
    return [(e.row, e.column, e.message) for e in result.errors]


def test_unknown_keys_are_reported_not_fatal(api, family):
    receipt = api.submit([judgment(family.father, 备注栏="x")]).json()
    assert receipt["rows_accepted"] == 1
    assert any("无法识别的字段「备注栏」" in w["message"] for w in receipt["warnings"])


def test_nested_values_are_refused_by_the_schema_naming_the_cell(api, family):
    response = api.submit([judgment(family.father, court_name={"a": 1})])
    assert response.status_code == 422
    assert "请求体 rows[0].court_name" in response.json()["message"]
    assert not Submission.objects.exists()


def test_an_empty_batch_is_a_nil_return(api):
    response = api.submit([])
    assert response.status_code == 201
    assert (response.json()["nil_return"], response.json()["rows_total"]) == (True, 0)


def test_the_receipt_can_be_fetched_again(api, family):
    created = api.submit([judgment(family.father), judgment(family.mother, number=8, name="")])
    fetched = api.get(f"/submissions/{created.json()['id']}")
    assert fetched.status_code == 200
    assert fetched.json() == created.json()


def test_items_lists_the_granted_items_with_their_fields(api):
    body = api.get("/items").json()
    assert body["agency"] == "临河区人民法院"
    (item,) = body["items"]
    assert item["code"] == ITEM
    fields = {f["key"]: f for f in item["fields"]}
    assert fields["case_number"]["header"] == "案号"
    assert fields["case_number"]["required"] is True
    assert {c["code"] for c in fields["judgment_kind"]["codes"]} == {
        "declared_missing",
        "declared_dead",
        "guardianship_revoked",
    }


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"key": None}, "缺少幂等键"),
        ({"key": "has space"}, "幂等键应为"),
        ({"period": "2025-3"}, "YYYY-MM"),
        ({"period": "1999-12"}, "不能早于 2000 年"),
    ],
)
def test_bad_requests_get_400_in_chinese(api, family, change, expected):
    response = api.submit([judgment(family.father)], **change)
    assert response.status_code == 400
    assert expected in response.json()["message"]
    assert not Submission.objects.exists()


def test_a_future_month_is_refused(api, family):
    today = timezone.localdate()
    future = f"{today.year + 1}-01"
    response = api.submit([judgment(family.father)], period=future)
    assert (response.status_code, response.json()["message"]) == (400, "所属月份不能晚于本月。")


def test_a_body_that_is_not_json_gets_400_in_chinese(api):
    response = api.post_raw(b"\xff{not json")
    assert response.status_code == 400
    assert response.json()["message"].startswith("请求体无法解析")


def test_a_body_of_the_wrong_shape_gets_422_naming_the_place(api):
    response = api.post_raw(json.dumps({"item_code": ITEM, "period": "2025-03", "rows": {"a": 1}}))
    assert response.status_code == 422
    body = response.json()
    assert body["message"] == "请求有误：请求体 rows：应为数组。"
    nested = api.post_raw(json.dumps({"item_code": ITEM, "period": "2025-03", "rows": [[1]]}))
    assert nested.json()["details"] == [{"loc": "请求体 rows[0]", "message": "应为对象"}]


def test_a_body_over_the_limit_gets_413(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = api.submit([{"x": "y" * 2000}])
    assert response.status_code == 413
    assert "分成几批" in response.json()["message"]


def test_an_id_beyond_the_database_range_is_refused_not_a_crash(api):
    assert api.get(f"/submissions/{2**64}").status_code == 422
    assert api.get("/submissions/abc").status_code == 422
