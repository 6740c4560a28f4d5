"""Benchmark: the monthly subsidy roster at stress size (issue 16 item 6) — 600,000 children in
care across 100 counties on PostgreSQL; every county's roster computed, reviewed, approved and
exported (XLSX and the bank batch file) through the real services and the one export path.
See README.md for the rerun lines and the figures.

    bench_roster.py --db URL --setup [--children 600000 --counties 100]
    bench_roster.py --db URL --run 2026-11
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import multiprocessing
import os
import re
import time
import zipfile
from collections import defaultdict
from datetime import date
from typing import Any

CITIES = 5  # 5 个地市 × 20 个县


def _counties(count: int) -> list[str]:
    per_city = -(-count // CITIES)
    return [f"15{c + 1:02d}{k + 1:02d}" for c in range(CITIES) for k in range(per_city)][:count]


def setup(children: int, counties: int) -> None:
    from django.core.management import call_command
    from django.db import connection, transaction

    from shouhu.web.accounts.services import agency_create, user_create
    from shouhu.web.registry.services import division_create

    call_command("migrate", interactive=False, verbosity=0)
    province = division_create(code="150000", name="内蒙古自治区", parent=None)
    codes = _counties(counties)
    cities = {code[:4]: division_create(code=code[:4] + "00", name=f"市{code[2:4]}",
                                        parent=province) for code in codes}  # fmt: skip
    for code in codes:
        county = division_create(code=code, name=f"县{code[2:]}", parent=cities[code[:4]])
        agency = agency_create(name=f"县{code[2:]}民政局", agency_type="civil_affairs",
                               division=county)  # fmt: skip
        user_create(username=f"bench_{code}", password="bench-subsidy-2026", role="caseworker",
                    division=county, agency=agency)  # fmt: skip
    per_county = children // counties
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO registry_person (id_number, name, name_pinyin, gender, birth_date,
                 division_id, registry_status, household_number, created_at)
               SELECT c.code || lpad(g::text, 12, '0'), '儿童' || g, 'er tong ' || g, 'M',
                 date '2012-01-01' + (g %% 3000), c.code, 'registered', '', now()
               FROM unnest(%s::text[]) AS c(code), generate_series(1, %s) AS g""",
            [codes, per_county],
        )
        cursor.execute(
            """INSERT INTO cases_case (child_id, category, orphan_type, status, risk_level,
                 division_id, opened_on, close_reason_code, close_reason, reopenings,
                 category_changes, placement)
               SELECT p.id,
                 CASE WHEN p.id %% 3 = 0 THEN 'de_facto_unsupported' ELSE 'orphan' END,
                 CASE p.id %% 3 WHEN 1 THEN 'scattered' WHEN 2 THEN 'institutional' ELSE '' END,
                 'active', 'general', p.division_id, date '2024-01-01' + (p.id %% 900)::int, '', '',
                 '[]', '[]', ''
               FROM registry_person p WHERE p.division_id = ANY(%s)""",
            [codes],
        )
        cursor.execute(
            """INSERT INTO cases_carearrangement (case_id, carer_name, carer_id_number, relation,
                 phone, address, bank_name, bank_account, started_on, created_at)
               SELECT c.id, '照料人' || c.id, '', '', '', '', '农商银行',
                 '6221' || lpad(c.id::text, 15, '0'), c.opened_on, now()
               FROM cases_case c WHERE c.division_id = ANY(%s)""",
            [codes],
        )
        cursor.execute("ANALYZE")
    print(json.dumps({"children": per_county * counties, "counties": counties,
                      "setup_s": round(time.perf_counter() - start, 1)}))  # fmt: skip


