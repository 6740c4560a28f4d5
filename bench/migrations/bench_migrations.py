"""Benchmark: this round's migrations on a populated database (issue 18, item 5).

    bench_migrations.py --db URL --populate --facts FACTS.parquet   # after bench_load --setup/--load
    bench_migrations.py --db URL --rollback                          # back to the earlier release
    bench_migrations.py --db URL --run [--json FILE]                 # time `migrate`, per migration

`--populate` adds, at the current schema, what a county with a million persons has after a year:
department agencies, ~10,000 children in care, a year of monthly outbound lists to six
departments (one entry per child per list), a year of monthly submissions with their stored error
lists and, for the last month, the source files, the department facts of FACTS.parquet (synth)
twice (two monthly snapshots, the sealed free text still in clear as before exchange 0008), and
audit entries. `--rollback` unapplies this round's migrations (ROLLBACK), running their reverse
code (exchange 0008 opens every token again). `--run` applies the pending migrations one at a
time, each in its own process: wall and CPU seconds of the process and its peak RSS (the
database server's CPU is not counted). See README.md for the rerun lines and the figures.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

# The earlier release (main at dccad4c, 2026-12-05 22:54): each app's state before this round's
# migrations (exchange 0006–0008, shares 0002–0003, cases 0007–0008, audit 0011–0012,
# accounts 0007, comparison 0004).
ROLLBACK = (
    ("exchange", "0001_squashed_0005_fact_acceptance"),
    ("shares", "0001_initial"),
    ("cases", "0001_squashed_0006_applications_documents_transfers"),
    ("audit", "0001_squashed_0010_object_types_applications_transfers_tasks"),
    ("accounts", "0001_squashed_0006_agency_contact_phone"),
    ("comparison", "0001_squashed_0003_simulation_carry_heartbeat"),
)
COUNTY = "150802"
CHILDREN = 10_000
MONTHS = 12
DEPARTMENTS = (  # (agency type, outbound purpose)
    ("medical_insurance", "insurance_enrolment"),
    ("education", "education_assistance"),
    ("health", "health_services"),
    ("disabled_federation", "rehabilitation"),
    ("finance", "subsidy_payment"),
    ("womens_federation", "care_services"),
)
AUDIT_ENTRIES = 1_000_000
BATCH = 10_000
SEALED_EXTRA = {  # an item with sealed extra columns → a value for each (synthetic)
    "court_judgment": {"case_number": "（2025）鲁0102民特{n}号"},
    "court_criminal_judgment": {"case_number": "（2024）鲁0102刑初{n}号", "court_name": "某法院"},
    "health_hiv_child": {"report_number": "HIV{n}"},
    "health_severe_illness": {"diagnosis_number": "ZD{n}"},
    "medical_insurance_severe_illness": {"certification_number": "MB{n}", "disease_code": "C91"},
    "procuratorate_referral": {"referral_number": "JC{n}", "remark": "移送说明{n}"},
}


def _day(text: str | None) -> date | None:
    """A synth date as written (some are dirty: 2026年6月6日, 20260606), or None."""
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _insert(table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    from django.db import connection

    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(sql, rows[start : start + BATCH])


def populate(facts_path: Path) -> dict[str, int]:
    import pyarrow.parquet as pq
    from django.db import connection, transaction
    from django.utils import timezone

    from shouhu.core.catalog import catalog_load
    from shouhu.core.exchange import CellError
    from shouhu.web.accounts.models import Agency
    from shouhu.web.accounts.services import agency_create
    from shouhu.web.exchange.errorlists import errors_pack
    from shouhu.web.exchange.models import Submission, SubmissionErrors
    from shouhu.web.registry.models import Division

    county = Division.objects.get(code=COUNTY)
    items = catalog_load().items
    agency_types = sorted({i.agency_type for i in items} | {t for t, _ in DEPARTMENTS})
    agencies = {a.agency_type: a for a in Agency.objects.filter(division=county)}
    for kind in agency_types:
        if kind not in agencies:
            agencies[kind] = agency_create(name=f"临河区{kind}", agency_type=kind, division=county)
    now = timezone.now()
    counts: dict[str, int] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, division_id FROM registry_person WHERE birth_date > %s ORDER BY id LIMIT %s",
            [date(2010, 1, 1), CHILDREN],
        )
        children = cursor.fetchall()
        _insert(
            "cases_case",
            ["child_id", "category", "orphan_type", "status", "risk_level", "division_id",
             "opened_on", "close_reason_code", "close_reason", "reopenings", "category_changes",
             "placement"],
            [(pid, "orphan" if pid % 3 else "de_facto_unsupported", "scattered", "active",
              "general", division, date(2024, 1, 1) + timedelta(days=pid % 900), "", "", "[]",
              "[]", "scattered") for pid, division in children],
        )  # fmt: skip
        cursor.execute("SELECT id, child_id FROM cases_case ORDER BY id")
        cases = cursor.fetchall()
        counts["cases"] = len(cases)
        fields = json.dumps(["name", "id_number", "category", "division"])
        number = 0
        for month in range(1, MONTHS + 1):
            for kind, purpose in DEPARTMENTS:
                number += 1
                cursor.execute(
                    """INSERT INTO shares_sharelist (division_id, agency_id, purpose, number,
                         "full", fields, published_at, due_on, enrol_count, exit_count)
                       VALUES (%s, %s, %s, %s, %s, %s, %s, %s, 0, 0)""",
                    [COUNTY, agencies[kind].pk, purpose, number, month == 1, fields, now,
                     date(2026, month, 25)],
                )  # fmt: skip
                cursor.execute("SELECT max(id) FROM shares_sharelist")
                (list_id,) = cursor.fetchone()
                _insert(
                    "shares_shareentry",
                    ["share_list_id", "case_id", "child_id", "change", "data"],
                    [(list_id, case, child, "keep", json.dumps(
                        {"name": f"儿童{child}", "id_number": f"{child:018d}",
                         "category": "孤儿" if case % 3 else "事实无人抚养儿童",
                         "division": "临河区"}, ensure_ascii=False))
                     for case, child in cases],
                )  # fmt: skip
        counts["share_entries"] = number * len(cases)
    facts = pq.read_table(facts_path).to_pylist()
    item_of = {}
    for item in items:
        for fact_type in item.fact_types:
            item_of.setdefault((item.agency_type, fact_type), item.code)
    subs: dict[tuple[str, int], Submission] = {}
    for month in (11, 12):
        for agency_type, item in sorted({(f["agency_type"], item_of.get((f["agency_type"],
                                         f["type"]), "")) for f in facts}):  # fmt: skip
            if item:
                subs[(item, month)] = Submission(
                    agency=agencies[agency_type], item_code=item, period=date(2025, month, 1),
                    channel="upload", content_sha256=hashlib.sha256(f"{item}{month}".encode())
                    .hexdigest(), rows_total=0, status="accepted",
                )  # fmt: skip
    earlier = [  # the other ten months: submissions with stored error lists only
        Submission(agency=s.agency, item_code=s.item_code, period=date(2025, m, 1),
                   channel="upload", content_sha256=f"{m:064d}", status="accepted")
        for s in subs.values() if s.period.month == 11 for m in range(1, 11)
    ]  # fmt: skip
    Submission.objects.bulk_create([*subs.values(), *earlier])
    issues = [CellError(r, "公民身份号码", "", "校验位不对") for r in range(2, 40)] + [
        CellError(r, "出生日期", "", "不是日期") for r in range(2, 20)
    ]
    blob = errors_pack(issues)
    source = os.urandom(200_000)  # an uploaded file kept for 30 days (sealed by exchange 0008)
    SubmissionErrors.objects.bulk_create(
        SubmissionErrors(submission=s, errors=blob, warnings=blob,
                         source=source if s.period.month == 12 else b"")
        for s in [*subs.values(), *earlier]
    )  # fmt: skip
    counts["submissions"] = len(subs) + len(earlier)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, id FROM registry_person")
        person_of = dict(cursor.fetchall())
    rows = []
    for month in (11, 12):
        for n, f in enumerate(facts):
            item = item_of.get((f["agency_type"], f["type"]), "")
            if not item:
                continue
            sub = subs[(item, month)]
            extra = {k: v.format(n=n) for k, v in SEALED_EXTRA.get(item, {}).items()}
            disease = f["disease"] or ("白血病" if "severe_illness" in item else "")
            record = f["record_id"] + (f"-{month}" if month == 12 else "")
            rows.append((
                person_of.get(f["id_number"]), f["type"], _day(f["date"]), _day(f["start"]),
                _day(f["end"]), _day(f["valid_until"]), f["category"] or "", f["level"] or "", disease,
                sub.agency_id, sub.pk, item, record, hashlib.sha256(record.encode()).hexdigest(),
                now, f["id_number"] or "", f["name"] or "", (f["gender"] or "")[:1],
                _day(f["birth_date"]), f["division_code"] or "", json.dumps(extra, ensure_ascii=False),
                "id_number" if person_of.get(f["id_number"]) else "", 1, month == 12,
                "", "",
            ))  # fmt: skip
    with transaction.atomic():
        _insert(
            "exchange_fact",
            ["person_id", "type", "date", "start", '"end"', "valid_until", "category", "level",
             "disease", "agency_id", "submission_id", "item_code", "source_record_id",
             "record_sha256", "recorded_at", "subject_id_number", "subject_name",
             "subject_gender", "subject_birth_date", "subject_division_code", "extra",
             "link_method", "version", "is_current", "acceptance", "acceptance_note"],
            rows,
        )  # fmt: skip
    counts["facts"] = len(rows)
    counts["audit_entries"] = _audit_fill(now)
    return counts


def _audit_fill(now: datetime) -> int:
    """Audit entries (the chain is not valid: no migration of this round reads it)."""
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(seq), 0) FROM audit_auditentry")
        (start,) = cursor.fetchone()
    columns = ["seq", "at", "actor_username", "role", "agency", "division_code", "action",
               "object_type", "object_id", "purpose", "client_ip", "detail", "prev_hash",
               "key_id", "hash"]  # fmt: skip
    detail = json.dumps({"fields": ["name", "category"]})
    for first in range(start + 1, start + AUDIT_ENTRIES + 1, 100_000):
        rows = [(seq, now, "caseworker", "caseworker", "临河区民政局", COUNTY, "read", "person",
                 str(seq % 1_000_000), "case_management", "127.0.0.1", detail, "0" * 64, "k1",
                 f"{seq:064x}") for seq in range(first, first + 100_000)]  # fmt: skip
        with transaction.atomic():
            _insert("audit_auditentry", columns, rows)
    return AUDIT_ENTRIES


def rollback() -> None:
    from django.core.management import call_command

    for app, target in ROLLBACK:
        started = time.perf_counter()
        call_command("migrate", app, target, interactive=False, verbosity=0)
        print(f"unapplied {app} after {target}: {time.perf_counter() - started:.1f} s")


def pending() -> list[tuple[str, str]]:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [(m.app_label, m.name) for m, backwards in plan if not backwards]


def apply_one(app: str, name: str) -> dict[str, Any]:
    from django.core.management import call_command

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    cpu = time.process_time()
    started = time.perf_counter()
    call_command("migrate", app, name, interactive=False, verbosity=0)
    return {
        "migration": f"{app} {name}",
        "wall_s": round(time.perf_counter() - started, 1),
        "cpu_s": round(time.process_time() - cpu, 1),
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        "rss_before_mib": rss_before,
    }


def run(json_path: Path | None) -> None:
    results = []
    load = os.getloadavg()
    for app, name in pending():
        command = [sys.executable, __file__, "--db", os.environ["SHOUHU_DATABASE_URL"]]
        out = subprocess.run(
            [*command, "--apply", app, name], check=True, capture_output=True, text=True
        )
        results.append(json.loads(out.stdout.splitlines()[-1]))
        print(json.dumps(results[-1], ensure_ascii=False), flush=True)
    report = {
        "db": os.environ["SHOUHU_DATABASE_URL"].split(":")[0],
        "load_before": [round(x, 1) for x in load],
        "load_after": [round(x, 1) for x in os.getloadavg()],
        "total_wall_s": round(sum(r["wall_s"] for r in results), 1),
        "migrations": results,
    }
    if json_path:
        json_path.write_text(json.dumps(report, ensure_ascii=False, indent=1))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--populate", action="store_true")
    parser.add_argument("--facts", type=Path)
    parser.add_argument("--rollback", action="store_true")
    parser.add_argument("--run", action="store_true")
    parser.add_argument("--apply", nargs=2, metavar=("APP", "NAME"))
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    os.environ["SHOUHU_DATABASE_URL"] = args.db
    from shouhu.web import django_setup

    django_setup()
    if args.populate:
        started = time.perf_counter()
        counts = populate(args.facts)
        print(json.dumps(counts | {"s": round(time.perf_counter() - started, 1)}))
    if args.rollback:
        rollback()
    if args.apply:
        print(json.dumps(apply_one(*args.apply), ensure_ascii=False))
    if args.run:
        run(args.json)


if __name__ == "__main__":
    main()
