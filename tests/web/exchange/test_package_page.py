"""The offline-package page: civil affairs imports a sealed file; an altered one stores nothing."""

from __future__ import annotations

import pytest
from django.test import Client

from shouhu.core.exchange.package_keys import private_keys_pem, public_keys_pem
from shouhu.web.audit.models import AuditEntry
from shouhu.web.exchange.models import Fact, Submission
from tests.web.exchange.test_package_import import CIVIL, COURT, judgments_csv, sealed
from tests.web.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def keys_configured(settings, tmp_path, personas):
    trust = tmp_path / "trust"
    trust.mkdir()
    (trust / "court.pub.pem").write_bytes(public_keys_pem(COURT.public))
    key = tmp_path / "civil.key.pem"
    key.write_bytes(private_keys_pem(CIVIL))
    settings.PACKAGE_TRUST_DIR, settings.PACKAGE_KEY_FILE = str(trust), str(key)


def _upload(username: str, data: bytes):
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client.post("/submissions/packages/import/", {"package": _file(data)})


def _file(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("2026-04.pkg", data, content_type="application/octet-stream")


def test_a_good_package_lands_and_shows_its_receipt(keys_configured):
    response = _upload("caseworker_a", sealed(judgments_csv(2)))
    assert response.status_code == 302
    submission = Submission.objects.get()
    assert response.url.endswith(f"/receipts/{submission.pk}/")
    assert Fact.objects.count() == 2


def test_a_package_altered_by_one_byte_is_refused_and_nothing_stored(keys_configured):
    altered = bytearray(sealed(judgments_csv(2)))
    altered[len(altered) // 2] ^= 0x01
    response = _upload("caseworker_a", bytes(altered))
    assert response.status_code == 400
    assert "未导入任何数据" in response.content.decode()
    assert (Submission.objects.count(), Fact.objects.count()) == (0, 0)
    assert AuditEntry.objects.filter(action="deny", object_type="offline_package").exists()


def test_the_same_package_twice_is_refused_the_second_time(keys_configured):
    package = sealed(judgments_csv(1))
    assert _upload("caseworker_a", package).status_code == 302
    assert _upload("caseworker_a", package).status_code == 400
    assert Submission.objects.count() == 1


def test_without_configured_keys_the_page_says_so(personas):
    response = _upload("caseworker_a", b"SHOUHU-PKG")
    assert response.status_code == 400
    assert "尚未配置" in response.content.decode()


def test_departments_cannot_import_packages(keys_configured):
    response = _upload("court_clerk_a", sealed(judgments_csv(1)))
    assert response.status_code == 403
    assert Submission.objects.count() == 0
