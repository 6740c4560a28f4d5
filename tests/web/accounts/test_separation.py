"""三员分立: the system administrator manages accounts but reads no child's file and no audit
log; the security administrator's first page lists nothing personal; the auditor reads the log.
The rights table is checked as data, and the pages as the administrator sees them."""

from __future__ import annotations

import pytest

from shouhu.web.accounts.models import User
from shouhu.web.accounts.permissions import (
    PERSONAL_DATA_RIGHTS,
    RIGHTS,
    SEPARATED_ROLES,
    Right,
    Role,
    may,
)
from shouhu.web.ui.context import landing_url_name
from tests.web import factories as f
from tests.web.accounts.conftest import signed_in

pytestmark = pytest.mark.django_db


def test_no_separated_role_holds_a_right_to_personal_data():
    for right in PERSONAL_DATA_RIGHTS:
        assert not RIGHTS[right] & SEPARATED_ROLES, right


def test_each_separated_role_holds_exactly_its_own_duty():
    assert RIGHTS[Right.ADMINISTER] == {Role.ADMINISTRATOR}
    assert RIGHTS[Right.MANAGE_GRANTS] == {Role.SECURITY_ADMIN}
    assert RIGHTS[Right.READ_AUDIT_LOG] == {Role.AUDITOR}


def test_the_administrator_cannot_read_children(admin_a, region, family_child):
    client = signed_in(admin_a)
    assert client.get("/persons/").status_code == 403
    assert client.get(f"/persons/{family_child.pk}/").status_code == 404
    assert client.get("/comparison/findings/").status_code == 403
    assert not may(admin_a, Right.READ_AUDIT_LOG)
    assert landing_url_name(admin_a) == "admin_home"


def test_the_security_administrator_lands_on_a_page_with_nothing_personal(region, family_child):
    security = f.user("security_a", "security_admin", region.county_a)
    client = signed_in(security)
    assert landing_url_name(security) == "grants_home"
    page = client.get("/grants/").content.decode()
    assert "共享授权" in page
    assert family_child.name not in page
    assert family_child.id_number not in page
    assert client.get("/persons/").status_code == 403
    assert client.get("/manage/").status_code == 403


def test_only_the_security_administrator_opens_the_grants_page(admin_a, personas):
    assert signed_in(admin_a).get("/grants/").status_code == 403
    assert signed_in(personas.auditor_city).get("/grants/").status_code == 403
    assert may(personas.auditor_city, Right.READ_AUDIT_LOG)


@pytest.fixture
def family_child(region):
    child, _, _ = f.family(region.village_a, child_name="王小明")
    f.case(child)
    return child


def test_the_menu_shows_administration_only_to_the_administrator(admin_a, personas):
    assert "系统管理" in signed_in(admin_a).get("/me/").content.decode()
    assert "系统管理" not in signed_in(personas.caseworker_a).get("/me/").content.decode()
    assert isinstance(User.objects.get(username="admin_a"), User)
