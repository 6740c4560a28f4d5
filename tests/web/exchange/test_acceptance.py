"""Facts about persons outside the sending department's area are held until the local civil
affairs accept them (security report M5): not used for decisions or comparisons until then."""

from __future__ import annotations

from shouhu.web.audit.models import AuditEntry
from shouhu.web.comparison.export import current_facts
from shouhu.web.exchange.models import Fact
from tests.core.exchange.exchange_helpers import valid_id
from tests.web import factories as f
from tests.web.exchange.conftest import ingest, judgment_rows, registry_person, xlsx_of


def _wuyuan_resident(region, index: int):
    person = registry_person(region, index)
    person.division = region.village_b
    person.save(update_fields=["division"])
    return person


def test_a_fact_about_another_countys_resident_waits_for_acceptance(region, courts, court_item):
    mine = registry_person(region, 0)
    theirs = _wuyuan_resident(region, 1)
    rows = judgment_rows(court_item, 2)
    result = ingest(courts.clerk_a, courts.a, court_item, xlsx_of(court_item, rows))

    assert result.submission.facts_held == 1
    held = Fact.objects.get(person=theirs)
    assert held.acceptance == "pending"
    assert Fact.objects.get(person=mine).acceptance == ""
    from django.utils import timezone

    usable = current_facts(timezone.now())
    assert held not in usable
    assert Fact.objects.get(person=mine) in usable


def test_the_local_caseworker_accepts_or_refuses(region, personas, courts, court_item) -> None:
    theirs = _wuyuan_resident(region, 1)
    rows = judgment_rows(court_item, 2)
    ingest(courts.clerk_a, courts.a, court_item, xlsx_of(court_item, rows))
    held = Fact.objects.get(person=theirs)

    assert "外地数据接收" in f.client_for(personas.caseworker_b).get("/").content.decode()
    page = f.client_for(personas.caseworker_b).get("/submissions/acceptance/").content.decode()
    assert theirs.name in page
    mine = f.client_for(personas.caseworker_a).get("/submissions/acceptance/").content.decode()
    assert "没有待接收的外地数据" in mine  # 五原县有民政经办：由五原县接收

    wrong = f.client_for(personas.caseworker_a).post(
        "/submissions/acceptance/", {"fact": held.pk, "decision": "accept"}
    )
    assert wrong.status_code == 404
    refused = f.client_for(personas.caseworker_b).post(
        "/submissions/acceptance/", {"fact": held.pk, "decision": "refuse"}
    )
    assert "请写明理由" in refused.content.decode()
    f.client_for(personas.caseworker_b).post(
        "/submissions/acceptance/", {"fact": held.pk, "decision": "accept"}
    )
    held.refresh_from_db()
    assert held.acceptance == "accepted"
    entry = AuditEntry.objects.filter(object_type="fact", action="update").latest("seq")
    assert entry.detail["acceptance"] == "accepted"


def test_where_the_county_has_no_caseworker_the_senders_level_accepts(
    region, personas, courts, court_item
) -> None:
    personas.caseworker_b.is_active = False
    personas.caseworker_b.save(update_fields=["is_active"])
    theirs = _wuyuan_resident(region, 1)
    ingest(courts.clerk_a, courts.a, court_item, xlsx_of(court_item, judgment_rows(court_item, 2)))
    page = f.client_for(personas.caseworker_a).get("/submissions/acceptance/").content.decode()
    assert theirs.name in page


def test_a_record_naming_another_county_is_held_even_unlinked(region, courts, court_item) -> None:
    rows = judgment_rows(court_item, 1)
    rows[0]["id_number"] = valid_id(7)  # 户籍库中没有此人
    rows[0]["division_code"] = "150821"  # 五原县
    ingest(courts.clerk_a, courts.a, court_item, xlsx_of(court_item, rows))
    assert Fact.objects.get().acceptance == "pending"