def run(month: date, workers: int) -> dict[str, object]:
    """各县依次（workers=1），或分给几个进程（每个县仍是一个完整的事务，互不相干）。"""
    from django.db import connections

    from shouhu.web.accounts.models import User

    ids = list(
        User.objects.filter(username__startswith="bench_")
        .order_by("username")
        .values_list("pk", flat=True)
    )
    total = time.perf_counter()
    if workers > 1:
        connections.close_all()  # 子进程各自连接数据库
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            done = pool.map(_counties_run, [(ids[i::workers], month) for i in range(workers)])
    else:
        done = [_counties_run((ids, month))]
    wall = time.perf_counter() - total
    by_county = dict(pair for part in done for pair in part["digests"])  # type: ignore[attr-defined]
    digest = hashlib.sha256()
    for pk in ids:  # 按县的顺序合成，与进程数无关
        digest.update(by_county[pk])
    steps: dict[str, float] = defaultdict(float)
    for part in done:
        for k, v in part["steps"].items():  # type: ignore[attr-defined]
            steps[k] += v
    total_of = lambda key: sum(part[key] for part in done)  # noqa: E731
    return {
        "month": month.isoformat(),
        "counties": len(ids),
        "workers": workers,
        "lines": total_of("lines"),
        "net_fen": total_of("net"),
        "wall_s": round(wall - max(part["check_wall"] for part in done), 1),
        "cpu_s": round(total_of("cpu") + (time.process_time() if workers > 1 else 0), 1),
        "load_avg": [round(x, 1) for x in os.getloadavg()],
        "steps_s": {k: round(v, 1) for k, v in steps.items()},
        "xlsx_mib": round(total_of("xlsx_bytes") / 2**20, 1),
        "bank_mib": round(total_of("bank_bytes") / 2**20, 1),
        "sha256": digest.hexdigest()[:16],
    }


def _counties_run(job: tuple[list[int], date]) -> dict[str, Any]:
    """一批县：生成、审核、批准、读行、导出 XLSX 和代发文件。cpu 是本进程的 CPU（不含
    校验和；单进程时含启动）。"""
    from shouhu.web.accounts.models import User
    from shouhu.web.audit.context import RequestContext
    from shouhu.web.audit.models import ObjectType, Purpose
    from shouhu.web.exports import Export, export_text, export_xlsx
    from shouhu.web.subsidies import selectors, services
    from shouhu.web.subsidies.payment_files import XLSX_HEADER, bank_layout, bank_rows, xlsx_rows

    pks, month = job
    cpu_start = time.process_time() if multiprocessing.parent_process() else 0.0
    users = User.objects.filter(pk__in=pks).select_related("division").order_by("username")
    steps: dict[str, float] = defaultdict(float)
    lines = net = xlsx_bytes = bank_bytes = 0
    digests = []
    layout = bank_layout()
    checking = (0.0, 0.0)  # 校验和本身的用时（墙钟、CPU），不计入结果
    for user in users:
        digest = hashlib.sha256()  # 名册内容的校验和：各行、合计、两种文件的正文（不含水印）
        ctx = RequestContext(user=user, client_ip="bench", purpose=Purpose.SUBSIDY)
        t = time.perf_counter()
        roster = services.roster_build(ctx=ctx, division=user.division, month=month)
        steps["build"] += time.perf_counter() - t
        t = time.perf_counter()
        services.roster_review(ctx=ctx, roster=roster)
        roster = services.roster_approve(ctx=ctx, roster=roster)
        steps["review_approve"] += time.perf_counter() - t
        t = time.perf_counter()
        rows = selectors.payment_rows(roster)
        steps["read_rows"] += time.perf_counter() - t
        t = time.perf_counter()
        # 真实类别（财政看到的是同一个“保障对象”，写出的字节数相近）：README 的校验和照旧可比
        cells = xlsx_rows(roster, rows, categories_shown=True)
        export = Export("名册", XLSX_HEADER, cells, ObjectType.SUBSIDY_ROSTER, roster.pk)
        content = export_xlsx(ctx=ctx, export=export).content
        xlsx_bytes += len(content)
        steps["xlsx"] += time.perf_counter() - t
        check = (time.perf_counter(), time.process_time())
        refs = _refs(roster)
        _digest_xlsx(digest, content, refs)
        checking = _since(check, checking)
        t = time.perf_counter()
        export = Export("代发", layout.header, bank_rows(roster, rows, layout),
                        ObjectType.SUBSIDY_ROSTER, roster.pk)  # fmt: skip
        content = export_text(ctx=ctx, export=export, layout=layout.text).content
        bank_bytes += len(content)
        steps["bank"] += time.perf_counter() - t
        check = (time.perf_counter(), time.process_time())
        digest.update(refs(content))
        _digest_lines(digest, roster)
        checking = _since(check, checking)
        digests.append((user.pk, digest.digest()))
        lines += roster.line_count
        net += roster.net_fen
    return {"steps": dict(steps), "lines": lines, "net": net, "xlsx_bytes": xlsx_bytes,
            "bank_bytes": bank_bytes, "digests": digests, "check_wall": checking[0],
            "cpu": time.process_time() - cpu_start - checking[1]}  # fmt: skip


