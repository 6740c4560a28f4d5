"""`shouhu pprl encode|match|result` as two parties on one machine: civil affairs and justice."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from shouhu.commands.package import package
from shouhu.commands.pprl import pprl
from shouhu.core.exchange.package import package_open
from shouhu.core.exchange.package_keys import TrustStore, private_keys_load, public_keys_load
from shouhu.core.identity import id_number_generate
from shouhu.core.pprl import request_load

ITEM = "justice_custody"


def _id(born: date, sequence: int, gender: str) -> str:
    return id_number_generate(
        division_code="150802", birth_date=born, sequence=sequence, gender=gender
    )


A = _id(date(1985, 3, 14), 11, "M")  # 在押，部门录错一位号码
B = _id(date(1979, 8, 2), 12, "F")  # 已刑满
C = _id(date(1990, 1, 9), 13, "M")  # 部门名单里没有号码，姓名写成同音字
D = _id(date(1988, 5, 5), 14, "F")  # 不在部门名单中
E = _id(date(1970, 2, 2), 15, "M")  # 在部门名单中，但民政没有问
PERSONS = f"""案件编号,姓名,身份证号,性别,出生日期
AJ-1,张伟,{A},男,
AJ-2,王秀英,{B},女,
AJ-3,李建国,{C},男,
AJ-4,赵敏,{D},女,
AJ-9,张伟,{A},男,
""".encode()  # 张伟 is a parent in two cases: asked once, answered under AJ-1
TYPO_A = A[:8] + str((int(A[8]) + 1) % 10) + A[9:]
HEADER = (
    "罪犯（戒毒人员）编号,羁押类型,身份证号,姓名,性别,出生日期,"
    "刑期（戒毒期）起日,刑期（戒毒期）止日"
)
RECORDS = f"""{HEADER}
J-001,服刑在押,{TYPO_A},张伟,男,1985-03-14,2024-01-05,2028-01-04
J-002,服刑在押,{B},王秀英,女,,2015-03-01,2019-02-28
J-003,强制隔离戒毒,,李健国,男,1990-01-09,2025-10-01,2027-09-30
J-004,服刑在押,{E},孙大海,男,,2020-06-01,2030-05-31
""".encode()


def _keygen(tmp: Path, name: str, agency_type: str) -> tuple[Path, Path]:
    result = CliRunner().invoke(
        package,
        ["keygen", "--out", str(tmp / name), "--name", name, "--agency-type", agency_type,
         "--division", "150802"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return tmp / name / f"{name}.key.pem", tmp / name / f"{name}.pub.pem"


@pytest.fixture
def parties(tmp_path: Path) -> dict[str, Path]:
    civil, justice = tmp_path / "civil", tmp_path / "justice"  # 两个互不相通的目录
    civil.mkdir(), justice.mkdir()
    civil_key, civil_pub = _keygen(civil, "民政", "civil_affairs")
    justice_key, justice_pub = _keygen(justice, "司法局", "justice")
    (civil / "persons.csv").write_bytes(PERSONS)
    (justice / "records.csv").write_bytes(RECORDS)
    return {"civil": civil, "justice": justice, "civil_key": civil_key, "civil_pub": civil_pub,
            "justice_key": justice_key, "justice_pub": justice_pub}  # fmt: skip


def _run(*args: object) -> object:
    return CliRunner().invoke(pprl, [str(a) for a in args])


def _encode(p: dict[str, Path], purpose: str = "review") -> object:
    return _run(
        "encode", p["civil"] / "persons.csv", "--item", ITEM, "--purpose", purpose,
        "--as-of", "2026-04-01", "--signing-key", p["civil_key"], "--recipient-key",
        p["justice_pub"], "--out", p["civil"] / "request.pkg", "--audit-log",
        p["civil"] / "audit.jsonl",
    )  # fmt: skip


def test_civil_affairs_learns_only_the_in_force_answers_of_whom_it_asked(parties):
    p = parties
    assert _encode(p).exit_code == 0
    request = (p["civil"] / "request.pkg").read_bytes()
    trust = TrustStore([public_keys_load(p["civil_pub"].read_bytes())])
    justice = private_keys_load(p["justice_key"].read_bytes())
    opened = package_open(request, trust=trust, recipient=justice, seen=lambda _: False)
    for secret in (A, B, C, D, "张伟", "王秀英", "AJ-1"):  # 请求里没有明文
        assert secret.encode() not in opened.content
    matched = _run(
        "match", p["civil"] / "request.pkg", p["justice"] / "records.csv", "--signing-key",
        p["justice_key"], "--trust", p["civil_pub"], "--out", p["justice"] / "response.pkg",
        "--audit-log", p["justice"] / "audit.jsonl",
    )  # fmt: skip
    assert matched.exit_code == 0, matched.output
    assert "的请求（用途：定期核查）4 人，本部门名单 4 条，按编码对上 3 人" in matched.output
    result = _run(
        "result", p["justice"] / "response.pkg", p["civil"] / "persons.csv", "--item", ITEM,
        "--signing-key", p["civil_key"], "--trust", p["justice_pub"], "--out",
        p["civil"] / "result.csv", "--audit-log", p["civil"] / "audit.jsonl",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO((p["civil"] / "result.csv").read_text("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == ["AJ-1", "AJ-2", "AJ-3", "AJ-4"]
    assert [r[3:6] for r in rows[1:]] == [
        ["在执行", "2024-01-05", "2028-01-04"],
        ["已结束", "2015-03-01", "2019-02-28"],
        ["在执行", "2025-10-01", "2027-09-30"],
        ["部门名单中未查到", "", ""],
    ]
    assert "孙大海" not in (p["civil"] / "result.csv").read_text("utf-8-sig")
    audits = (p["civil"] / "audit.jsonl").read_text() + (p["justice"] / "audit.jsonl").read_text()
    for secret in (A, B, C, D, E, "张伟", "李健国"):  # 审计不含姓名、号码
        assert secret not in audits
    department = [json.loads(x) for x in (p["justice"] / "audit.jsonl").read_text().splitlines()]
    assert department[0]["purpose"] == "review"  # 部门看得到谁、为什么、问了多少、对上哪几条
    assert department[0]["record_ids_matched"] == ["J-001", "J-002", "J-003"]


def test_a_purpose_the_item_does_not_allow_is_refused(parties):
    result = _encode(parties, purpose="subsidy")
    assert result.exit_code == 2
    assert "不能用于" in result.output
    assert not (parties["civil"] / "request.pkg").exists()


def test_a_request_from_an_untrusted_sender_is_refused(parties, tmp_path):
    assert _encode(parties).exit_code == 0
    _, stranger_pub = _keygen(tmp_path, "别处民政", "civil_affairs")
    result = _run(
        "match", parties["civil"] / "request.pkg", parties["justice"] / "records.csv",
        "--signing-key", parties["justice_key"], "--trust", stranger_pub, "--out",
        parties["justice"] / "response.pkg",
    )  # fmt: skip
    assert result.exit_code == 2
    assert "拒收" in result.output


def test_with_private_set_intersection_the_department_gets_no_id_hashes_and_learns_no_match(
    parties,
):
    pytest.importorskip("private_set_intersection")  # the optional extra shouhu[psi]
    p = parties
    (p["civil"] / "persons.csv").write_bytes(PERSONS + "AJ-5,孙大海,,男,1970-02-02\n".encode())
    psi_key = p["civil"] / "psi.key"
    encoded = _run(
        "encode", p["civil"] / "persons.csv", "--item", ITEM, "--purpose", "review",
        "--as-of", "2026-04-01", "--signing-key", p["civil_key"], "--recipient-key",
        p["justice_pub"], "--out", p["civil"] / "request.pkg", "--psi-key", psi_key,
        "--audit-log", p["civil"] / "audit.jsonl",
    )  # fmt: skip
    assert encoded.exit_code == 0, encoded.output
    trust = TrustStore([public_keys_load(p["civil_pub"].read_bytes())])
    justice = private_keys_load(p["justice_key"].read_bytes())
    opened = package_open((p["civil"] / "request.pkg").read_bytes(), trust=trust,
                          recipient=justice, seen=lambda _: False)  # fmt: skip
    request = request_load(opened.content)
    assert request.rows.tolist() == [4]  # only the person without an ID is Bloom-encoded
    assert request.encoded.ids.hashes.size == 0  # no ID hashes to brute-force
    matched = _run(
        "match", p["civil"] / "request.pkg", p["justice"] / "records.csv", "--signing-key",
        p["justice_key"], "--trust", p["civil_pub"], "--out", p["justice"] / "response.pkg",
        "--audit-log", p["justice"] / "audit.jsonl",
    )  # fmt: skip
    assert matched.exit_code == 0, matched.output
    department = json.loads((p["justice"] / "audit.jsonl").read_text().splitlines()[0])
    assert department["record_ids_matched"] == ["J-004"]  # the PSI matches stay unknown to it
    result = _run(
        "result", p["justice"] / "response.pkg", p["civil"] / "persons.csv", "--item", ITEM,
        "--signing-key", p["civil_key"], "--trust", p["justice_pub"], "--psi-key", psi_key,
        "--out", p["civil"] / "result.csv", "--audit-log", p["civil"] / "audit.jsonl",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO((p["civil"] / "result.csv").read_text("utf-8-sig"))))
    assert [(r[0], r[3]) for r in rows[1:]] == [
        ("AJ-1", "在执行"),  # the department's typo'd ID enters the set as its near misses
        ("AJ-2", "未在执行（或不在部门名单中）"),  # released
        ("AJ-3", "未在执行（或不在部门名单中）"),  # the price: its record there has no ID
        ("AJ-4", "未在执行（或不在部门名单中）"),
        ("AJ-5", "在执行"),  # no ID here: the keyed encoding found 孙大海
    ]
    # since / until travel with the PSI match, encrypted so only a matched ID opens its entry
    assert rows[1][4:7] == ["2024-01-05", "2028-01-04", "身份证号私有集合求交"]
    assert rows[2][4:6] == ["", ""]
