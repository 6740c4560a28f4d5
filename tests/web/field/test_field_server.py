"""离线走访的服务器一侧：数据包（只带允许的、只带本人辖区的、下载记入审计），上传（同一条两次
只记一次、服务器上变了答冲突、格式或内容不对答中文且什么也不写、照片按个案查看权限）。"""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from shouhu.core.identity import mask_id_number
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import AuditEntry, Purpose
from shouhu.web.cases.models import CareArrangement, Case, MajorChange, MandatoryReport, Visit
from shouhu.web.cases.plans import plans_set
from shouhu.web.cases.register_models import RegisterEntry
from shouhu.web.cases.registers import EntryInput, register_entry_create
from shouhu.web.cases.risk import risk_confirm
from shouhu.web.field.models import SyncReceipt, VisitPhoto
from shouhu.web.field.package import case_version
from tests.web import factories as f
from tests.web.factories import CLIENT_IP, client_for

pytestmark = pytest.mark.django_db
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 200 + b"\xff\xd9"
CHECKS = {c: {"status": "ok", "note": ""} for c in ("safety", "food", "school", "health", "carer")}


@pytest.fixture(autouse=True)
def photo_dir(settings, tmp_path: Path) -> Path:
    settings.FIELD_PHOTO_DIR = tmp_path / "photos"
    return settings.FIELD_PHOTO_DIR


@pytest.fixture
def world(region, personas):
    """示范村一名儿童（父亲服刑，有照料人和银行账户），同乡镇另一村一名，另一县一名。"""
    court = f.agency("court", region.county_a, "临河区人民法院刑庭")
    child, father, _ = f.family(region.village_a)
    f.fact(father, court, "imprisoned", start=date(2024, 5, 1), end=date(2031, 4, 30))
    case = f.case(child)
    plans_set(case, today=timezone.localdate())  # 2025 年纳入，至今未探访：探访逾期
    CareArrangement.objects.create(
        case=case, carer_name="王奶奶", relation="祖母", phone="13800001111",
        bank_name="农村信用社", bank_account="6230111122223333", started_on=date(2025, 1, 1),
    )  # fmt: skip
    neighbour_village = f.division("150802100202", "邻村", region.township_a)
    neighbour = f.case(f.person(neighbour_village, name="邻村小华"))
    far = f.case(f.person(region.village_b, name="外县小丽"))
    supervisor = f.user("supervisor_a", "supervisor", region.township_a,
                        personas.caseworker_a.agency)  # fmt: skip
    return {"case": case, "child": child, "neighbour": neighbour, "far": far,
            "supervisor": supervisor, "record": "R", "court": court}  # fmt: skip


def _record(case: Case, kind: str = "visit", **changes: object) -> dict[str, object]:
    phone_time = timezone.localtime() - timedelta(hours=2)
    data: dict[str, object] = {
        "visit": {"visited_at": phone_time.isoformat(), "place": "儿童家中", "seen": "儿童、祖母",
                  "checks": CHECKS, "notes": "一切正常"},
        "report": {"reporter_kind": "school", "reporter_org": "示范村小学",
                   "reporter_name": "李老师", "reporter_phone": "",
                   "seen_at": phone_time.isoformat(),
                   "what_seen": "孩子身上有伤"},
        "review": {"reviewed_on": timezone.localdate().isoformat(), "outcome": "continue",
                   "note": ""},
    }[kind]  # fmt: skip
    record = {"ref": str(uuid.uuid4()), "kind": kind, "case": case.pk, "base": case_version(case),
              "recorded_at": phone_time.isoformat(), "force": False, "data": data}  # fmt: skip
    record.update(changes)
    return record


def _send(client: Client, record: dict[str, object], photos: int = 0):
    files = [("photo", JPEG) for _ in range(photos)]
    payload: dict[str, object] = {"record": json.dumps(record, ensure_ascii=False)}
    if files:
        from django.core.files.uploadedfile import SimpleUploadedFile

        payload["photo"] = [SimpleUploadedFile(f"p{i}.jpg", data, "image/jpeg")
                            for i, (_, data) in enumerate(files)]  # fmt: skip
    return client.post("/field/sync/", payload)


