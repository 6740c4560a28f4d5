"""Which code runs each kind of job. A kind is looked up here, never imported from the row."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from django.utils.module_loading import import_string

from shouhu.web.jobs.models import Job

Progress = Callable[[int, str], None]


class Handler(Protocol):
    def __call__(self, job: Job, progress: Progress) -> dict[str, Any]: ...


HANDLERS: dict[str, str] = {
    "exchange.upload_check": "shouhu.web.exchange.jobs.upload_check",
    "exchange.upload_store": "shouhu.web.exchange.jobs.upload_store",
    "comparison.run": "shouhu.web.comparison.jobs.run_execute",
}


def handler_for(kind: str) -> Handler:
    handler: Handler = import_string(HANDLERS[kind])
    return handler
