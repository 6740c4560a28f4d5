"""A seeded sample of the malformed-file corpus (bench/fuzz/fuzz_corpus.py), on every change:
no file makes the ingest raise, none leaves a partial write (a submission with its receipt, or
nothing but the audit entry), and no log line holds a name or an ID number. The full corpus,
through the CLI and the web upload page, is the benchmark bench/fuzz/bench_fuzz.py.

SHOUHU_FUZZ_SEED picks another sample; a failure names the seed and the case numbers."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from shouhu.core.catalog import catalog_load
from shouhu.web.accounts.models import Agency
from tests.web import factories as f
from tests.web.exchange.conftest import PERIOD

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench" / "fuzz"))
from fuzz_check import LogTrap, ingest_case
from fuzz_corpus import light_sample

SEED = int(os.environ.get("SHOUHU_FUZZ_SEED", "1"))
CATALOG = catalog_load("150802")


def test_a_sample_of_the_corpus_never_crashes_or_half_writes(region) -> None:
    agencies: dict[str, Agency] = {}

    def agency_for(item_code: str) -> Agency:
        kind = CATALOG.item(item_code).agency_type
        if kind not in agencies:
            found = Agency.objects.filter(agency_type=kind, division=region.county_a).first()
            agencies[kind] = found or f.agency(kind, region.county_a)
        return agencies[kind]

    with LogTrap() as logs:
        outcomes = [
            ingest_case(case, agency_for=agency_for, period=PERIOD)
            for case in light_sample(SEED, 50)
        ]

    bad = [
        (o.number, o.family, o.kind, o.reason) for o in outcomes if o.kind in ("crash", "partial")
    ]
    assert bad == [], f"seed {SEED}"
    assert logs.personal_data() == []
    kinds = {o.kind for o in outcomes}
    assert {"refused", "stored"} <= kinds | {"stored_with_errors"}
