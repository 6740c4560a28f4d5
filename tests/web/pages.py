"""The platform's pages as the walking tests see them: the URL map, a value for each URL
parameter per user, and the text a person sees on a page."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser

from django.urls import URLPattern, URLResolver, get_resolver

from shouhu.web import access
from shouhu.web.accounts.models import User
from shouhu.web.cases.application_models import Application, CaseDocument
from shouhu.web.cases.models import RegisterImport, Transfer
from shouhu.web.cases.register_models import RegisterEntry
from shouhu.web.comparison.models import RuleSimulation
from shouhu.web.exchange.items import catalog_for
from shouhu.web.exchange.models import Fact, Submission, Upload
from shouhu.web.jobs.models import Job
from shouhu.web.meetings.models import JointTask
from shouhu.web.meetings.selectors import tasks_visible_to
from shouhu.web.notifications.models import Notification
from shouhu.web.objections.models import Objection
from shouhu.web.shares.models import ShareList
from shouhu.web.statistics.models import StatReport
from shouhu.web.subsidies.models import Overpayment, SubsidyRoster

# Words a Chinese page may show: file-format names, and the units of a receipt number.
ALLOWED_WORDS = frozenset(
    {"XLSX", "CSV", "JSON", "PDF", "JPEG", "PNG", "ZIP", "xlsx", "csv", "json", "pdf", "zip",
     "Excel", "GBK", "UTF", "SHA", "MB", "KB", "HZ"}
)  # fmt: skip
# Data, not codes: a department's own record numbers (R1508020000016), content hashes, and the
# check character of a resident ID (15080219990101002X).
DATA_TOKEN = re.compile(r"[A-Z]+[0-9]+|[0-9a-f]{16,}|[Xx]")
ENGLISH_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
VISIBLE_ATTRIBUTES = ("placeholder", "alt", "aria-label")
# The API, static files and machine-readable downloads are not pages a person reads.
# Not pages: downloads, JSON for scripts, and the probes for machines (tests/web/ops).
NOT_PAGES = ("exchange_template", "exchange_receipt_download", "exchange_errors",
             "exchange_upload_errors", "comparison_run_status", "exchange_job_status",
             "healthz", "readyz", "metrics", "field_worker", "field_package",
             "field_sync")  # fmt: skip


class _VisibleText(HTMLParser):
    """The text a person sees: element text outside script and style, and a few attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "template"):
            self._hidden += 1
        for name, value in attrs:
            if name in VISIBLE_ATTRIBUTES and value:
                self.parts.append(value)
        if tag == "input" and dict(attrs).get("type") in ("submit", "button"):
            self.parts.append(dict(attrs).get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return " ".join(parser.parts)


def codes_in(text: str, allowed: frozenset[str]) -> list[str]:
    """English words (codes) and clause marks a person would see."""
    words = ENGLISH_WORD.findall(text)
    found = [w for w in words if w not in allowed and not DATA_TOKEN.fullmatch(w)]
    return found + (["§"] if "§" in text else [])


# ---------------------------------------------------------------- the objects each page shows


@dataclass
class Objects:
    """For one user: an object of each kind they may open (else any, so the page answers 404)."""

    user: User

    def person(self) -> int:
        visible = access.persons_visible_to(self.user)
        child = visible.filter(cases__isnull=False).first() or visible.first()
        return child.pk if child else 1

    def fact(self) -> int:
        fact = access.facts_in_scope(self.user).first() or Fact.objects.first()
        return fact.pk if fact else 1

    def finding(self) -> int:
        found = access.findings_visible_to(self.user).order_by("kind").first()
        return found.pk if found else 1

    def record(self) -> int:
        """A record of the same finding as `finding` (its page lists the record's candidates)."""
        found = access.findings_visible_to(self.user).order_by("kind").first()
        return found.fact_ids[0] if found and found.fact_ids else 1

    def stat_report(self) -> int:
        found = access.stat_reports_visible_to(self.user).first() or StatReport.objects.first()
        return found.pk if found else 1

    def run(self) -> int:
        run = access.runs_visible_to(self.user).first()
        return run.pk if run else 1

    def simulation(self) -> int:
        found = access.simulations_visible_to(self.user).first() or RuleSimulation.objects.first()
        return found.pk if found else 1

    def objection(self) -> int:
        objection = access.objections_visible_to(self.user).first() or Objection.objects.first()
        return objection.pk if objection else 1

    def submission(self) -> int:
        found = access.submissions_visible_to(self.user).first() or Submission.objects.first()
        return found.pk if found else 1

    def upload(self) -> int:
        upload = Upload.objects.filter(agency_id=self.user.agency_id).first()
        return upload.pk if upload else 1

    def job(self) -> int:
        job = Job.objects.filter(created_by=self.user).first() or Job.objects.first()
        return job.pk if job else 1

    def register_import(self) -> int:
        found = access.register_imports_visible_to(self.user).first()
        found = found or RegisterImport.objects.first()
        return found.pk if found else 1

    def case(self) -> int:
        case = access.cases_visible_to(self.user).first()
        return case.pk if case else 1

    def application(self) -> int:
        found = access.applications_visible_to(self.user).order_by("pk").first()
        found = found or Application.objects.order_by("pk").first()
        return found.pk if found else 1

    def document(self) -> int:
        visible = access.applications_visible_to(self.user)
        found = CaseDocument.objects.filter(application__in=visible, status="attached").first()
        found = found or CaseDocument.objects.filter(status="attached").first()
        return found.pk if found else 1

    def roster(self) -> int:
        found = access.rosters_visible_to(self.user).first() or SubsidyRoster.objects.first()
        return found.pk if found else 1

    def overpayment(self) -> int:
        found = Overpayment.objects.filter(found_in__in=access.rosters_visible_to(self.user))
        return (found.first() or Overpayment.objects.first() or Overpayment(pk=1)).pk or 1

    def share_list(self) -> int:
        found = access.share_lists_visible_to(self.user).first() or ShareList.objects.first()
        return found.pk if found else 1

    def notification(self) -> int:
        found = Notification.objects.filter(user=self.user).first() or Notification.objects.first()
        return found.pk if found else 1

    def joint_task(self) -> int:
        found = tasks_visible_to(self.user).first() or JointTask.objects.first()
        return found.pk if found else 1

    def transfer(self) -> int:
        found = access.transfers_visible_to(self.user).first() or Transfer.objects.first()
        return found.pk if found else 1

    def register_entry(self) -> int:
        found = access.register_entries_visible_to(self.user).first()
        found = found or RegisterEntry.objects.first()
        return found.pk if found else 1

    def item_code(self) -> str:
        if self.user.agency is None:
            return "none"
        items = catalog_for(self.user.agency).items_for(self.user.agency.agency_type)
        return items[0].code if items else "none"


# Each URL parameter, and where its value comes from.
PARAMETERS: dict[str, Callable[[Objects], object]] = {
    "person_id": Objects.person,
    "fact_id": Objects.fact,
    "finding_id": Objects.finding,
    "record_id": Objects.record,
    "report_id": Objects.stat_report,
    "run_id": Objects.run,
    "simulation_id": Objects.simulation,
    "objection_id": Objects.objection,
    "submission_id": Objects.submission,
    "upload_id": Objects.upload,
    "job_id": Objects.job,
    "item_code": Objects.item_code,
    "import_id": Objects.register_import,
    "case_id": Objects.case,
    "user_id": lambda objects: objects.user.pk,
    "agency_id": lambda objects: objects.user.agency_id or 1,
    "member_id": lambda objects: 1,
    "credential_id": lambda objects: 1,
    "grant_id": lambda objects: 1,
    "load_id": lambda objects: 1,
    "other_id": Objects.person,
    "merge_id": lambda objects: 1,
    "suppression_id": lambda objects: 1,
    "fmt": lambda objects: "xlsx",
    "roster_id": Objects.roster,
    "action": lambda objects: "review",
    "kind": lambda objects: "xlsx",
    "overpayment_id": Objects.overpayment,
    "list_id": Objects.share_list,
    "photo_id": lambda objects: 1,
    "notification_id": Objects.notification,
    "task_id": Objects.joint_task,
    "application_id": Objects.application,
    "document_id": Objects.document,
    "form": lambda objects: "approval",
    "transfer_id": Objects.transfer,
    "entry_id": Objects.register_entry,
}


@dataclass(frozen=True)
class Page:
    name: str
    route: str
    parameters: tuple[str, ...]


def _walk(patterns: list[URLPattern | URLResolver], prefix: str) -> Iterator[Page]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, route)
        elif pattern.name:
            yield Page(pattern.name, route, tuple(re.findall(r"<(?:\w+:)?(\w+)>", route)))


def platform_pages() -> list[Page]:
    return list(_walk(get_resolver().url_patterns, "/"))


def page_url(page: Page, objects: Objects) -> str:
    url = page.route
    for name in page.parameters:
        url = re.sub(rf"<(?:\w+:)?{name}>", str(PARAMETERS[name](objects)), url, count=1)
    return url.replace("^", "").replace("$", "")


# ---------------------------------------------------------------- the demo, seen by every role
