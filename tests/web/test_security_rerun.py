"""Issue 11's "How it will be checked", re-run as the security test would, on a small world.

Four roles the review named (village child director, township supervisor, department user,
leader) and the county caseworker as the reference, each on: a child whose father (in scope)
is imprisoned, a child whose imprisoned father is outside the director's and supervisor's area,
a child whose father lives in another county, a child with HIV whose guardian did not consent,
and one whose guardian did (in care as 艾滋病病毒感染儿童). Every surface a user reads a child
through is fetched: the child's page (no purpose; the purpose that opens most; the what-if date),
lists and search, the list exports, the offline package. What the walk of every page
(`test_pages_speak_chinese`: scope matrix, `outline_problems` for the imprisoned father) and
`test_access.py` (served children only, search limits) already cover is not repeated.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from datetime import date

import pytest
from django.test import Client
from openpyxl import load_workbook

from shouhu.web import access
from shouhu.web.access.disclosure import IN_CARE_OUTCOME, WITHHELD_CATEGORY
from shouhu.web.accounts.credentials import credential_create
from shouhu.web.accounts.models import Agency, User
from shouhu.web.audit.context import RequestContext
from shouhu.web.cases.application_choices import TAB_LABELS
from shouhu.web.cases.applications import EnrolInput, application_create
from shouhu.web.cases.models import Case
from shouhu.web.cases.worklists import WORK_LISTS
from shouhu.web.grants.models import Grant
from shouhu.web.registry.models import Person
from shouhu.web.shares.services import share_list_publish
from tests.web import factories as f
from tests.web.cases.test_printing import pdf_text
from tests.web.conftest import Personas, Region
from tests.web.factories import client_for
from tests.web.pages import visible_text

HIV_WORDS = ("艾滋病", "HIV")
PURPOSES = ("", "determination")  # none stated (outline), and the one that opens the most


@dataclass
class World:
    director: User
    supervisor: User
    department: User
    leader: User
    caseworker: User
    prison: Person  # father in the director's village, imprisoned
    far: Person  # father in another township, imprisoned
    other_county: Person  # father in 五原县, imprisoned
    hiv_no: Person  # HIV, guardian did not consent
    hiv_yes: Person  # HIV, guardian consented, in care as 艾滋病病毒感染儿童
    neighbour: Person  # an adult of the village with a prison record, no child
    court_details: dict[str, tuple[str, ...]]  # child → court name, record numbers


def _fact(person: Person, agency: Agency, fact_type: str, record: str, **fields: object) -> None:
    """A fact whose record number is a marker the probe looks for."""
    made = f.fact(person, agency, fact_type, **fields)
    made.source_record_id = record
    made.save(update_fields=["source_record_id"])


def _imprisoned(father: Person, court: Agency, record: str) -> None:
    _fact(father, court, "imprisoned", record, start=date(2026, 2, 9), end=date(2027, 2, 9))


@pytest.fixture
def world(region: Region, personas: Personas) -> World:
    civil_a = Agency.objects.get(name="临河区民政局")
    court_a = f.agency("court", region.county_a, "临河区人民法院")
    court_b = f.agency("court", region.county_b, "五原县人民法院")
    health_a = f.agency("health", region.county_a, "临河区卫生健康委员会")
    education_a = f.agency("education", region.county_a, "临河区教育局")
    township_c = f.division("150802101", "新华镇", region.county_a)
    village_c = f.division("150802101201", "远村", township_c)

    prison, father, _ = f.family(region.village_a, child_name="赵小狱")
    _imprisoned(father, court_a, "PRISON-IN-SCOPE-1")
    far, far_father, _ = f.family(region.village_a, child_name="钱小远")
    far_father.division = village_c
    far_father.save()
    _imprisoned(far_father, court_a, "PRISON-FAR-2")
    other, other_father, _ = f.family(region.village_a, child_name="孙小外")
    other_father.division = region.village_b
    other_father.save()
    _imprisoned(other_father, court_b, "PRISON-COUNTY-3")
    hiv_no = f.person(region.village_a, name="李小隐")
    _fact(hiv_no, health_a, "hiv_infected", "HIV-NO-4", date=date(2025, 7, 31), consent=False)
    hiv_yes = f.person(region.village_a, name="周小同")
    _fact(hiv_yes, health_a, "hiv_infected", "HIV-YES-5", date=date(2025, 7, 31), consent=True)
    neighbour = f.person(region.village_a, name="吴老刑", birth=date(1970, 1, 1))
    _imprisoned(neighbour, court_a, "PRISON-ADULT-6")
    for child in (prison, far, other, hiv_no):
        f.case(child)
    f.case(hiv_yes, "hiv_infected")
    Case.objects.update(visit_due_on=date(2026, 1, 1))  # overdue: the work lists are not empty
    return World(
        director=personas.child_director_a,
        supervisor=f.user("supervisor_a", "supervisor", region.township_a, civil_a),
        department=f.user("education_a", "department_user", region.county_a, education_a),
        leader=personas.leader_city,
        caseworker=personas.caseworker_a,
        prison=prison, far=far, other_county=other, hiv_no=hiv_no, hiv_yes=hiv_yes,
        neighbour=neighbour,
        court_details={
            "赵小狱": ("临河区人民法院", "PRISON-IN-SCOPE-1"),
            "钱小远": ("临河区人民法院", "PRISON-FAR-2"),
            "孙小外": ("五原县人民法院", "PRISON-COUNTY-3"),
        },
    )  # fmt: skip


def _text(response) -> str:  # type: ignore[no-untyped-def]
    """What the user receives, as text: the visible page, every cell of a workbook, a JSON body."""
    if response.status_code != 200:
        return ""
    kind = response.get("Content-Type", "")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if "spreadsheet" in kind:
        book = load_workbook(io.BytesIO(body), read_only=True)
        return "\n".join(
            str(cell) for sheet in book for row in sheet.iter_rows(values_only=True)
            for cell in row if cell is not None
        )  # fmt: skip
    if "json" in kind:
        return json.dumps(json.loads(body), ensure_ascii=False)
    return visible_text(body.decode())


def _surfaces(world: World) -> list[tuple[str, str, dict[str, str] | None]]:
    """(label, url, POST data or None) for every way the review read a child."""
    out: list[tuple[str, str, dict[str, str] | None]] = []
    for child in (world.prison, world.far, world.other_county, world.hiv_no, world.hiv_yes):
        for purpose in PURPOSES:
            query = f"?purpose={purpose}" if purpose else ""
            out.append((f"page {child.name} {purpose}", f"/persons/{child.pk}/{query}", None))
        out.append((f"search {child.name}", "/persons/", {"q": child.name}))
    for child in (world.prison, world.far, world.other_county):
        what_if = f"/persons/{child.pk}/?as_of=2027-02-10&purpose=determination"
        out.append((f"what-if {child.name}", what_if, None))
    out.append(("search 吴老刑", "/persons/", {"q": world.neighbour.name}))
    for scope in ("all", "minors", "cases"):
        out.append((f"list {scope}", f"/persons/?scope={scope}", None))
    out.append(("persons export", "/persons/export.xlsx?scope=cases", None))
    out += [(f"work export {c}", f"/cases/work/export.xlsx?list={c}", None) for c in WORK_LISTS]
    out += [(f"applications export {t}", f"/cases/applications/export.xlsx?tab={t}", None)
            for t in TAB_LABELS]  # fmt: skip
    out.append(("findings export", "/comparison/findings/export.xlsx", None))
    out.append(("offline package", "/field/package/", None))
    out.append(("cases list", "/cases/work/", None))
    return out


def _read_all(user: User, world: World) -> dict[str, str]:
    client = client_for(user)
    seen: dict[str, str] = {}
    for label, url, data in _surfaces(world):
        response = client.post(url, data) if data is not None else client.get(url)
        assert response.status_code < 500, (user.username, label, response.status_code)
        seen[label] = _text(response)
    return seen


def _shown(seen: dict[str, str], words: tuple[str, ...]) -> list[str]:
    return sorted({f"{label}: {w}" for label, text in seen.items() for w in words if w in text})


def test_the_security_rerun(world: World) -> None:
    """One read of every surface per role (the pages are the slow part), then each check of the
    issue, all problems reported together:

    - HIV: directors and supervisors hold no HIV grant (not even the outline), the department
      user and the leader read no persons, so none of them learns that either child has HIV —
      neither the fact nor the category 艾滋病病毒感染儿童 (every case reads 保障对象), on a page,
      a list, a workbook or the phone's package; the county caseworker sees both children's;
    - judgments: the court and record number never reach the outline roles, nor anyone for a
      father outside their area (H1, the caseworker included), and do reach the caseworker for
      the father in scope with a purpose;
    - the department user and the leader never see a child's name or ID;
    - the adult neighbour with a prison record (no child, no case) is in no list, search,
      export or package of the director or the supervisor; the caseworker finds him.
    """
    seen = {u.username: _read_all(u, world) for u in (world.director, world.supervisor,
            world.department, world.leader, world.caseworker)}  # fmt: skip
    names = tuple(p.name for p in (world.prison, world.far, world.other_county, world.hiv_no,
                                   world.hiv_yes, world.neighbour))  # fmt: skip
    ids = tuple(p.id_number[-8:] for p in Person.objects.all())
    details = tuple(d for pair in world.court_details.values() for d in pair)
    problems: list[str] = []
    for user in (world.director, world.supervisor, world.department, world.leader):
        problems += [f"{user.username} HIV {s}" for s in _shown(seen[user.username], HIV_WORDS)]
        problems += [f"{user.username} judgment {s}" for s in _shown(seen[user.username], details)]
    for user in (world.department, world.leader):
        problems += [f"{user.username} child {s}" for s in _shown(seen[user.username], names + ids)]
    for user in (world.director, world.supervisor):
        adult = (world.neighbour.name, "PRISON-ADULT-6")
        problems += [f"{user.username} adult {s}" for s in _shown(seen[user.username], adult)]
    caseworker = seen[world.caseworker.username]
    problems += [f"caseworker H1 {s}" for s in _shown(caseworker, world.court_details["孙小外"])]
    assert problems == []
    # the reference reader still sees what the work needs (the probe is not blind)
    assert "感染艾滋病病毒" in caseworker["page 李小隐 determination"]
    assert "艾滋病病毒感染儿童" in caseworker["page 周小同 "]
    assert "PRISON-IN-SCOPE-1" in caseworker["page 赵小狱 determination"]
    assert world.neighbour.name in caseworker["search 吴老刑"]
    assert WITHHELD_CATEGORY in seen[world.director.username]["page 周小同 "]
    for user in (world.director, world.supervisor):  # the decision reads as for any child in care
        for purpose in PURPOSES:
            page = seen[user.username][f"page 周小同 {purpose}"]
            assert IN_CARE_OUTCOME in page, (user.username, purpose)
            assert "不符合" not in page, (user.username, purpose)
    assert "周小同" in seen[world.director.username]["offline package"]
    assert "周小同" in seen[world.director.username]["work export visits_overdue"]


def test_what_if_date_does_not_reveal_an_out_of_scope_fathers_release_date(world: World) -> None:
    """H1's probe: the what-if date on the child's page must not reveal the exact release date of
    a father outside the reader's area (the director for 钱小远, the caseworker for 孙小外)."""
    exact = re.compile(r"2027[-年]0?2[-月]0?9")
    for user, child in ((world.director, world.far), (world.caseworker, world.other_county)):
        page = _text(client_for(user).get(
            f"/persons/{child.pk}/?as_of=2027-02-10&purpose=determination"))  # fmt: skip
        assert not exact.search(page), (user.username, page)


