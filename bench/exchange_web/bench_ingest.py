"""Benchmark: a 100,000-row XLSX and CSV read, checked and stored through `submission_ingest`
(issue 4 item 10), on SQLite and on PostgreSQL. Goal: < 20 s and < 1 GiB.

    .venv/bin/python bench/exchange_web/bench_ingest.py [--rows 100000] [--bad-every 100]
        [--item CODE] [--postgres postgresql://postgres@127.0.0.1:5432/postgres]
        [--dir /tmp/shouhu-bench]

The files come from bench/exchange/bench_read.py (same generator, cached in --dir): item
justice_custody, one row in --bad-every with an error. Each database gets a fresh schema and the
registry persons the rows name (so every valid row is linked by resident ID at ingest). Each
measurement runs in a fresh subprocess, so its peak RSS is the ingest's own (Django included):

1. XLSX into an empty database (every record new);
2. CSV (UTF-8) into an empty database;
3. the same CSV again for the next month into database 2 (every record unchanged).

--postgres names a server database to connect to; the benchmark creates and drops its own
database `bench_shouhu_ingest` there. Without it only SQLite runs.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from urllib.parse import urlparse, urlunparse

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "exchange"))

ITEM = "justice_custody"  # --item: health_severe_illness has sealed fields (docs/operations §2a)
REGION = "150802"
PG_DATABASE = "bench_shouhu_ingest"


def _django(database_url: str, data_dir: str) -> None:
    os.environ["SHOUHU_DATABASE_URL"] = database_url
    os.environ["SHOUHU_DATA_DIR"] = data_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "shouhu.web.settings"
    import django

    django.setup()


def setup(database_url: str, data_dir: str, rows: int, item_code: str) -> None:
    """Fresh schema, the justice bureau of 临河区, and the persons the file's rows name."""
    _django(database_url, data_dir)
    from bench_read import value  # type: ignore[import-not-found]
    from django.core.management import call_command

    from shouhu.core.catalog import catalog_load
    from shouhu.core.identity import is_valid_id_number
    from shouhu.web.accounts.models import Agency
    from shouhu.web.registry.models import Division, Person

    call_command("migrate", interactive=False, verbosity=0)
    province = Division.objects.create(
        code="150000", name="内蒙古自治区", level="province", path="/150000/"
    )
    city = Division.objects.create(code="150800", name="巴彦淖尔市", level="city", parent=province,
                                   path="/150000/150800/")  # fmt: skip
    county = Division.objects.create(code=REGION, name="临河区", level="county", parent=city,
                                     path="/150000/150800/150802/")  # fmt: skip
    item = catalog_load(REGION).item(item_code)
    Agency.objects.create(name="临河区报送部门", agency_type=item.agency_type, division=county)
    numbers = {str(value(item, "id_number", index, False)) for index in range(rows)}
    people = [Person(id_number=n, name="王秀英", name_pinyin="wangxiuying", division=county)
              for n in sorted(numbers) if is_valid_id_number(n)]  # fmt: skip
    Person.objects.bulk_create(people, batch_size=5000)


def measure(
    database_url: str, data_dir: str, path: Path, period: str, item_code: str
) -> dict[str, object]:
    _django(database_url, data_dir)
    from shouhu.web.accounts.models import Agency
    from shouhu.web.audit.models import Purpose
    from shouhu.web.audit.services import RequestContext
    from shouhu.web.exchange.models import Fact
    from shouhu.web.exchange.services import submission_ingest

    agency = Agency.objects.select_related("division").get(name="临河区报送部门")
    data = path.read_bytes()
    calls: list[int] = []
    ctx = RequestContext(user=None, client_ip="bench", purpose=Purpose.SUBMISSION)
    started, cpu = time.perf_counter(), time.process_time()
    result = submission_ingest(
        ctx=ctx, agency=agency, item_code=item_code, period=date.fromisoformat(period + "-01"),
        channel="cli", filename=path.name, data=data, progress=calls.append,
    )  # fmt: skip
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    export_seconds, export_cpu = _export(agency)
    return {
        "file": path.name, "mib": round(len(data) / 2**20, 1), "rows": result.rows_total,
        "accepted": result.rows_accepted, "rejected": result.rows_rejected,
        "created": result.facts_created, "unchanged": result.facts_unchanged,
        "linked": Fact.objects.filter(link_method="exact_id", submission=result.submission).count(),
        "seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2),
        "export_seconds": export_seconds, "export_cpu_seconds": export_cpu,
        "load_avg_1m": round(os.getloadavg()[0], 1), "progress_calls": len(calls),
        "max_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }  # fmt: skip


def _export(agency: object) -> tuple[float, float]:
    """The comparison run's inputs exported from the database (what the engine reads)."""
    from django.utils import timezone

    from shouhu.web.comparison.export import comparison_tables_get

    started, cpu = time.perf_counter(), time.process_time()
    comparison_tables_get(division=agency.division, snapshot_at=timezone.now())  # type: ignore[attr-defined]
    return round(time.perf_counter() - started, 2), round(time.process_time() - cpu, 2)


def _run(*args: str) -> str:
    command = [sys.executable, __file__, *args]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip()


def _pg_database(server_url: str, name: str, *, create: bool) -> str:
    import psycopg

    with psycopg.connect(server_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if create:
            connection.execute(f'CREATE DATABASE "{name}"')
    return urlunparse(urlparse(server_url)._replace(path=f"/{name}"))


def _fresh(kind: str, args: argparse.Namespace, work: Path, label: str) -> str:
    if kind == "sqlite":
        return f"sqlite:///{work / f'{label}.sqlite3'}"
    return _pg_database(args.postgres, PG_DATABASE, create=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--bad-every", type=int, default=100)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/shouhu-bench"))
    parser.add_argument("--item", default=ITEM, help="the data item of the generated files")
    parser.add_argument("--postgres", default="", help="postgresql://… of a server database")
    parser.add_argument("--setup", nargs=2, metavar=("URL", "DATA_DIR"), help=argparse.SUPPRESS)
    parser.add_argument("--measure", nargs=4, metavar=("URL", "DATA_DIR", "FILE", "PERIOD"),
                        help=argparse.SUPPRESS)  # fmt: skip
    args = parser.parse_args()
    if args.setup:
        setup(args.setup[0], args.setup[1], args.rows, args.item)
        return
    if args.measure:
        url, data_dir, path, period = args.measure
        out = measure(url, data_dir, Path(path), period, args.item)
        print(json.dumps(out, ensure_ascii=False))
        return
    from bench_read import prepare  # type: ignore[import-not-found]

    from shouhu.core.catalog import catalog_load

    files = prepare(args.dir, catalog_load().item(args.item), args.rows, args.bad_every)
    xlsx, csv = files[0], files[1]
    kinds = ["sqlite", "postgresql"] if args.postgres else ["sqlite"]
    with tempfile.TemporaryDirectory(prefix="shouhu-bench-ingest-") as tmp:
        work = Path(tmp)
        for kind in kinds:
            for label, runs in (("xlsx", [(xlsx, "2025-09")]),
                                ("csv", [(csv, "2025-09"), (csv, "2025-10")])):  # fmt: skip
                url = _fresh(kind, args, work, label)
                _run("--rows", str(args.rows), "--item", args.item, "--setup", url, tmp)
                for path, period in runs:
                    out = json.loads(
                        _run("--item", args.item, "--measure", url, tmp, str(path), period)
                    )
                    print(json.dumps({"db": kind, "period": period, **out}, ensure_ascii=False))
        if args.postgres:
            _pg_database(args.postgres, PG_DATABASE, create=False)


if __name__ == "__main__":
    main()
