"""The household registry loaded through the submission path: persons, parent links, versions,
full snapshots held when too many would leave, change reports, refusal of another county's file."""

from __future__ import annotations

from datetime import date

import pytest

from shouhu.core.catalog import catalog_load
from shouhu.web.accounts.models import Agency
from shouhu.web.audit.models import AuditEntry
from shouhu.web.exchange.models import Fact, Submission
from shouhu.web.registry import baseline
from shouhu.web.registry.models import (
    FormerNumber,
    ParentLink,
    PendingAbsence,
    Person,
    PersonVersion,
    RegistryIssue,
    RegistryLoad,
)
from tests.web import factories as f
from tests.web.conftest import Region
from tests.web.exchange.conftest import ingest, xlsx_of
from tests.web.registry.conftest import (
    FEB,
    JAN,
    MAR,
    family_rows,
    load,
    number,
    person_row,
    the_load,
)


def test_a_registry_file_creates_persons_and_parent_links(region, police, item) -> None:
    rows = family_rows(1) + family_rows(2)
    result = load(police, item, rows)

    registry = the_load(result)
    assert result.rows_accepted == 6
    assert Person.objects.count() == 6
    child = Person.objects.get(id_number=rows[2]["id_number"])
    assert (child.name, child.gender, child.birth_date) == ("张子一", "M", date(2014, 3, 3))
    assert child.division_id == "150802100201"
    assert child.registry_status == "registered"
    links = {link.relation: link.parent.id_number for link in child.parent_links.all()}
    assert links == {"father": rows[0]["id_number"], "mother": rows[1]["id_number"]}
    assert registry.counts["new"] == 6
    assert registry.counts["links_added"] == 4
    first = PersonVersion.objects.get(person=child)
    assert first.changes == ["new"]
    assert first.father_id_number == rows[0]["id_number"]
    assert first.valid_from == JAN


def test_parents_by_name_only_link_within_the_household_or_are_listed(region, police, item):
    father = person_row("赵大山", date(1979, 5, 5), household_number="H9")
    named = person_row("赵小川", date(2013, 6, 6), household_number="H9", father_name="赵大山")
    stranger = person_row("钱小溪", date(2015, 7, 7), household_number="H8", father_name="钱某")
    registry = the_load(load(police, item, [father, named, stranger]))

    child = Person.objects.get(id_number=named["id_number"])
    link = ParentLink.objects.get(child=child)
    assert (link.parent.id_number, link.basis) == (father["id_number"], "household_name")
    assert not ParentLink.objects.filter(child__id_number=stranger["id_number"]).exists()
    issue = RegistryIssue.objects.get(load=registry)
    assert (issue.kind, issue.person.id_number) == ("parent_unresolved", stranger["id_number"])


def test_a_parent_living_elsewhere_becomes_a_non_local_person(region, police, item) -> None:
    elsewhere = number(date(1978, 8, 8), division="110101")
    child = person_row("孙小河", date(2016, 1, 1), father_id_number=elsewhere, father_name="孙某")
    registry = the_load(load(police, item, [child]))

    father = Person.objects.get(id_number=elsewhere)
    assert (father.registry_status, father.name, father.birth_date) == (
        "not_local",
        "孙某",
        date(1978, 8, 8),
    )
    assert ParentLink.objects.filter(child__id_number=child["id_number"], parent=father).exists()
    assert registry.counts["not_local"] == 1


def test_the_second_snapshot_reports_births_deaths_moves_and_new_numbers(
    region, personas, police, item
):
    families = [family_rows(i) for i in range(1, 11)]  # 30 persons
    first = [row for family in families for row in family]
    load(police, item, first, full=True)
    old_number = first[2]["id_number"]
    fact_before = _fact_with_number(region, old_number)

    second = [dict(row) for row in first]
    second[2]["former_id_number"] = old_number  # 重新编号
    second[2]["id_number"] = number(date(2014, 3, 3))
    second[0]["registry_status"] = "死亡"  # 父亲死亡
    second[0]["status_date"] = date(2026, 1, 20)
    second[5]["division_code"] = "150802"  # 从示范村迁到区里（户籍地变更）
    baby = person_row(
        "张新生",
        date(2026, 1, 10),
        household_number="H0004",
        father_id_number=second[9]["id_number"],
        mother_id_number=second[10]["id_number"],
    )
    registry = the_load(load(police, item, [*second, baby], period=FEB, full=True))

    counts = registry.counts
    assert (counts["new"], counts["deceased"], counts["moved"], counts["number_changed"]) == (
        1,
        1,
        1,
        1,
    )
    assert counts["links_added"] == 2
    assert counts.get("absent", 0) == 0
    renumbered = Person.objects.get(id_number=second[2]["id_number"])
    assert FormerNumber.objects.get(id_number=old_number).person == renumbered
    assert Person.objects.get(id_number=first[0]["id_number"]).registry_status == "deceased"
    assert Person.objects.get(id_number=first[5]["id_number"]).division_id == "150802"
    history = list(PersonVersion.objects.filter(person=renumbered).order_by("pk"))
    assert [v.changes for v in history] == [["new"], ["number_changed"]]
    assert history[1].former_id_number == old_number
    assert history[0].id_number == old_number  # 旧版本不被改写
    fact_before.refresh_from_db()
    assert fact_before.person == renumbered  # 入库时号码还是现用号码
    assert _fact_with_number(region, old_number, record="R2").person == renumbered


