"""File and record hashes: the web layer relies on them to import the same file once."""

from __future__ import annotations

import hashlib

from exchange_helpers import filled_template, item_csv, valid_row

from shouhu.core.catalog import DataItem
from shouhu.core.exchange import read_table


def test_same_file_gives_same_file_hash_and_record_hashes(court: DataItem) -> None:
    data = filled_template(court, [valid_row(court, i) for i in range(5)])
    first = read_table(data, filename="a.xlsx", item=court)
    second = read_table(data, filename="改了名.xlsx", item=court)
    assert first.file_sha256 == second.file_sha256 == hashlib.sha256(data).hexdigest()
    assert [r.record_sha256 for r in first.records] == [r.record_sha256 for r in second.records]


def test_record_hash_does_not_depend_on_row_position_or_format(court: DataItem) -> None:
    rows = [valid_row(court, i) for i in range(3)]
    xlsx = read_table(filled_template(court, rows), filename="a.xlsx", item=court)
    csv = read_table(item_csv(court, rows[::-1], encoding="gbk"), filename="a.csv", item=court)
    assert xlsx.file_sha256 != csv.file_sha256
    by_id = {r.record_id: r.record_sha256 for r in csv.records}
    assert {r.record_id: r.record_sha256 for r in xlsx.records} == by_id


def test_record_hash_changes_when_content_changes(court: DataItem) -> None:
    row = valid_row(court)
    (a,) = read_table(item_csv(court, [row]), filename="a.csv", item=court).records
    (b,) = read_table(
        item_csv(court, [{**row, "revoked_date": "2025-01-01"}]), filename="a.csv", item=court
    ).records
    assert a.record_id == b.record_id
    assert a.record_sha256 != b.record_sha256


def test_rejected_file_still_has_its_hash(court: DataItem) -> None:
    data = b"not a workbook at all"
    result = read_table(data, filename="a.xlsx", item=court)
    assert result.rejected_whole is not None
    assert result.file_sha256 == hashlib.sha256(data).hexdigest()
