"""Every page of the platform, for every role of the demo, speaks Chinese: no internal code shown.

The test walks the URL map (so a page added later is visited too, or the test fails and says which
pattern it does not know), renders each page for each demo user, keeps the text a person sees
(element text, placeholders, alt text, aria labels — not `title`, where a code for support staff is
allowed), and fails on any English word that is not an allowed format name or user name, and on `§`.
Internal codes are English snake_case values (`court_imprisoned`, `no_candidate`, `primary`,
`exact_id`…), so "no English word on screen" catches every list's values at once.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from openpyxl import Workbook

from shouhu.web import access
from shouhu.web.accounts.models import User
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import Purpose
from shouhu.web.cases.models import RegisterImport
from shouhu.web.cases.register_import import register_import_run, register_import_upload
from shouhu.web.demo import demo_build
from shouhu.web.exchange.items import catalog_for
from shouhu.web.exchange.models import Fact, Submission, Upload
from shouhu.web.exchange.services import upload_create
from shouhu.web.jobs.models import Job
from shouhu.web.objections.models import Objection
from shouhu.web.objections.services import objection_raise

DEMO_PERSONS = 1500

# Words a Chinese page may show: file-format names, and the units of a receipt number.
ALLOWED_WORDS = frozenset(
    {"XLSX", "CSV", "JSON", "PDF", "ZIP", "xlsx", "csv", "json", "pdf", "zip", "Excel", "GBK",
     "UTF", "SHA", "MB", "KB", "HZ"}
)  # fmt: skip
# Data, not codes: a department's own record numbers (R1508020000016), content hashes, and the
# check character of a resident ID (15080219990101002X).
DATA_TOKEN = re.compile(r"[A-Z]+[0-9]+|[0-9a-f]{16,}|[Xx]")
ENGLISH_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
VISIBLE_ATTRIBUTES = ("placeholder", "alt", "aria-label")
# The API, static files and machine-readable downloads are not pages a person reads.
NOT_PAGES = ("exchange_template", "exchange_receipt_download", "exchange_errors",
             "exchange_upload_errors", "comparison_run_status", "exchange_job_status")  # fmt: skip


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

    def run(self) -> int:
        run = access.runs_visible_to(self.user).first()
        return run.pk if run else 1

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
    "run_id": Objects.run,
    "objection_id": Objects.objection,
    "submission_id": Objects.submission,
    "upload_id": Objects.upload,
    "job_id": Objects.job,
    "item_code": Objects.item_code,
    "import_id": Objects.register_import,
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


def _demo_with_an_objection_and_an_upload() -> None:
    demo_build(persons=DEMO_PERSONS, seed=7, echo=lambda _: None)
    director = User.objects.get(username="demo_director")
    ctx = RequestContext(user=director, client_ip="127.0.0.1", purpose=Purpose.CASE_WORK)
    fact = access.facts_in_scope(director).filter(is_current=True).first()
    assert fact is not None
    objection_raise(ctx=ctx, fact=fact, reason="判决日期与判决书不符")
    submitter = User.objects.get(username="demo_submitter")
    assert submitter.agency is not None
    ctx = RequestContext(user=submitter, client_ip="127.0.0.1", purpose=Purpose.SUBMISSION)
    item = catalog_for(submitter.agency).items_for(submitter.agency.agency_type)[0]
    upload_create(ctx=ctx, agency=submitter.agency, item_code=item.code,
                  period=date.today().replace(day=1), filename="报送.csv",
                  data="案号\n（2026）蒙0802民特1号\n".encode())  # fmt: skip
    _register_import_by_the_caseworker()


def _register_import_by_the_caseworker() -> None:
    """台账导入：一名儿童导入，一行找不到人（结果页上有未导入的行和原因）。"""
    caseworker = User.objects.get(username="demo_caseworker")
    children = access.persons_visible_to(caseworker).filter(cases__isnull=True)
    child = children.filter(birth_date__range=(date(2010, 1, 1), date(2020, 1, 1))).first()
    assert child is not None
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["儿童姓名", "公民身份号码", "保障类别", "批准日期", "监护人", "备注"])
    sheet.append([child.name, child.id_number, "事实无人抚养儿童", "2024-03-01", "王大海", "无"])
    sheet.append(["钱小北", "11010519491231002X", "孤儿", "2024-03-01", "", ""])
    buffer = io.BytesIO()
    workbook.save(buffer)
    ctx = RequestContext(user=caseworker, client_ip="127.0.0.1", purpose=Purpose.CASE_WORK)
    upload = register_import_upload(ctx=ctx, division=caseworker.division, filename="原台账.xlsx",
                                    data=buffer.getvalue()).register_import  # fmt: skip
    outcome = register_import_run(
        ctx=ctx, register_import=upload, columns=upload.mapping["columns"]
    )
    assert (outcome.cases_created, len(outcome.problems)) == (1, 1)


def test_every_url_pattern_has_a_way_to_fill_its_parameters() -> None:
    """A new page with a new kind of parameter must be taught to this test, not skipped by it."""
    unknown = {name for page in platform_pages() for name in page.parameters} - set(PARAMETERS)
    assert not unknown, f"add these URL parameters to PARAMETERS: {sorted(unknown)}"


def test_codes_are_found_in_visible_text_only() -> None:
    html = (
        '<p title="court_imprisoned">服刑在押</p><script>var no_candidate = 1;</script>'
        '<input placeholder="primary"><span aria-label="依据 bayannur §3">依据</span>'
    )
    assert codes_in(visible_text(html), ALLOWED_WORDS) == ["primary", "bayannur", "§"]


@pytest.mark.django_db(transaction=False)
def test_no_page_shows_an_internal_code_to_any_role() -> None:
    _demo_with_an_objection_and_an_upload()
    users = list(User.objects.filter(username__startswith="demo_", is_active=True).order_by("pk"))
    allowed = ALLOWED_WORDS | {user.username for user in users}
    problems: list[str] = []
    for user in users:
        client = Client()
        client.force_login(user)
        objects = Objects(user)
        for page in platform_pages():
            if page.name.startswith(NOT_PAGES):
                continue
            url = page_url(page, objects)
            response = client.get(url)
            if response.status_code == 405:
                response = client.post(url, {})
            assert response.status_code < 500, f"{user.username} {url}: {response.status_code}"
            if "text/html" not in response.get("Content-Type", "") or not response.content:
                continue
            found = codes_in(visible_text(response.content.decode()), allowed)
            if found:
                problems.append(f"{user.username} {page.name} {url}: {sorted(set(found))}")
    assert not problems, "internal codes on screen:\n" + "\n".join(problems)