def test_an_outbound_list_does_not_tell_a_department_a_child_has_hiv(world: World) -> None:
    """The list pushed to a department (here 医疗保障局, for insurance enrolment, whose default
    fields include the category) carries no HIV status: the department holds no grant for it,
    so every child's category goes out as 保障对象 — the HIV child's and the others' alike, or
    the stand-in would name the HIV child."""
    region = world.caseworker.division
    insurance = f.agency("medical_insurance", region, "临河区医疗保障局")
    ctx = RequestContext(user=world.caseworker, client_ip=f.CLIENT_IP,
                         purpose="insurance_enrolment")  # fmt: skip
    published = share_list_publish(ctx=ctx, division=region, agency=insurance,
                                   purpose="insurance_enrolment")  # fmt: skip
    categories = {e.child_id: e.data.get("category") for e in published.entries.all()}
    assert categories[world.hiv_yes.pk] == WITHHELD_CATEGORY
    assert set(categories.values()) == {WITHHELD_CATEGORY}


CASE_BADGE = re.compile(r'badge-case">([^<]+)<')
REAL = {"散居孤儿", "事实无人抚养儿童", "艾滋病病毒感染儿童"}


def _categories_read(
    user: User, world: World, orphan: Person, application: int
) -> dict[str, set[str]]:
    """The category text each surface shows this user for the orphan, the de facto unsupported
    child (赵小狱) and the HIV child (周小同)."""
    client = client_for(user)
    children = (orphan, world.prison, world.hiv_yes)
    out = {"child page": set(), "case-work list": set(), "application": set(), "form": set()}
    for child in children:
        page = client.get(f"/persons/{child.pk}/").content.decode()
        out["child page"] |= set(CASE_BADGE.findall(page))
        form = client.get(f"/cases/{Case.objects.get(child=child).pk}/forms/approval.pdf")
        assert form.status_code == 200, (user.username, child.name)
        text = pdf_text(b"".join(form.streaming_content) if form.streaming else form.content)
        out["form"] |= {c for c in (*REAL, "孤儿", WITHHELD_CATEGORY) if f"申请类别{c}" in text}
    listed = client.get("/persons/?scope=cases").content.decode()
    out["case-work list"] = set(CASE_BADGE.findall(listed))
    shown = client.get(f"/cases/applications/{application}/").content.decode()
    out["application"] = set(re.findall(r"<dt>申请类别</dt><dd>([^<]*)</dd>", shown))
    return out


