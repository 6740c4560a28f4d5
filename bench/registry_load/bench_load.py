"""Benchmark: `shouhu registry load` (the bulk household-registry loader) at prefecture and
province scale. See README.md for the rerun lines and the figures.

    bench_load.py --db URL --setup FILE          # migrate, divisions of FILE, the police agency
    bench_load.py --db URL --load FILE --period 2026-01 [--full]   # one load, in a subprocess
    bench_load.py --delta FILE --rows N --out OUT                  # a delta: N rows moved

Each load runs in its own subprocess; max_rss_mib is that process's peak (Python, DuckDB, Arrow
batches, the database client); the database server's memory is not counted.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any


def setup(path: Path, scope: str) -> None:
    """Migrate, the divisions (GB/T 2260 table, then the file's villages under their township or
    county) and the police agency of `scope` (a county, or a city/province for several counties)."""
    from django.core.management import call_command

    from shouhu.web.accounts.services import agency_create
    from shouhu.web.registry.models import Division
    from shouhu.web.registry.services import division_create, division_sync_from_table

    call_command("migrate", interactive=False, verbosity=0)
    import duckdb

    division_sync_from_table()
    codes = [c for (c,) in duckdb.sql(f"SELECT DISTINCT division_code FROM '{path}'").fetchall()]
    known = set(Division.objects.values_list("code", flat=True))
    for code in sorted(codes, key=lambda c: (len(c), c)):
        if code in known:
            continue
        parent = Division.objects.get(code=code[:6])
        if len(code) == 12:
            township = code[:9]
            if township not in known:
                division_create(code=township, name=f"乡{township[6:]}", parent=parent)
                known.add(township)
            parent = Division.objects.get(code=township)
        division_create(code=code, name=f"村{code[-3:]}", parent=parent)
        known.add(code)
    area = Division.objects.get(code=scope)
    agency_create(name=f"{area.name}公安局", agency_type="public_security", division=area)


def load(path: Path, period: str, full: bool, scope: str) -> dict[str, object]:
    from django.db import connection

    from shouhu.web.accounts.models import Agency
    from shouhu.web.audit.context import RequestContext
    from shouhu.web.audit.models import Purpose
    from shouhu.web.registry.bulk import registry_bulk_load

    agency = Agency.objects.get(division_id=scope, agency_type="public_security")
    ctx = RequestContext(user=None, client_ip="cli", purpose=Purpose.SUBMISSION)
    year, month = map(int, period.split("-"))
    statements: list[tuple[float, str]] = []
    with connection.cursor() as cursor:
        server = _server_process(cursor)
    start = time.perf_counter()
    with connection.execute_wrapper(_timed(statements)):
        result = registry_bulk_load(
            ctx=ctx, agency=agency, period=date(year, month, 1), path=path, full_snapshot=full,
            error_report=Path("/tmp/bench-registry-errors.csv"),
            echo=lambda text: print(text, file=sys.stderr, flush=True),
        )  # fmt: skip
    wall = time.perf_counter() - start
    for seconds, sql in sorted(statements, reverse=True)[:15]:  # the slowest statements
        print(f"{seconds:7.1f} s  {sql}", file=sys.stderr)
    counts = result.load.counts if result.load is not None else {}
    return {
        "rows": result.rows_total,
        "accepted": result.rows_accepted,
        "wall_s": round(wall, 1),
        "cpu_s": round(time.process_time(), 1),
        "max_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        "server_cpu_s": _cpu_seconds(server),
        "steps_s": {k: round(v, 1) for k, v in result.timings.items()},
        "counts": {k: v for k, v in counts.items() if not k.startswith("issue:")}
        | {k: v for k, v in counts.items() if k.startswith("issue:")},
        "status": result.load.status if result.load is not None else result.rejected_whole,
    }


def _server_process(cursor: Any) -> int | None:
    """The PostgreSQL backend serving this connection (on this machine), or None on SQLite."""
    if cursor.db.vendor != "postgresql":
        return None
    cursor.execute("SELECT pg_backend_pid()")
    return int(cursor.fetchone()[0])


def _cpu_seconds(pid: int | None) -> float | None:
    """User + system CPU of a process so far (the backend; its parallel index-build workers are
    not counted)."""
    if pid is None:
        return None
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return round((int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"), 1)


def _timed(found: list[tuple[float, str]]) -> Any:
    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            found.append((time.perf_counter() - start, " ".join(sql.split())[:110]))

    return wrapper


def delta(path: Path, rows: int, out: Path) -> None:
    """N persons of the snapshot moved to the county seat (a change each), as a delta file."""
    import duckdb

    duckdb.sql(
        f"""COPY (SELECT id_number, name, gender, birth_date, '150802' AS division_code,
              father_id_number, mother_id_number FROM '{path}' USING SAMPLE {rows} ROWS
              (reservoir, 7)) TO '{out}' (FORMAT parquet)"""
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db")
    parser.add_argument("--setup", type=Path)
    parser.add_argument("--scope", default="150802", help="the police agency's division")
    parser.add_argument("--load", type=Path)
    parser.add_argument("--period", default="2026-01")
    parser.add_argument("--full", action="store_true")
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--delta", type=Path)
    parser.add_argument("--rows", type=int, default=250_000)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if args.delta:
        delta(args.delta, args.rows, args.out)
        return
    os.environ["SHOUHU_DATABASE_URL"] = args.db
    if args.load and not args.child:
        command = [sys.executable, __file__, *sys.argv[1:], "--child"]
        subprocess.run(command, check=True)
        return
    from shouhu.web import django_setup

    django_setup()
    if args.setup:
        setup(args.setup, args.scope)
    if args.load:
        print(json.dumps(load(args.load, args.period, args.full, args.scope), ensure_ascii=False))


if __name__ == "__main__":
    main()