def test_a_full_snapshot_missing_too_many_is_held_until_confirmed(region, police, item) -> None:
    rows = [row for i in range(1, 11) for row in family_rows(i)]  # 30 persons
    load(police, item, rows, full=True)
    kept = rows[2:]  # 2 of 30 missing: 6.7% > 5%
    registry = the_load(load(police, item, kept, period=FEB, full=True))

    assert registry.status == "held"
    assert registry.counts["absent"] == 2
    assert PendingAbsence.objects.filter(load=registry).count() == 2
    assert not Person.objects.filter(registry_status="absent").exists()

    marked = baseline.registry_load_decided(registry, confirm=True, user_id=police[1].pk)
    assert marked == 2
    missing = Person.objects.filter(id_number__in=[rows[0]["id_number"], rows[1]["id_number"]])
    assert {p.registry_status for p in missing} == {"absent"}
    assert PersonVersion.objects.filter(person__in=missing, changes=["absent"]).count() == 2
    assert Person.objects.count() == 30  # 不删除任何人


def test_a_small_share_missing_is_marked_at_once_and_returns_later(region, police, item):
    rows = [row for i in range(1, 12) for row in family_rows(i)]  # 33 persons
    load(police, item, rows, full=True)
    registry = the_load(load(police, item, rows[1:], period=FEB, full=True))  # 1 of 33: 3%
    assert (registry.status, registry.counts["absent"]) == ("applied", 1)
    gone = Person.objects.get(id_number=rows[0]["id_number"])
    assert gone.registry_status == "absent"

    back = the_load(load(police, item, rows[:1], period=MAR))  # 变动名单：只有回来的人
    gone.refresh_from_db()
    assert gone.registry_status == "registered"
    assert back.counts["restored"] == 1
    assert Person.objects.filter(registry_status="absent").count() == 0


def test_the_same_file_twice_loads_once(region, police, item) -> None:
    agency, clerk = police
    data = xlsx_of(item, family_rows(1))  # 同一份文件（工作簿每次生成都带新的时间戳）
    ingest(clerk, agency, item, data, filename="户籍.xlsx", period=JAN)
    again = ingest(clerk, agency, item, data, filename="户籍.xlsx", period=JAN)
    assert again.duplicate
    assert RegistryLoad.objects.count() == 1
    assert PersonVersion.objects.count() == 3


def test_unchanged_rows_write_no_version(region, police, item) -> None:
    rows = family_rows(1)
    load(police, item, rows)
    registry = the_load(load(police, item, rows, period=FEB))
    assert registry.counts["unchanged"] == 3
    assert PersonVersion.objects.count() == 3


def test_a_file_for_another_county_is_refused_whole(region, police, item) -> None:
    rows = family_rows(1)
    rows[1]["division_code"] = "150821100200"  # 五原县
    result = load(police, item, rows)
    assert result.submission is None
    assert result.rejected_whole is not None
    assert "第3行" in result.rejected_whole
    assert "不在本部门辖区" in result.rejected_whole
    assert Person.objects.count() == 0


def test_conflicts_are_listed_and_leave_the_person_alone(region, police, item) -> None:
    rows = family_rows(1)
    load(police, item, rows)
    clash = dict(rows[0], name="另一人", gender="女")  # 同号不同人
    young = person_row("周小", date(2010, 1, 1))
    child_of_young = person_row("周大", date(2005, 1, 1), father_id_number=young["id_number"])
    registry = the_load(load(police, item, [clash, young, child_of_young], period=FEB))

    kinds = sorted(RegistryIssue.objects.filter(load=registry).values_list("kind", flat=True))
    assert kinds == ["number_claimed", "parent_younger"]
    assert Person.objects.get(id_number=rows[0]["id_number"]).name == "张父一"
    assert not ParentLink.objects.filter(child__id_number=child_of_young["id_number"]).exists()


def test_a_failure_part_way_stores_nothing(region, police, item, monkeypatch) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(baseline.ParentLinks, "links_write", broken)
    with pytest.raises(RuntimeError):
        load(police, item, family_rows(1))
    assert (Person.objects.count(), Submission.objects.count()) == (0, 0)
    assert RegistryLoad.objects.count() == 0


def test_the_audit_holds_the_counts_and_no_personal_data(region, police, item) -> None:
    rows = family_rows(1)
    load(police, item, rows)
    entry = AuditEntry.objects.filter(object_type="submission").latest("pk")
    assert entry.detail["registry"]["new"] == 3
    text = str(entry.detail)
    assert all(str(row["id_number"]) not in text and str(row["name"]) not in text for row in rows)


def _fact_with_number(region: Region, id_number: object, *, record: str = "R1") -> Fact:
    """A court record carrying this ID number, stored through the production ingest."""
    court = Agency.objects.get(agency_type="court", division=region.county_a)
    clerk = f.user(f"court_{record}", "data_submitter", region.county_a, court)
    court_item = catalog_load("150802").item("court_judgment")
    from tests.core.exchange.exchange_helpers import valid_row

    row = dict(valid_row(court_item, 0))
    row["id_number"] = id_number
    row["case_number"] = f"（2026）蒙0802民特{record}号"
    result = ingest(clerk, court, court_item, xlsx_of(court_item, [row]), filename=f"{record}.xlsx")
    assert result.submission is not None, result.errors
    return Fact.objects.get(submission=result.submission)