def test_package_carries_the_allowed_fields_of_own_children_only_and_is_audited(
    personas, world
) -> None:
    response = client_for(personas.child_director_a).get("/field/package/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    package = json.loads(body)
    [entry] = package["children"]  # 邻村、外县的儿童不在包里
    child = world["child"]
    assert entry["name"] == child.name
    assert entry["id_masked"] == mask_id_number(child.id_number)
    assert entry["carers"] == [{"name": "王奶奶", "relation": "祖母", "phone": "13800001111"}]
    assert any(line.startswith("父亲处于限制人身自由状态") for line in entry["facts"])
    for forbidden in (child.id_number, "6230111122223333", "农村信用社", world["court"].name,
                      "邻村小华", "外县小丽", "2024-05-01", "服刑"):  # fmt: skip
        assert forbidden not in body, forbidden
    assert entry["version"] == case_version(world["case"])
    assert package["forms"]["review"] is False  # 儿童主任不记核查
    assert {row["case"] for row in package["due"]} == {world["case"].pk}  # 2025 年起未探访：逾期
    expires = timezone.datetime.fromisoformat(package["expires_at"])
    generated = timezone.datetime.fromisoformat(package["generated_at"])
    assert expires - generated == timedelta(hours=72)

    audit = AuditEntry.objects.get(object_type="field_package")
    assert (audit.action, audit.purpose, audit.actor_username) == ("export", "case_work",
                                                                   "director_a")  # fmt: skip
    assert audit.detail == {"children": 1, "cases": [world["case"].pk], "entries": []}

    supervisor = json.loads(client_for(world["supervisor"]).get("/field/package/").content)
    assert {c["name"] for c in supervisor["children"]} == {child.name, "邻村小华"}
    assert supervisor["forms"]["review"] is True


def test_package_refused_to_other_roles_and_to_the_signed_out(personas, world) -> None:
    refused = client_for(personas.caseworker_a).get("/field/package/")
    assert refused.status_code == 403
    assert refused.json()["wipe"] is True
    assert "儿童主任和督导员" in refused.json()["error"]
    assert AuditEntry.objects.filter(action="deny", object_type="field_package").count() == 1
    assert Client().get("/field/package/").status_code == 401
    assert Client().post("/field/sync/", {}).status_code == 401


def test_the_same_visit_sent_twice_is_recorded_once_with_itsphoto_dir(
    personas, world, photo_dir
) -> None:
    client = client_for(personas.child_director_a)
    record = _record(world["case"])
    first = _send(client, record, photos=2)
    again = _send(client, record, photos=2)
    assert first.status_code == again.status_code == 200
    assert (first.json()["status"], again.json()["status"]) == ("synced", "duplicate")
    visit = Visit.objects.get()
    assert first.json()["object"] == again.json()["object"] == visit.pk
    assert visit.client_ref == record["ref"]
    assert SyncReceipt.objects.count() == 1
    photos = list(VisitPhoto.objects.filter(visit=visit))
    assert len(photos) == 2
    assert sorted(p.name for p in photo_dir.iterdir()) == sorted(p.file_name for p in photos)

    [synced] = AuditEntry.objects.filter(object_type="field_sync")
    assert synced.detail["recorded_at"] == record["recorded_at"]
    uploaded = timezone.datetime.fromisoformat(synced.detail["uploaded_at"])
    assert uploaded - timezone.datetime.fromisoformat(str(record["recorded_at"])) > timedelta(
        hours=1
    )
    assert (synced.detail["kind"], synced.detail["photos"]) == ("visit", 2)
    assert child_name_not_in(synced.detail, world["child"].name)

    page = client.get(f"/persons/{world['child'].pk}/").content.decode()
    assert f"/field/photos/{photos[0].pk}/" in page  # 儿童页面的探访下列出照片
    shown = client.get(f"/field/photos/{photos[0].pk}/")
    assert shown.status_code == 200
    assert shown["Content-Type"] == "image/jpeg"
    assert b"".join(shown.streaming_content) == JPEG
    other = f.user("director_b", "child_director", world["far"].division)
    assert client_for(other).get(f"/field/photos/{photos[0].pk}/").status_code == 404
    assert client_for(other).get("/field/photos/987654/").status_code == 404


def child_name_not_in(detail: dict[str, object], name: str) -> bool:
    return name not in json.dumps(detail, ensure_ascii=False)


def test_a_report_starts_the_24_hours_at_the_phones_time_and_a_supervisor_reviews(
    personas, world
) -> None:
    record = _record(world["case"], "report")
    assert _send(client_for(personas.child_director_a), record).json()["status"] == "synced"
    change = MajorChange.objects.get()
    assert change.occurred_at == timezone.datetime.fromisoformat(str(record["recorded_at"]))
    assert MandatoryReport.objects.get().reporter_org == "示范村小学"
    # 强制报告让儿童临时按高风险，但不改变版本：此前离线记下的探访照常上传
    supervisor = client_for(world["supervisor"])
    assert _send(supervisor, _record(world["case"], "review")).json()["status"] == "synced"
    refused = _send(client_for(personas.child_director_a), _record(world["case"], "review"))
    assert refused.status_code == 403
    assert refused.json()["error"] == "您的角色不能记录核查。"


def test_a_plan_changed_on_the_server_is_a_conflict_until_the_director_keeps_theirs(
    personas, world
) -> None:
    client = client_for(personas.child_director_a)
    record = _record(world["case"])  # 按“一般”记下的
    ctx = RequestContext(user=personas.caseworker_a, client_ip=CLIENT_IP, purpose=Purpose.CASE_WORK)
    risk_confirm(ctx=ctx, case=world["case"], level="high", reason="家中无人照料")
    conflict = _send(client, record)
    assert conflict.status_code == 409
    answer = conflict.json()
    assert answer["status"] == "conflict"
    assert answer["may_force"] is True
    assert ["风险等级", "高风险"] in answer["theirs"]
    assert not Visit.objects.exists()
    assert not SyncReceipt.objects.exists()

    someone_else = _send(client, {**record, "force": True, "by": "director_b"})
    assert someone_else.status_code == 400
    assert "须由记录人本人登录后同步" in someone_else.json()["error"]
    kept = _send(client, {**record, "force": True, "by": "director_a"})
    assert kept.json()["status"] == "synced"
    assert SyncReceipt.objects.get().forced is True


def test_a_child_transferred_away_is_a_conflict_that_cannot_be_forced(personas, world, region):
    case = world["case"]
    record = _record(case)
    Case.objects.filter(pk=case.pk).update(division=world["neighbour"].division)
    answer = _send(client_for(personas.child_director_a), {**record, "force": True})
    assert answer.status_code == 409
    assert answer.json()["may_force"] is False
    assert "已不在您的辖区" in answer.json()["message"]
    assert not Visit.objects.exists()


@pytest.mark.parametrize(
    ("raw", "photos", "words"),
    [
        ("{不是JSON", 0, "不是有效的 JSON"),
        (json.dumps({"ref": "x", "kind": "visit", "case": 1, "data": {}}), 0, "记录编号不对"),
        ("concern", 0, "“饮食”有问题，请简要写明是什么问题。"),
        ("future", 0, "探访时间不能晚于现在。"),
        ("ok", 4, "一次探访最多 3 张照片"),
    ],
)
def test_a_bad_record_is_refused_in_chinese_and_nothing_is_written(
    personas, world, photo_dir, raw, photos, words
) -> None:
    if raw in ("concern", "future", "ok"):
        record = _record(world["case"])
        data = dict(record["data"])  # type: ignore[call-overload]
        if raw == "concern":
            data["checks"] = {**CHECKS, "food": {"status": "concern", "note": " "}}
        if raw == "future":
            data["visited_at"] = (timezone.now() + timedelta(days=1)).isoformat()
        raw = json.dumps({**record, "data": data}, ensure_ascii=False)
    client = client_for(personas.child_director_a)
    files = {"photo": [_upload(i) for i in range(photos)]} if photos else {}
    response = client.post("/field/sync/", {"record": raw, **files})
    assert response.status_code == 400
    assert words in response.json()["error"]
    assert not Visit.objects.exists()
    assert not SyncReceipt.objects.exists()
    assert not photo_dir.exists() or not any(photo_dir.iterdir())


def _upload(i: int):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(f"p{i}.jpg", JPEG, "image/jpeg")


def test_a_failure_after_thephoto_dir_are_written_leaves_no_visit_and_no_file(
    personas, world, photo_dir, monkeypatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("磁盘已满")

    monkeypatch.setattr("shouhu.web.field.sync._audit", broken)
    client = client_for(personas.child_director_a)
    client.raise_request_exception = False
    response = _send(client, _record(world["case"]), photos=2)
    assert response.status_code == 500
    assert not Visit.objects.exists()
    assert not VisitPhoto.objects.exists()
    assert not any(photo_dir.iterdir())


def test_the_upload_needs_the_csrf_token(personas, world) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.child_director_a)
    assert client.post("/field/sync/", {"record": "{}"}).status_code == 403
    client.get("/field/")  # 外壳页面给 CSRF cookie，脚本带上它
    token = client.cookies["csrftoken"].value
    response = client.post("/field/sync/", {"record": json.dumps(_record(world["case"]))},
                           HTTP_X_CSRFTOKEN=token)  # fmt: skip
    assert response.json()["status"] == "synced"


def _entry_record(base_case: Case, kind: str = "visit", **changes: object) -> dict[str, object]:
    record = _record(base_case, kind)
    record.update({"case": None, **changes})
    return record


def test_a_register_child_without_a_case_is_in_the_package_and_its_visit_syncs_once(
    personas, world, region
) -> None:
    """没有个案的留守儿童：在包里（委托照护人、登记类型，没有核查），探访记在登记上（带照片、
    只记一次），强制报告使它临时高风险；登记结束后是冲突，不能强行提交。"""
    child = f.person(region.village_a, name="孙留守", birth=date(2016, 2, 2))
    ctx = RequestContext(user=personas.caseworker_a, client_ip=CLIENT_IP, purpose=Purpose.CASE_WORK)
    entry = register_entry_create(ctx=ctx, child=child, data=EntryInput(
        "left_behind", "父母外出务工", timezone.localdate() - timedelta(days=100),
        "away_in_province", "away_out_of_province", "孙爷爷", "祖父", "13900002222"))  # fmt: skip
    register_entry_create(ctx=ctx, child=child, data=EntryInput(
        "street_child", "曾流浪", timezone.localdate()))  # fmt: skip
    director = client_for(personas.child_director_a)
    package = json.loads(director.get("/field/package/").content)
    [mine] = [c for c in package["children"] if c["name"] == "孙留守"]  # 两条登记，一行
    assert (mine["key"], mine["case"], mine["entry"]) == (f"e{entry.pk}", None, entry.pk)
    assert mine["carers"] == [{"name": "孙爷爷", "relation": "祖父", "phone": "13900002222"}]
    # 儿童主任看不到真实类别（感染情况）：每条登记只写名册名，与个案的“保障对象”同理
    assert set(mine["category"].split("、")) == {"农村留守儿童", "困境儿童"}
    assert (mine["risk"], mine["review_due"]) == ("一般", "")
    assert {"key": f"e{entry.pk}", "case": None, "what": "探访"}.items() <= next(
        row for row in package["due"] if row["key"] == mine["key"]
    ).items()  # 逾期
    audit = AuditEntry.objects.filter(object_type="field_package").latest("seq")
    assert audit.detail["entries"] == [entry.pk]
    sick = f.person(region.village_a, name="刘小安", birth=date(2015, 5, 5))
    hidden = register_entry_create(ctx=ctx, child=sick, data=EntryInput(
        "hiv_infected", "卫生健康部门告知", timezone.localdate()))  # fmt: skip
    body = director.get("/field/package/").content.decode()
    [masked] = [c for c in json.loads(body)["children"] if c["entry"] == hidden.pk]
    assert masked["category"] == "困境儿童"  # 儿童主任看不到感染情况：只写名册
    assert "艾滋病" not in body

    visit = _entry_record(world["case"], entry=entry.pk, base=mine["version"])
    assert _send(director, visit, photos=1).json()["status"] == "synced"
    assert _send(director, visit, photos=1).json()["status"] == "duplicate"
    saved = Visit.objects.get(entry=entry)
    assert (saved.case, saved.photos.count()) == (None, 1)
    assert SyncReceipt.objects.get().entry == entry
    entry.refresh_from_db()
    assert entry.visit_due_on > timezone.localdate()
    review = _entry_record(world["case"], "review", entry=entry.pk, base=mine["version"])
    assert _send(director, review).status_code == 400  # 名册儿童不做核查

    report = _entry_record(world["case"], "report", entry=entry.pk, base=mine["version"])
    assert _send(director, report).json()["status"] == "synced"
    change = MajorChange.objects.get(entry=entry)
    assert change.report.reporter_org == "示范村小学"
    assert change.occurred_at == timezone.datetime.fromisoformat(report["recorded_at"])

    RegisterEntry.objects.filter(pk=entry.pk).update(division=region.village_b)  # 迁走
    gone = _send(director, _entry_record(world["case"], entry=entry.pk, base=mine["version"],
                                   force=True))  # fmt: skip
    assert (gone.status_code, gone.json()["may_force"]) == (409, False)
