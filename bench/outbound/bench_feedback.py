"""Benchmark: 100,000 per-child feedback rows imported from one uploaded list (issue 16 item 6).

One county with 100,000 children in care on PostgreSQL; civil affairs publishes the full
medical-insurance list (`shares.services.share_list_publish`); the department's answers come back
as one XLSX list with the 反馈 column filled, imported through the real path
(`shares.feedback_files.feedback_file_import`: read with calamine, every row checked, all or
nothing, one batch, audited). See README.md for the rerun lines and the figures.

    bench_feedback.py --db URL --setup [--children 100000]
    bench_feedback.py --db URL --run
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time
from datetime import timedelta

COUNTY = "150802"


def setup(children: int) -> None:
    from django.core.management import call_command
    from django.db import connection, transaction

    from shouhu.web.accounts.services import agency_create, user_create
    from shouhu.web.audit.context import RequestContext
    from shouhu.web.grants.services import grants_ensure_defaults
    from shouhu.web.registry.services import division_create

    call_command("migrate", interactive=False, verbosity=0)
    province = division_create(code="150000", name="内蒙古自治区", parent=None)
    city = division_create(code="150800", name="巴彦淖尔市", parent=province)
    county = division_create(code=COUNTY, name="临河区", parent=city)
    civil = agency_create(name="临河区民政局", agency_type="civil_affairs", division=county)
    insurance = agency_create(name="临河区医疗保障局", agency_type="medical_insurance",
                              division=county)  # fmt: skip
    user_create(username="bench_caseworker", password="bench-outbound-2026", role="caseworker",
                division=county, agency=civil)  # fmt: skip
    user_create(username="bench_department", password="bench-outbound-2026",
                role="department_user", division=county, agency=insurance)  # fmt: skip
    grants_ensure_defaults(ctx=RequestContext(user=None, client_ip="", purpose="administration"))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO registry_person (id_number, name, name_pinyin, gender, birth_date,
                 division_id, registry_status, household_number, created_at)
               SELECT %s || lpad(g::text, 12, '0'), '儿童' || g, 'er tong ' || g, 'M',
                 date '2012-01-01' + (g %% 3000), %s, 'registered', '', now()
               FROM generate_series(1, %s) AS g""",
            [COUNTY, COUNTY, children],
        )
        cursor.execute(
            """INSERT INTO cases_case (child_id, category, orphan_type, status, risk_level,
                 division_id, opened_on, close_reason_code, close_reason, reopenings,
                 category_changes, placement)
               SELECT p.id, 'orphan', 'scattered', 'active', 'general', p.division_id,
                 date '2024-01-01' + (p.id %% 900)::int, '', '', '[]', '[]', 'scattered'
               FROM registry_person p WHERE p.division_id = %s""",
            [COUNTY],
        )
        cursor.execute("ANALYZE")
    print(json.dumps({"children": children}))


def _feedback_xlsx(share_list, fields, reference: str) -> bytes:  # type: ignore[no-untyped-def]
    """The list as the department downloads it, with every row's 反馈 filled in."""
    from django.utils import timezone

    from shouhu.core.exchange.xlsx_write import SheetSpec, xlsx_bytes
    from shouhu.web.shares.feedback_files import list_header, list_rows

    header = list_header(fields)
    outcome, done_on, ref = (header.index(h) for h in ("反馈", "办理日期", "办理编号"))
    day = (timezone.localdate() - timedelta(days=1)).isoformat()

    def rows():  # type: ignore[no-untyped-def]
        yield header
        for number, row in enumerate(list_rows(share_list, fields)):
            row[outcome], row[done_on], row[ref] = "已参保", day, f"{reference}{number:08d}"
            yield row

    return xlsx_bytes([SheetSpec("数据", rows())], title="反馈")


def run() -> None:
    from shouhu.web.accounts.models import User
    from shouhu.web.audit.context import RequestContext
    from shouhu.web.shares.feedback_files import feedback_file_import
    from shouhu.web.shares.models import ShareFeedback, ShareList
    from shouhu.web.shares.services import share_list_publish

    caseworker = User.objects.select_related("division").get(username="bench_caseworker")
    department = User.objects.select_related("agency").get(username="bench_department")
    purpose = "insurance_enrolment"
    figures: dict[str, object] = {}
    start = time.perf_counter()
    share_list = ShareList.objects.filter(agency=department.agency, number=1).first()
    if share_list is None:
        share_list = share_list_publish(
            ctx=RequestContext(user=caseworker, client_ip="", purpose=purpose),
            division=caseworker.division, agency=department.agency, purpose=purpose,
        )  # fmt: skip
        figures["publish_s"] = round(time.perf_counter() - start, 2)
    figures["entries"] = share_list.entry_count
    ctx = RequestContext(user=department, client_ip="", purpose=purpose)
    for label, reference in (("first", "YB"), ("corrected", "YBX")):
        start = time.perf_counter()
        data = _feedback_xlsx(share_list, share_list.fields, reference)
        figures[f"{label}_file_mib"] = round(len(data) / 2**20, 1)
        figures[f"{label}_write_file_s"] = round(time.perf_counter() - start, 2)
        cpu, start = time.process_time(), time.perf_counter()
        outcome = feedback_file_import(ctx=ctx, share_list=share_list, filename=f"{label}.xlsx",
                                       data=data)  # fmt: skip
        figures[f"{label}_import_s"] = round(time.perf_counter() - start, 2)
        figures[f"{label}_import_cpu_s"] = round(time.process_time() - cpu, 2)
        figures[f"{label}_rows"] = outcome.batch.rows
        figures[f"{label}_changed"] = outcome.batch.changed
        start = time.perf_counter()
        again = feedback_file_import(ctx=ctx, share_list=share_list, filename="again.xlsx",
                                     data=data)  # fmt: skip
        assert again.duplicate
        figures[f"{label}_same_file_again_s"] = round(time.perf_counter() - start, 2)
    done = ShareFeedback.objects.filter(entry__share_list=share_list, reference__startswith="YBX")
    figures["feedback_rows"] = done.count()
    figures["max_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(figures))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--setup", action="store_true")
    parser.add_argument("--run", action="store_true")
    parser.add_argument("--children", type=int, default=100_000)
    args = parser.parse_args()
    os.environ["SHOUHU_DATABASE_URL"] = args.db
    from shouhu.web import django_setup

    django_setup()
    if args.setup:
        setup(args.children)
    if args.run:
        run()


if __name__ == "__main__":
    main()