def test_the_director_reads_one_category_for_every_child_and_the_caseworker_the_real_ones(
    world: World, region: Region
) -> None:
    """Issue 11's decision: a user who may not see HIV (the village director: no grant) reads the
    same text, 保障对象, for an orphan, a de facto unsupported child and the HIV child — on the
    child's page, the case-work list, an application and the printed approval form — so nothing
    marks the HIV child out; the county caseworker (granted, and allowed without consent) reads
    the real categories everywhere."""
    orphan = f.person(region.village_a, name="郑小孤")
    Case.objects.create(child=orphan, category="orphan", orphan_type="scattered",
                        division=orphan.division, opened_on=date(2025, 1, 1))  # fmt: skip
    applicant = f.person(region.village_a, name="冯小申")
    ctx = RequestContext(user=world.director, client_ip=f.CLIENT_IP, purpose="case_work")
    app = application_create(ctx=ctx, child=applicant, data=EnrolInput(
        category="orphan", orphan_type="scattered", claimed=(("father", "deceased"),),
        carer_name="冯大海", carer_relation="祖父", carer_phone="13800000002"))  # fmt: skip
    director = _categories_read(world.director, world, orphan, app.pk)
    assert director == {k: {WITHHELD_CATEGORY} for k in director}, director
    caseworker = _categories_read(world.caseworker, world, orphan, app.pk)
    assert caseworker["child page"] == caseworker["case-work list"] == REAL
    assert caseworker["application"] == {"散居孤儿"}
    assert caseworker["form"] == {"孤儿", "事实无人抚养儿童", "艾滋病病毒感染儿童"}


