"""Run one corpus case through the platform and check what it left behind (needs Django set up).

`ingest_case` is the CLI's code path in process (`submission_ingest`, then the error report and
the receipt CSV); `upload_case` is the web page's (`POST /submissions/new/`, the background job,
the error report download). Both return an `Outcome`:

- crash: an exception reached the caller, or a download answered 5xx;
- partial: the database changed in a way other than "one submission with its receipt, its facts
  and its error list" or "nothing but audit entries" (rows counted in every table);
- stored / stored_with_errors / duplicate / refused (with the reason, the file name removed).

`LogTrap` keeps every log record written meanwhile, to look for personal data in them.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.apps import apps
from fuzz_corpus import NAMES, Case

ID_RUN = re.compile(r"\d{14,17}[\dXx]")
AUDIT_TABLES = {"audit.auditentry", "audit.audithead"}
JOB_TABLES = {"jobs.job", "exchange.upload"}


@dataclass
class Outcome:
    number: int
    family: str
    kind: str
    reason: str = ""
    seconds: float = 0.0
    changed: dict[str, int] = field(default_factory=dict)


def table_counts() -> dict[str, int]:
    return {m._meta.label_lower: m._default_manager.count() for m in apps.get_models()}


def changes(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {k: after[k] - before[k] for k in after if after[k] != before.get(k, 0)}


def reason_of(message: str, filename: str) -> str:
    """整份拒收的原因，去掉文件名，取第一个分句：便于按原因计数。"""
    text = message.replace(f"文件「{filename}」", "").replace(filename, "")
    return re.split(r"[，。；（]", text.strip(), maxsplit=1)[0][:30] or "（空）"


class LogTrap(logging.Handler):
    """Every record logged anywhere while installed, formatted as the server would log it."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))

    def __enter__(self) -> LogTrap:
        root = logging.getLogger()
        self.level_was = root.level
        root.addHandler(self)
        root.setLevel(logging.DEBUG)
        from shouhu.web.errors import ExceptionTextFilter

        self.addFilter(ExceptionTextFilter())  # as on the server's handlers
        return self

    def __exit__(self, *exc: object) -> None:
        logging.getLogger().removeHandler(self)
        logging.getLogger().setLevel(self.level_was)

    def personal_data(self) -> list[str]:
        """Log lines holding a name of the corpus or an ID-number-like run of digits."""
        return [line for line in self.lines if ID_RUN.search(line) or any(n in line for n in NAMES)]


def _stored_check(result: Any, delta: dict[str, int]) -> str:
    """'' when a stored submission left exactly what it should; else what is wrong."""
    submission = result.submission
    if not submission.receipt_number:
        return "no receipt number"
    facts = delta.get("exchange.fact", 0)
    if facts != result.facts_created + result.facts_superseded:
        return f"facts {facts} ≠ {result.facts_created}+{result.facts_superseded}"
    if delta.get("exchange.submission") != 1:
        return "submission count"
    if bool(delta.get("exchange.submissionerrors")) != bool(
        result.errors or submission.warning_count
    ):
        return "error list"
    return ""


def ingest_case(case: Case, *, agency_for: Callable[[str], Any], period: date) -> Outcome:
    """The CLI's path in process: ingest, then (if stored) the error report and the receipt."""
    from shouhu.web.audit.context import RequestContext
    from shouhu.web.audit.models import Purpose
    from shouhu.web.exchange.selectors import receipt_csv, receipt_get, submission_error_report
    from shouhu.web.exchange.services import submission_ingest

    ctx = RequestContext(user=None, client_ip="fuzz", purpose=Purpose.SUBMISSION)
    agency = agency_for(case.item_code)
    before = table_counts()
    began = time.perf_counter()
    try:
        result = submission_ingest(
            ctx=ctx,
            agency=agency,
            item_code=case.item_code,
            period=period,
            channel="cli",
            filename=case.filename,
            data=case.data,
        )
        if result.submission is not None:
            receipt_csv(receipt_get(submission=result.submission))
            if result.submission.error_count:
                submission_error_report(submission=result.submission)
    except Exception as exc:
        seconds = time.perf_counter() - began
        return Outcome(case.number, case.family, "crash", type(exc).__name__, seconds)
    seconds = time.perf_counter() - began
    return classify(case, result, changes(before, table_counts()), seconds)


def classify(case: Case, result: Any, delta: dict[str, int], seconds: float) -> Outcome:
    others = {k: v for k, v in delta.items() if k not in AUDIT_TABLES | JOB_TABLES}
    outcome = Outcome(case.number, case.family, "", seconds=seconds, changed=others)
    if result.submission is None:
        outcome.kind = "refused" if not others else "partial"
        outcome.reason = reason_of(result.rejected_whole or "", case.filename)
    elif result.duplicate:
        outcome.kind = "duplicate" if not others else "partial"
    else:
        problem = _stored_check(result, delta)
        outcome.kind = "partial" if problem else (
            "stored_with_errors" if result.errors else "stored"
        )  # fmt: skip
        outcome.reason = problem
    return outcome


def upload_case(
    case: Case, *, client: Any, item_period: str, run_jobs: Callable[[], Any]
) -> Outcome:
    """The web page's path: upload (checked and stored in one step), the job, the downloads."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from shouhu.web.exchange.models import Upload

    before = table_counts()
    began = time.perf_counter()
    name = case.filename or "upload"
    upload = SimpleUploadedFile(name, case.data, content_type="application/octet-stream")
    try:
        response = client.post(
            "/submissions/new/",
            {"item": case.item_code, "period": item_period, "mode": "store", "file": upload},
        )
        run_jobs()
    except Exception as exc:
        return Outcome(case.number, case.family, "crash", type(exc).__name__)
    if response.status_code >= 500:
        return Outcome(case.number, case.family, "crash", f"HTTP {response.status_code}")
    held = Upload.objects.order_by("-pk").first()
    if response.status_code == 400 or held is None or held.submission_id is None:
        delta = changes(before, table_counts())
        others = {k: v for k, v in delta.items() if k not in AUDIT_TABLES | JOB_TABLES}
        kept = held is not None and bool(held.content) and response.status_code != 400
        kind = "partial" if others or kept else "refused"
        reason = (held.summary or {}).get("rejected_whole", "") if held else "400"
        if response.status_code == 400:
            reason = "上传表单拒收"
        outcome = Outcome(case.number, case.family, kind, reason_of(reason, name), changed=others)
        outcome.seconds = time.perf_counter() - began
        return outcome
    base = f"/submissions/receipts/{held.submission_id}/"
    for path in (base, base + "receipt.csv", base + "errors.xlsx"):
        status = client.get(path).status_code
        if status >= 500:
            return Outcome(case.number, case.family, "crash", f"HTTP {status} {path[-12:]}")
    delta = changes(before, table_counts())
    others = {k: v for k, v in delta.items() if k not in AUDIT_TABLES | JOB_TABLES}
    held.refresh_from_db()
    kind = "stored" if delta.get("exchange.submission") == 1 else "duplicate"
    kind = "partial" if bytes(held.content) else kind  # the upload's bytes must be gone
    outcome = Outcome(case.number, case.family, kind, changed=others)
    outcome.seconds = time.perf_counter() - began
    return outcome
