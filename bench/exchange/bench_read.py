"""Benchmark: read + validate a 100,000-row XLSX and CSV (issue item 10).

    .venv/bin/python bench/exchange/bench_read.py [--rows 100000] [--item justice_custody]
                                                  [--bad-every 100] [--dir /tmp/shouhu-bench]

Generates the files once (openpyxl write-only mode; cached in --dir), then measures each in a fresh
subprocess so that peak memory (max RSS) is the reader's alone: wall time, max RSS, rows/s,
progress callbacks. One row in --bad-every carries an error (an impossible date; its ID fails
the check digit too), and every file with errors also gets its XLSX error report built and
timed. Goal (whole pipeline incl. storing): < 20 s and < 1 GiB.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import resource
import subprocess
import sys
import time
import zipfile
from datetime import date, timedelta
from pathlib import Path

from shouhu.core.catalog import DataItem, FieldType, catalog_load
from shouhu.core.exchange import error_report_xlsx, read_table
from shouhu.core.identity import id_number_generate


def value(item: DataItem, key: str, index: int, bad: bool) -> object:
    spec = item.field(key)
    if spec.type is FieldType.ID_NUMBER:
        born = date(1970, 1, 1) + timedelta(days=index % 15000)
        number = id_number_generate(
            division_code="150802", birth_date=born, sequence=index % 100, gender="MF"[index % 2]
        )
        return number[:-1] + ("0" if number[-1] != "0" else "1") if bad else number
    if spec.type is FieldType.NAME:
        return "王秀英" if index % 3 else "阿依古丽·买买提"
    if spec.type is FieldType.DATE:
        if bad and spec.required:
            return "2024-02-30"
        day = date(2020, 1, 1) + timedelta(days=index % 1500)
        if spec.target in ("fact.end", "fact.valid_until"):
            day += timedelta(days=800)
        return day.isoformat() if index % 2 else day.strftime("%Y/%-m/%-d")
    if spec.type is FieldType.BOOL:
        return "否"
    if spec.code_list is not None:
        return spec.code_list.options[index % len(spec.code_list.options)].label
    if spec.type is FieldType.DIVISION_CODE:
        return "150802"
    if spec.target == "record_id":
        return f"R{index:08d}"
    return "某某监狱"


def rows(item: DataItem, count: int, bad_every: int) -> list[list[object]]:
    out: list[list[object]] = [list(item.headers)]
    for index in range(count):
        bad = bad_every > 0 and index % bad_every == bad_every - 1
        row = [value(item, spec.key, index, bad) for spec in item.fields]
        if item.code == "justice_custody":
            row[item.headers.index("是否无期")] = None
            row[item.headers.index("羁押类型")] = "服刑在押"
        out.append(row)
    return out


def write_xlsx(path: Path, table: list[list[object]]) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("数据")
    for row in table:
        sheet.append(row)
    workbook.save(path)


def write_csv(path: Path, table: list[list[object]], encoding: str) -> None:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(table)
    path.write_bytes(buffer.getvalue().encode(encoding))


def write_blank_rows(path: Path, item: DataItem, count: int) -> None:
    """Two data rows followed by a million formatted-but-empty rows (empty strings)."""
    write_xlsx(path, rows(item, 2, 0))
    source = zipfile.ZipFile(path)
    parts = {info.filename: source.read(info.filename) for info in source.infolist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode("utf-8")
    blank = "".join(
        f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t></t></is></c></row>'
        for n in range(4, 4 + count)
    )
    parts["xl/worksheets/sheet1.xml"] = xml.replace("</sheetData>", blank + "</sheetData>").encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, content in parts.items():
            target.writestr(name, content)


def prepare(directory: Path, item: DataItem, count: int, bad_every: int) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    stem = f"{item.code}-{count}-bad{bad_every}"
    files = [
        directory / f"{stem}.xlsx",
        directory / f"{stem}.utf8.csv",
        directory / f"{stem}.gbk.csv",
    ]
    if not all(path.exists() for path in files):
        started = time.perf_counter()
        table = rows(item, count, bad_every)
        write_xlsx(files[0], table)
        write_csv(files[1], table, "utf-8-sig")
        write_csv(files[2], table, "gbk")
        print(f"generated {count} rows in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    blank = directory / "million-blank-rows.xlsx"
    if not blank.exists():
        write_blank_rows(blank, item, 1_000_000)
    return [*files, blank]


def measure(path: Path, item_code: str) -> dict[str, object]:
    item = catalog_load().item(item_code)
    data = path.read_bytes()
    calls: list[int] = []
    started, cpu = time.perf_counter(), time.process_time()
    result = read_table(data, filename=path.name, item=item, progress=calls.append)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    report_seconds = None
    if result.errors:
        started = time.perf_counter()
        error_report_xlsx(data, path.name, item, result.errors)
        report_seconds = round(time.perf_counter() - started, 2)
    return {
        "file": path.name,
        "mib": round(len(data) / 2**20, 1),
        "rows": result.rows_total,
        "records": len(result.records),
        "errors": len(result.errors),
        "warnings": len(result.warnings),
        "rejected_whole": result.rejected_whole,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "rows_per_s": round(result.rows_total / seconds) if seconds else None,
        "progress_calls": len(calls),
        "report_seconds": report_seconds,
        "max_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--item", default="justice_custody")
    parser.add_argument("--bad-every", type=int, default=100)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/shouhu-bench"))
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure is not None:
        print(json.dumps(measure(args.measure, args.item), ensure_ascii=False))
        return
    item = catalog_load().item(args.item)
    for path in prepare(args.dir, item, args.rows, args.bad_every):
        command = [sys.executable, __file__, "--item", args.item, "--measure", str(path)]
        output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        print(output.strip())


if __name__ == "__main__":
    main()
