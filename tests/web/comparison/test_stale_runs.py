"""A run killed under `shouhu compare-db` (no job, no lease) does not stay "running" for good: the
next start, or the worker's housekeeping, marks it failed with a Chinese reason (report 7b, L5)."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

import pytest
from django.utils import timezone

from shouhu.web.audit.models import AuditEntry
from shouhu.web.comparison.models import ComparisonRun, RunStatus
from shouhu.web.comparison.services import comparison_run_start
from shouhu.web.comparison.stale import STALE_MESSAGE, comparison_runs_stale_fail, process_id
from shouhu.web.jobs.worker import housekeeping_run
from tests.web.comparison.conftest import AS_OF, ctx_for

pytestmark = pytest.mark.django_db


def _dead_process() -> str:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return process_id(child.pid)


def _cli_run(region, worker: str, **fields: object) -> ComparisonRun:
    fields.setdefault("as_of", AS_OF)
    return ComparisonRun.objects.create(
        division=region.county_a,
        status=RunStatus.RUNNING,
        worker=worker,
        heartbeat_at=timezone.now(),
        **fields,
    )


def test_a_killed_cli_run_fails_on_the_next_start(region, personas) -> None:
    killed = _cli_run(region, _dead_process())
    alive = _cli_run(region, process_id(), as_of=AS_OF - timedelta(days=1))  # this process

    started = comparison_run_start(
        ctx=ctx_for(personas.caseworker_a), division=region.county_a, as_of=AS_OF
    )

    killed.refresh_from_db()
    alive.refresh_from_db()
    assert started.pk > alive.pk  # the dead run no longer blocks a new one
    assert (killed.status, killed.message) == (RunStatus.FAILED, STALE_MESSAGE)
    assert alive.status == RunStatus.RUNNING
    entry = AuditEntry.objects.get(detail__outcome="stale_failed")
    assert entry.object_id == str(killed.pk)


def test_a_run_on_another_host_fails_when_its_heartbeat_stops(region) -> None:
    quiet = _cli_run(region, "elsewhere:123:456")
    beating = _cli_run(region, "elsewhere:124:456")
    ComparisonRun.objects.filter(pk=quiet.pk).update(
        heartbeat_at=timezone.now() - timedelta(hours=1)
    )

    housekeeping_run()

    assert ComparisonRun.objects.get(pk=quiet.pk).status == RunStatus.FAILED
    assert ComparisonRun.objects.get(pk=beating.pk).status == RunStatus.RUNNING
    assert comparison_runs_stale_fail() == 0
