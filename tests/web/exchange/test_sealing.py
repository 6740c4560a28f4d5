"""Highly sensitive free text sealed at rest (issue 12, item 4): the database holds SM4-GCM tokens,
a granted user reads the clear text, a missing key is a Chinese message, and the key rotates,
reseals and retires; the migration seals existing values and opens them again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from django.conf import settings as django_settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from shouhu.core.sealing import SealError
from shouhu.web.audit.models import AuditEntry
from shouhu.web.exchange import sealing
from shouhu.web.exchange.models import Fact
from shouhu.web.exchange.sealing_commands import sealing as sealing_cli
from shouhu.web.exchange.selectors import submission_errors
from tests.web.exchange.conftest import ingest, judgment_rows, registry_person, xlsx_of
from tests.web.factories import client_for

CASE_NUMBER = "（2025）蒙0802民特1号"


@pytest.fixture(autouse=True)
def field_keys(settings, tmp_path: Path) -> Iterator[Path]:
    settings.FIELD_KEY_FILE = tmp_path / "field.keys"
    sealing.field_ring.cache_clear()
    yield tmp_path / "field.keys"
    sealing.field_ring.cache_clear()


def _raw(pk: int) -> tuple[str, str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT source_record_id, disease, CAST(extra AS TEXT) FROM exchange_fact "
            "WHERE id = %s",
            [pk],
        )
        row = cursor.fetchone()
    return row[0], row[1], row[2]


@pytest.fixture
def judged(region, courts, court_item) -> Fact:
    """One judgment of the county A court about a person of the registry, sealed at ingest."""
    registry_person(region, 0)
    ingest(courts.clerk_a, courts.a, court_item, xlsx_of(court_item, judgment_rows(court_item, 2)))
    return Fact.objects.get(source_record_id=CASE_NUMBER)


def test_case_number_is_a_token_in_the_row_and_clear_on_the_person_page(judged, personas) -> None:
    record_id, _, _ = _raw(judged.pk)
    ring = sealing.field_ring()
    assert django_settings.FIELD_KEY_FILE.stat().st_mode & 0o777 == 0o600  # made on first use
    assert record_id.startswith(f"sm4:{ring.current}:")
    assert "蒙0802" not in record_id
    assert judged.source_record_id == CASE_NUMBER  # the model opens it
    url = reverse("person_detail", args=[judged.person_id]) + "?purpose=determination"
    page = client_for(personas.caseworker_a).get(url)
    assert page.status_code == 200
    assert CASE_NUMBER in page.content.decode()


def test_a_token_opens_only_in_its_own_column_and_not_when_changed(judged) -> None:
    token, _, _ = _raw(judged.pk)
    with pytest.raises(SealError):
        sealing.value_open(token, "disease")
    changed = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    with pytest.raises(SealError, match="解不开"):
        sealing.value_open(changed, "source_record_id")


def test_missing_key_is_a_chinese_message_not_a_crash(judged, personas, field_keys) -> None:
    field_keys.write_text("00000000:" + "11" * 32 + "\n", encoding="ascii")  # another ring
    sealing.field_ring.cache_clear()
    with pytest.raises(SealError, match="缺少字段加密密钥"):
        Fact.objects.get(pk=judged.pk)
    url = reverse("person_detail", args=[judged.person_id]) + "?purpose=determination"
    page = client_for(personas.caseworker_a).get(url)
    assert page.status_code == 400
    text = page.content.decode()
    assert "缺少字段加密密钥" in text
    assert CASE_NUMBER not in text


def test_rotate_reseal_retire(judged, courts, court_item) -> None:
    old = sealing.field_ring().current
    runner = CliRunner()
    rotated = runner.invoke(sealing_cli, ["rotate-key"])
    assert rotated.exit_code == 0, rotated.output
    new = sealing.field_ring().current
    assert new != old
    assert old in sealing.field_ring().keys
    # a correction after the rotation still finds the version sealed under the old key
    rows = judgment_rows(court_item, 2)
    rows[0] = rows[0] | {"revoked_date": "2025-08-20"}
    result = ingest(courts.clerk_a, courts.a, court_item, xlsx_of(court_item, rows[:1]))
    assert (result.facts_created, result.facts_superseded) == (0, 1)
    assert sealing.key_use_count(old) == 2
    assert sealing.key_use_count(new) == 1

    refused = runner.invoke(sealing_cli, ["retire-key", old])
    assert refused.exit_code == 2
    assert "不能退役" in refused.output
    assert "reseal" in refused.output
    resealed = runner.invoke(sealing_cli, ["reseal", "--batch", "1"])
    assert resealed.exit_code == 0, resealed.output
    assert sealing.key_use_count(old) == 0
    assert sealing.key_use_count(new) == 3
    assert runner.invoke(sealing_cli, ["reseal"]).output.count("0 条事实") == 1  # nothing left
    assert {f.source_record_id for f in Fact.objects.all()} == {CASE_NUMBER, rows[1]["case_number"]}

    assert runner.invoke(sealing_cli, ["retire-key", new]).exit_code == 2  # the current key
    retired = runner.invoke(sealing_cli, ["retire-key", old])
    assert retired.exit_code == 0, retired.output
    assert list(sealing.field_ring().keys) == [new]
    assert Fact.objects.get(pk=judged.pk).source_record_id == CASE_NUMBER
    done = [e.detail["sealing"] for e in AuditEntry.objects.filter(detail__has_key="sealing")]
    assert done == [{"rotate": new}, {"reseal": new, "facts": 2}, {"reseal": new, "facts": 0},
                    {"retire": old}]  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_migration_seals_existing_values_and_opens_them_back(
    region, courts, court_item, django_db_blocker
) -> None:
    registry_person(region, 0)
    ingest(courts.clerk_a, courts.a, court_item, xlsx_of(court_item, judgment_rows(court_item, 3)))
    pks = list(Fact.objects.values_list("pk", flat=True))
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes("exchange")
    executor.migrate([("exchange", "0007_submission_invalid_ids_all_rows")])
    try:
        assert all(not _raw(pk)[0].startswith("sm4:") for pk in pks)
        assert CASE_NUMBER in {_raw(pk)[0] for pk in pks}
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(latest)
    assert all(_raw(pk)[0].startswith("sm4:") for pk in pks)
    assert Fact.objects.filter(source_record_id=CASE_NUMBER).count() == 1
    assert django_settings.FIELD_KEY_FILE.exists()


def test_a_kept_source_file_is_sealed_whole_and_resealed(courts, court_item) -> None:
    rows = judgment_rows(court_item, 3)
    rows[1]["effective_date"] = "2025-13-40"  # a rejected row: the file is kept for the report
    data = xlsx_of(court_item, rows)
    result = ingest(courts.clerk_a, courts.a, court_item, data)
    assert result.submission is not None
    pk = result.submission.pk

    def raw() -> bytes:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT source FROM exchange_submissionerrors WHERE submission_id = %s", [pk]
            )
            return bytes(cursor.fetchone()[0])

    old = sealing.field_ring().current
    assert raw().startswith(f"sm4:{old}:".encode())
    assert submission_errors(submission=result.submission)[1] == data
    sealing.field_key_add()
    assert sealing.key_use_count(old) == 3  # two facts and the file
    sealing.facts_reseal()
    assert sealing.key_use_count(old) == 0
    assert raw().startswith(f"sm4:{sealing.field_ring().current}:".encode())
    assert submission_errors(submission=result.submission)[1] == data