def _since(start: tuple[float, float], acc: tuple[float, float]) -> tuple[float, float]:
    return (acc[0] + time.perf_counter() - start[0], acc[1] + time.process_time() - start[1])


_WATERMARK = re.compile(rb"<headerFooter>.*?</headerFooter>")


def _digest_xlsx(digest: Any, content: bytes, refs: Any) -> None:
    """XLSX 数据页的正文（去掉每次不同的水印页眉）。"""
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        digest.update(refs(_WATERMARK.sub(b"", z.read("xl/worksheets/sheet1.xml"))))


def _refs(roster: Any) -> Any:
    """发放编号（名册编号-行编号）换成个案编号：编号随生成的先后（几个进程时交错）而不同，
    内容不变。"""
    from shouhu.web.subsidies.models import RosterLine

    case_of = dict(RosterLine.objects.filter(roster=roster).values_list("pk", "case_id"))
    pattern = re.compile(rb"\b%d-(\d+)\b" % roster.pk)
    return lambda data: pattern.sub(lambda m: b"case%d" % case_of[int(m[1])], data)


def _digest_lines(digest: Any, roster: Any) -> None:
    """名册本身：合计和各行（按个案），与计算方式无关。"""
    from shouhu.web.subsidies.models import Overpayment, RosterLine

    r = roster
    digest.update(
        repr(
            (
                r.month,
                r.line_count,
                r.gross_fen,
                r.offset_fen,
                r.net_fen,
                sorted(r.totals["by_basis"].items()),
                sorted(r.totals["children"].items()),
            )
        ).encode()
    )
    lines = (
        RosterLine.objects.filter(roster=roster)
        .order_by("case_id")
        .values_list(
            "case_id",
            "basis",
            "months",
            "gross_fen",
            "offset_fen",
            "net_fen",
            "account_holder",
            "bank_name",
            "bank_account",
        )
    )
    for row in lines.iterator(chunk_size=10000):
        digest.update(repr(row).encode())
    over = Overpayment.objects.filter(found_in=roster).order_by("case_id", "month")
    digest.update(repr(list(over.values_list("case_id", "month", "basis", "fen"))).encode())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--setup", action="store_true")
    parser.add_argument("--children", type=int, default=600_000)
    parser.add_argument("--counties", type=int, default=100)
    parser.add_argument("--run")
    parser.add_argument("--workers", type=int, default=1, help="几个进程分担各县")
    args = parser.parse_args()
    os.environ["SHOUHU_DATABASE_URL"] = args.db
    from shouhu.web import django_setup

    django_setup()
    if args.setup:
        setup(args.children, args.counties)
    if args.run:
        year, month = map(int, args.run.split("-"))
        print(json.dumps(run(date(year, month, 1), args.workers), ensure_ascii=False))


if __name__ == "__main__":
    main()
