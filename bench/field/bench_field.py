"""Benchmark: the offline field package and the sync of queued records (issue 15).

A township of 10 villages × 30 children in care (each with two parents, a carer and a court fact on
the father), on the embedded SQLite or on PostgreSQL. Measured through the real services: the
package for a village director (30 children) and for the township supervisor (300), its JSON size,
and 100 visits synced one request each (the app sends one record per request), then the same 100
again (each answered as a duplicate). See README.md for the rerun lines and the figures.

    bench_field.py [--db URL]
"""

from __future__ import annotations

import argparse
import json
import os
import time
import uuid
from datetime import date, timedelta


def _world() -> dict[str, object]:
    from django.core.management import call_command
    from django.utils import timezone

    from shouhu.web.accounts.services import agency_create, user_create
    from shouhu.web.cases.models import CareArrangement, Case
    from shouhu.web.cases.plans import plans_set
    from shouhu.web.exchange.models import Fact
    from shouhu.web.registry.models import ParentLink, Person
    from shouhu.web.registry.services import division_create

    call_command("migrate", interactive=False, verbosity=0)
    province = division_create(code="150000", name="内蒙古自治区", parent=None)
    city = division_create(code="150800", name="巴彦淖尔市", parent=province)
    county = division_create(code="150802", name="临河区", parent=city)
    township = division_create(code="150802100", name="城关镇", parent=county)
    civil = agency_create(name="临河区民政局", agency_type="civil_affairs", division=county)
    court = agency_create(name="临河区人民法院", agency_type="court", division=county)
    supervisor = user_create(username="bench_supervisor", password="bench-field-2026",
                             role="supervisor", division=township, agency=civil)  # fmt: skip
    directors = []
    number = 0
    for v in range(10):
        village = division_create(code=f"150802100{v + 201:03d}", name=f"第{v + 1}村",
                                  parent=township)  # fmt: skip
        director = user_create(username=f"bench_director_{v}", password="bench-field-2026",
                               role="child_director", division=village, agency=civil)  # fmt: skip
        directors.append(director)
        for _ in range(30):
            number += 3
            child, father, mother = (
                Person.objects.create(
                    id_number=f"150802{2012 - 30 * (k > 0):04d}0101{number + k:03d}X",
                    name=f"儿童{number + k}", name_pinyin="", gender="M",
                    birth_date=date(2012 - 30 * (k > 0), 1, 1), division=village,
                )
                for k in range(3)
            )  # fmt: skip
            ParentLink.objects.create(child=child, parent=father, relation="father")
            ParentLink.objects.create(child=child, parent=mother, relation="mother")
            Fact.objects.create(person=father, type="imprisoned", agency=court,
                                source_record_id=f"R{number}", record_sha256="0" * 64,
                                start=date(2024, 5, 1), end=date(2031, 4, 30))  # fmt: skip
            case = Case.objects.create(child=child, category="de_facto_unsupported",
                                       division=village, opened_on=date(2025, 1, 1))  # fmt: skip
            CareArrangement.objects.create(case=case, carer_name="祖母", phone="13800001111",
                                           started_on=date(2025, 1, 1))  # fmt: skip
            plans_set(case, today=timezone.localdate())
    return {"supervisor": supervisor, "director": directors[0]}


def _timed(fn):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    value = fn()
    return value, round(time.perf_counter() - start, 3)


def run() -> dict[str, object]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from shouhu.web.audit.context import RequestContext
    from shouhu.web.field.package import case_version, field_package_build
    from shouhu.web.field.sync import field_record_sync, record_parse

    world, setup_s = _timed(_world)
    out: dict[str, object] = {"db": connection.vendor, "setup_s": setup_s}
    for who in ("director", "supervisor"):
        ctx = RequestContext(user=world[who], client_ip="127.0.0.1", purpose="case_work")  # type: ignore[arg-type]
        with CaptureQueriesContext(connection) as queries:
            package, seconds = _timed(lambda ctx=ctx: field_package_build(ctx))
        body = json.dumps(package, ensure_ascii=False).encode()
        out[who] = {"children": len(package["children"]), "package_s": seconds,
                    "queries": len(queries), "json_kib": round(len(body) / 1024, 1)}  # fmt: skip
    ctx = RequestContext(user=world["supervisor"], client_ip="127.0.0.1", purpose="case_work")  # type: ignore[arg-type]
    from shouhu.web.cases.models import Case

    cases = list(Case.objects.order_by("pk")[:100])
    at = (timezone.localtime() - timedelta(hours=1)).isoformat()
    checks = {
        c: {"status": "ok", "note": ""} for c in ("safety", "food", "school", "health", "carer")
    }
    records = [json.dumps({"ref": str(uuid.uuid4()), "kind": "visit", "case": c.pk,
                           "base": case_version(c), "recorded_at": at,
                           "data": {"visited_at": at, "place": "家中", "seen": "儿童",
                                    "checks": checks}}) for c in cases]  # fmt: skip
    jpeg = b"\xff\xd8\xff\xe0" + os.urandom(300_000) + b"\xff\xd9"  # a 1280 px photo's size

    def sync(photos: int) -> list[str]:
        return [field_record_sync(ctx=ctx, record=record_parse(r), photos=[jpeg] * photos).status
                for r in records]  # fmt: skip

    first, out["sync_100_with_2_photos_s"] = _timed(lambda: sync(2))
    again, out["resend_100_s"] = _timed(lambda: sync(2))
    out["first"] = sorted(set(first))
    out["again"] = sorted(set(again))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="")
    args = parser.parse_args()
    if args.db:
        os.environ["SHOUHU_DATABASE_URL"] = args.db
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shouhu.web.settings")
    import django

    django.setup()
    print(json.dumps(run(), ensure_ascii=False))


if __name__ == "__main__":
    main()
