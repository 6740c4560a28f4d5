"""The audit log's verification as a background job (started from the auditor's desk)."""

from __future__ import annotations

from typing import Any

from shouhu.web.audit.services import chain_check_run
from shouhu.web.jobs.models import Job
from shouhu.web.jobs.registry import Progress


def handle_audit_verify(job: Job, progress: Progress) -> dict[str, Any]:
    check = chain_check_run(by=job.created_by)
    return {"ok": check.ok, "checked": check.checked}