def _body(response) -> str:  # type: ignore[no-untyped-def]
    """Whatever came back, refusals included (their JSON must not name anyone either)."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if "json" in response.get("Content-Type", ""):
        return json.dumps(json.loads(body), ensure_ascii=False)
    return _text(response)


def test_the_apis_called_directly_name_no_hiv_and_no_one_out_of_scope(
    world: World, region: Region
) -> None:
    """The security test also calls the APIs without the pages: the outbound-list API (the
    department's own credential, and the department user's and the leader's sessions), the query
    API (a department credential asking about the HIV child, refused: only civil affairs may ask)
    and the statistics pages and exports the leader reads. No HIV category or fact and no child of
    五原县 in any JSON or file; the department's list gives every child the one category text.
    The leader's statistics fold the HIV category into 事实无人抚养儿童等 (the small-cell rule)."""
    stranger = f.person(region.village_b, name="孙小县外")
    f.case(stranger, "hiv_infected")
    education = world.department.agency
    assert education is not None
    ctx = RequestContext(user=world.caseworker, client_ip=f.CLIENT_IP, purpose="education_aid")
    published = share_list_publish(ctx=ctx, division=region.county_a, agency=education,
                                   purpose="education_aid")  # fmt: skip
    admin = RequestContext(user=None, client_ip="", purpose="administration")
    token = credential_create(ctx=admin, name="教育系统", agency=education, item_codes=(),
                              share_purposes=["education_aid"]).token  # fmt: skip
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    ask = {
        "item_code": "health_hiv_child",
        "purpose": "determination",
        "persons": [{"ref": "1", "id_number": world.hiv_yes.id_number, "name": "周小同"}],
    }
    page = api.get(f"/api/v1/share-lists/{published.pk}", {"page_size": 500})
    assert page.status_code == 200
    bodies = {
        "credential lists": _body(api.get("/api/v1/share-lists")),
        "credential list": _body(page),
        "credential query": _body(
            api.post("/api/v1/queries", ask, content_type="application/json")
        ),
    }  # fmt: skip
    for user in (world.department, world.leader):
        client = client_for(user)
        for label, url in (("lists", "/api/v1/share-lists"),
                           ("list", f"/api/v1/share-lists/{published.pk}"),
                           ("statistics", "/"),
                           ("statistics export", "/export.xlsx"),
                           ("reports", "/reports/")):  # fmt: skip
            response = client.get(url)
            if user == world.leader and "statistics" in label:  # the probe is not blind
                assert response.status_code == 200, (label, url)
            bodies[f"{user.username} {label}"] = _body(response)
        query = client.post("/api/v1/queries", ask, content_type="application/json")
        assert query.status_code in (401, 403)
        bodies[f"{user.username} query"] = _body(query)
    problems = _shown(bodies, HIV_WORDS)
    people = (stranger.name, stranger.id_number, world.hiv_yes.id_number[-8:])
    problems += [s for s in _shown(bodies, people) if not s.startswith("credential list:")]
    problems += [f"leader {s}" for s in _shown(
        {k: v for k, v in bodies.items() if k.startswith(world.leader.username)},
        tuple(p.name for p in (world.hiv_yes, world.hiv_no, world.prison)))]  # fmt: skip
    assert problems == []
    entries = page.json()["entries"]
    names = {e["fields"]["name"] for e in entries}
    assert names >= {"周小同", "赵小狱"}
    assert stranger.name not in names
    assert {e["fields"]["category"] for e in entries} == {WITHHELD_CATEGORY}


def test_who_reads_the_real_categories_is_decided_per_user_as_if_no_guardian_had_consented(
    personas: Personas, region: Region
) -> None:
    """The decision behind the one text: whether a user reads real categories does not depend on
    any child's consent, so it is decided as for a child whose guardian did not consent — the
    county caseworker and a granted health department read them; a city caseworker (granted, but
    consent-less HIV is the county's) and a director even with an explicit HIV grant do not."""
    civil_city = personas.leader_city.agency
    health = f.agency("health", region.county_a, "临河区卫生健康委员会")
    for agency_type, agency, role in (
        ("civil_affairs", personas.child_director_a.agency, "child_director"),
        ("health", health, "department_user"),
    ):
        Grant.objects.create(agency_type=agency_type, agency=agency, item_code="health_hiv_child",
                             purpose="determination", roles=[role], level="exists")  # fmt: skip
    readers = {
        "county caseworker": personas.caseworker_a,
        "health": f.user("health_a", "department_user", region.county_a, health),
        "city caseworker": f.user("caseworker_city", "caseworker", region.city, civil_city),
        "granted director": personas.child_director_a,
        "leader": personas.leader_city,
    }
    shown = {k: access.categories_shown(access.disclosure_for(u)) for k, u in readers.items()}
    assert shown == {"county caseworker": True, "health": True, "city caseworker": False,
                     "granted director": False, "leader": False}  # fmt: skip
    assert access.category_text(access.disclosure_for(personas.child_director_a), "orphan",
                                "scattered") == WITHHELD_CATEGORY  # fmt: skip
    assert access.category_text(access.disclosure_for(personas.caseworker_a), "orphan",
                                "scattered") == "散居孤儿"  # fmt: skip
