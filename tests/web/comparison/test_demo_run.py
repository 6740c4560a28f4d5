"""`shouhu demo` ends with a first comparison: the demo caseworker has findings at once, and they
are the synthetic region's true findings (the platform's export loses nothing the engine needs)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from shouhu.engine.synth import synth_region
from shouhu.web.accounts.models import User
from shouhu.web.comparison.models import ComparisonRun, Finding
from shouhu.web.demo import COUNTY, demo_build
from shouhu.web.exchange.models import Fact
from tests.web.factories import client_for

PERSONS, SEED = 2000, 11


@pytest.fixture
def demo(db: None) -> ComparisonRun:
    demo_build(persons=PERSONS, seed=SEED, echo=lambda _: None)
    return ComparisonRun.objects.get(division_id=COUNTY)


def _truth() -> set[tuple[str, str]]:
    region = synth_region(
        persons=PERSONS, seed=SEED, division_codes=[COUNTY], as_of=timezone.localdate()
    )
    return {
        (row["kind"], row["child_id_number"] or row["record_ids"])
        for row in region.truth_findings.to_pylist()
    }


def _found(run: ComparisonRun) -> set[tuple[str, str]]:
    found = set()
    for finding in Finding.objects.filter(run=run).select_related("person"):
        if finding.person is not None:
            found.add((finding.kind, finding.person.id_number))
        else:
            records = Fact.objects.filter(pk__in=finding.fact_ids).values_list(
                "source_record_id", flat=True
            )
            found.add((finding.kind, ";".join(sorted(records))))
    return found


def test_the_demo_run_finds_the_true_findings(demo: ComparisonRun) -> None:
    assert demo.status == "done"
    assert _found(demo) == _truth()


def test_the_demo_caseworker_sees_findings_and_a_second_build_runs_nothing_again(demo) -> None:
    page = client_for(User.objects.get(username="demo_caseworker")).get(
        reverse("comparison_findings")
    )
    assert page.content.decode().count("data-finding=") == min(
        25, Finding.objects.filter(run=demo).count()
    )
    demo_build(persons=PERSONS, seed=SEED, echo=lambda _: None)
    assert ComparisonRun.objects.count() == 1
