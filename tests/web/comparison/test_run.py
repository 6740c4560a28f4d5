"""Runs on the platform's own database: a small county built with the factories gives the expected
enrol / exit / change / review / unlinked findings; a run killed part-way, run again, gives the same
ones; the job, the progress and the command line.

Each engine run takes a few seconds of fixed cost, so these tests share few runs."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from click.testing import CliRunner
from django.utils import timezone

from shouhu.cli import main
from shouhu.web.audit.models import AuditEntry
from shouhu.web.comparison.execute import comparison_run_execute
from shouhu.web.comparison.models import ComparisonRun, Finding
from shouhu.web.comparison.services import comparison_run_start
from shouhu.web.jobs.models import Job
from shouhu.web.jobs.services import LEASE, job_claim
from shouhu.web.jobs.worker import job_run_next
from tests.web import factories as f
from tests.web.comparison.conftest import AS_OF, SmallRegion, ctx_for, sent_fact

pytestmark = pytest.mark.django_db


def _expected(s: SmallRegion) -> set[tuple[object, ...]]:
    return {
        ("enrol", s.orphan.pk, None, "orphan"),
        ("enrol", s.dirty.pk, None, "orphan"),
        ("exit", s.grown.pk, s.grown_case.pk, ""),
        ("change", s.changed.pk, s.changed_case.pk, "orphan"),
        ("review", s.doubtful.pk, None, ""),
        ("unlinked", None, None, ""),
    }


def _found(run: ComparisonRun) -> set[tuple[object, ...]]:
    rows = Finding.objects.filter(run=run).values_list("kind", "person_id", "case_id", "category")
    return set(rows)


def _signature(run: ComparisonRun) -> list[tuple[object, ...]]:
    """Everything a finding says, in a stable order (ids of the run itself left out)."""
    rows = Finding.objects.filter(run=run).order_by("kind", "person_id", "pk")
    return [
        (
            r.kind,
            r.person_id,
            r.case_id,
            r.division_id,
            r.category,
            r.orphan_type,
            r.decision,
            r.reasons,
            r.fact_ids,
            r.links,
            r.link_confidence,
        )
        for r in rows
    ]


def test_a_run_on_a_small_county_finds_each_kind(personas, region, small_region):
    run = comparison_run_start(
        ctx=ctx_for(personas.caseworker_a), division=region.county_a, as_of=AS_OF, background=False
    )
    seen: list[tuple[int, int]] = []

    def progress(percent: int, message: str) -> None:
        seen.append((percent, ComparisonRun.objects.get(pk=run.pk).progress))

    run = comparison_run_execute(run.pk, progress=progress)
    assert _found(run) == _expected(small_region)
    assert (run.status, run.progress, run.message) == ("done", 100, "")
    assert {k: run.counts[k] for k in ("enrol", "exit", "change", "review", "unlinked")} == {
        "enrol": 2,
        "exit": 1,
        "change": 1,
        "review": 1,
        "unlinked": 1,
    }
    assert run.counts["records"] == 11
    assert run.params_version
    assert run.settings["engine"] == "duckdb"
    assert run.settings["link"]["threshold"] > 0
    assert run.duration_ms is not None
    assert run.started_at is not None
    assert run.finished_at is not None
    # progress only rises, and the run row shows it while the run is going
    percents = [p for p, _ in seen]
    assert percents == sorted(percents)
    assert percents[0] < 15 < percents[-1] <= 99
    assert all(stored == percent for percent, stored in seen)
    # the mistyped ID was linked, with its method and a confidence below 100
    dirty = Finding.objects.get(run=run, person=small_region.dirty)
    link = next(x for x in dirty.links if x["fact_id"] == small_region.dirty_fact.pk)
    assert link["method"] == "near_miss"
    assert 90 <= link["confidence"] < 100
    assert dirty.link_confidence == link["confidence"]
    assert [r["code"] for r in dirty.reasons] == ["father_deceased", "mother_deceased"]
    assert dirty.reasons[0]["text"] == "父亲死亡"
    unlinked = Finding.objects.get(run=run, kind="unlinked")
    assert (unlinked.fact_ids, unlinked.division) == ([small_region.stray.pk], region.county_a)
    written = AuditEntry.objects.get(object_type="comparison_findings", object_id=str(run.pk))
    assert written.detail["counts"]["enrol"] == 2
    assert small_region.orphan.name not in str(written.detail)


def test_a_run_killed_while_writing_leaves_nothing_and_runs_again_to_the_same_findings(
    personas, region, small_region, monkeypatch
):
    run = comparison_run_start(
        ctx=ctx_for(personas.caseworker_a), division=region.county_a, as_of=AS_OF, background=False
    )
    real = Finding.objects.bulk_create

    def half_then_die(objs, **kwargs):
        real(list(objs)[:2], **kwargs)
        raise RuntimeError("killed")

    monkeypatch.setattr(Finding.objects, "bulk_create", half_then_die)
    with pytest.raises(RuntimeError):
        comparison_run_execute(run.pk)
    run.refresh_from_db()
    assert run.status == "failed"
    assert not Finding.objects.filter(run=run).exists()
    monkeypatch.undo()
    again = comparison_run_execute(run.pk)
    assert again.status == "done"
    assert _found(again) == _expected(small_region)
    # and once done, running it again computes nothing and changes nothing
    before = _signature(again)
    assert comparison_run_execute(run.pk).finished_at == again.finished_at
    assert _signature(again) == before


def test_a_dead_workers_run_is_taken_over_and_ignores_data_recorded_after_it_started(
    personas, region, small_region
):
    run = comparison_run_start(
        ctx=ctx_for(personas.caseworker_a), division=region.county_a, as_of=AS_OF
    )
    first = job_claim(worker="dies", kinds=("comparison.run",))
    assert first is not None
    assert first.pk == run.job_id
    ComparisonRun.objects.filter(pk=run.pk).update(status="running", progress=40)
    # a worker that died: no heartbeat for longer than the lease
    Job.objects.filter(pk=first.pk).update(
        heartbeat_at=timezone.now() - LEASE - timedelta(seconds=1)
    )
    # meanwhile a new family is reported: not part of this run, which reads the data as it started
    late, father, mother = f.family(region.village_a, child_name="赵晚到")
    police = small_region.dirty_fact.agency
    sent_fact(father, police, "deceased", date=date(2025, 5, 1))
    sent_fact(mother, police, "deceased", date=date(2025, 6, 1))
    assert job_run_next(worker="other")
    run.refresh_from_db()
    job = Job.objects.get(pk=first.pk)
    assert (run.status, job.status, job.attempts, job.worker) == ("done", "done", 2, "other")
    assert job.result["counts"]["enrol"] == 2
    assert _found(run) == _expected(small_region)
    assert not Finding.objects.filter(person=late).exists()


def test_compare_db_command_prints_the_counts(personas, region, small_region):
    result = CliRunner().invoke(
        main,
        ["compare-db", "--division", "150802", "--as-of", "2026-11-01", "--user", "caseworker_a"],
    )
    assert result.exit_code == 0, result.output
    run = ComparisonRun.objects.get()
    assert (
        f"运行 #{run.pk}：应纳未纳 2，应退未退 1，类别变更 1，需人工核查 1，无法匹配 1"
        in result.output
    )
    assert run.started_by == personas.caseworker_a
    assert _found(run) == _expected(small_region)


def test_compare_db_refuses_an_unknown_division_and_a_bad_date(region):
    unknown = CliRunner().invoke(main, ["compare-db", "--division", "999999"])
    assert unknown.exit_code == 2
    assert "没有区划 999999" in unknown.output
    bad = CliRunner().invoke(main, ["compare-db", "--division", "150802", "--as-of", "2026-02-30"])
    assert bad.exit_code == 2
    assert "YYYY-MM-DD" in bad.output
    assert not ComparisonRun.objects.exists()
