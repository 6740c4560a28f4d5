"""Lists published before issue 11's decision hold the category as text, 艾滋病病毒感染儿童
included: the data migration rewrites each stored row the way the receiving department's grants
show it now — 保障对象 for every row where the department may not see HIV, the real text where it
may (a health department whose users hold the HIV item's grant)."""

from __future__ import annotations

import importlib
from datetime import date

import pytest
from django.apps import apps

from shouhu.web import access
from shouhu.web.accounts.permissions import Role
from shouhu.web.grants.models import Grant
from shouhu.web.shares.models import ShareEntry, ShareList
from shouhu.web.shares.services import share_list_publish
from tests.web import factories as f
from tests.web.shares.conftest import ctx_for

pytestmark = pytest.mark.django_db
migration = importlib.import_module(
    "shouhu.web.shares.migrations.0003_share_rows_category_withheld"
)
OLD = ("艾滋病病毒感染儿童", "孤儿", "事实无人抚养儿童", "孤儿")


def test_stored_rows_are_rewritten_as_the_receiving_department_would_now_see_them(
    personas, region, shares
) -> None:
    published = share_list_publish(
        ctx=ctx_for(personas.caseworker_a),
        division=region.county_a,
        agency=shares.insurance_a,
        purpose="insurance_enrolment",
    )
    entries = list(published.entries.order_by("pk"))
    for entry, old in zip(entries, OLD, strict=True):  # as the rows were before the fix
        entry.data = {**entry.data, "category": old}
        entry.save(update_fields=["data"])
    case = entries[0].case
    blank, without = (  # rows with no category to hide stay as they are (no key added)
        ShareEntry.objects.create(share_list=published, case=case, child=case.child,
                                  change="enrol", data=data)
        for data in ({"name": "李小二", "category": ""}, {"name": "李小三"})
    )  # fmt: skip
    health = f.agency("health", region.county_a, "临河区卫生健康委员会")
    Grant.objects.create(
        agency_type="health",
        agency=health,
        item_code="health_hiv_child",
        purpose="determination",
        roles=[Role.DEPARTMENT_USER],
        level="exists",
    )
    assert access.categories_shown(access.disclosure_for_agency(health, Role.DEPARTMENT_USER))
    granted = ShareList.objects.create(
        division=region.county_a,
        agency=health,
        purpose="rehabilitation",
        number=1,
        full=True,
        fields=["name", "category"],
        due_on=date(2026, 12, 31),
    )
    kept = ShareEntry.objects.create(
        share_list=granted,
        case=shares.cases[0],
        child=shares.cases[0].child,
        change="enrol",
        data={"name": "王小一", "category": "艾滋病病毒感染儿童"},
    )

    migration.rows_rewrite(apps, None)

    rows = [e.data for e in published.entries.exclude(pk__in=[blank.pk, without.pk]).order_by("pk")]
    assert [r["category"] for r in rows] == ["保障对象"] * len(OLD)
    assert [r["name"] for r in rows] == [e.data["name"] for e in entries]  # nothing else touched
    blank.refresh_from_db()
    without.refresh_from_db()
    assert (blank.data, without.data) == ({"name": "李小二", "category": ""}, {"name": "李小三"})
    kept.refresh_from_db()
    assert kept.data["category"] == "艾滋病病毒感染儿童"
