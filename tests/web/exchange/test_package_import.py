"""Importing an offline package into the platform: a good one stores its rows once; an altered,
replayed or misaddressed one stores nothing."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from shouhu.core.catalog import catalog_load
from shouhu.core.errors import InvalidInput, NotFound
from shouhu.core.exchange.package import PackageRefused, RefusalReason, package_seal
from shouhu.core.exchange.package_keys import AgencyRef, PrivateKeys, TrustStore, keys_generate
from shouhu.core.identity import id_number_generate
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import AuditEntry, Purpose
from shouhu.web.exchange.models import Channel, Fact, Submission
from shouhu.web.exchange.package_import import package_import

COURT = keys_generate(agency=AgencyRef("court", "150802"), name="临河区人民法院")
CIVIL = keys_generate(agency=AgencyRef("civil_affairs", "150802"), name="临河区民政局")
TRUST = TrustStore([COURT.public])


def judgments_csv(count: int) -> bytes:
    item = catalog_load("150802").item("court_judgment")
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(item.headers)
    for index in range(count):
        number = id_number_generate(
            division_code="150802", birth_date=date(1985, 6, 1), sequence=index, gender="M"
        )
        row = {
            "case_number": f"（2026）蒙0802民特{index + 1}号",
            "judgment_kind": "宣告失踪",
            "id_number": number,
            "name": "王大山",
            "effective_date": "2026-04-03",
        }
        writer.writerow([row.get(spec.key, "") for spec in item.fields])
    return out.getvalue().encode("utf-8")


def sealed(content: bytes, *, sender: PrivateKeys = COURT) -> bytes:
    return package_seal(
        content=content,
        filename="2026-04判决.csv",
        item_code="court_judgment",
        period=date(2026, 4, 1),
        sender=sender,
        recipient=CIVIL.public,
    )


@pytest.fixture
def ctx(personas) -> RequestContext:
    return RequestContext(
        user=personas.caseworker_a, client_ip="127.0.0.1", purpose=Purpose.SUBMISSION
    )


def stored() -> tuple[int, int]:
    return Submission.objects.count(), Fact.objects.count()


def test_good_package_stores_its_rows(ctx):
    result = package_import(
        ctx=ctx, data=sealed(judgments_csv(3)), trust=TRUST, recipient_key=CIVIL
    )
    assert result.rows_accepted == 3
    assert result.submission is not None
    assert result.submission.channel == Channel.PACKAGE
    assert result.submission.agency.agency_type == "court"
    assert result.submission.period == date(2026, 4, 1)
    assert stored() == (1, 3)


def test_package_altered_by_one_byte_stores_nothing(ctx):
    good = sealed(judgments_csv(2))
    before = stored()
    for at in range(0, len(good), max(1, len(good) // 60)):
        altered = bytearray(good)
        altered[at] ^= 0x01
        with pytest.raises(PackageRefused):
            package_import(ctx=ctx, data=bytes(altered), trust=TRUST, recipient_key=CIVIL)
    assert stored() == before


def test_refusal_is_audited_without_content(ctx):
    altered = bytearray(sealed(judgments_csv(1)))
    altered[-3] ^= 0xFF
    with pytest.raises(PackageRefused):
        package_import(ctx=ctx, data=bytes(altered), trust=TRUST, recipient_key=CIVIL)
    entry = AuditEntry.objects.filter(object_type="offline_package").get()
    assert entry.detail == {"refused": RefusalReason.TAMPERED.value}
    assert "王大山" not in str(entry.detail)


def test_same_package_twice_stores_once(ctx):
    package = sealed(judgments_csv(2))
    package_import(ctx=ctx, data=package, trust=TRUST, recipient_key=CIVIL)
    with pytest.raises(PackageRefused) as caught:
        package_import(ctx=ctx, data=package, trust=TRUST, recipient_key=CIVIL)
    assert caught.value.reason is RefusalReason.REPLAYED
    assert stored() == (1, 2)


def test_same_file_in_a_new_package_adds_nothing(ctx):
    content = judgments_csv(2)
    package_import(ctx=ctx, data=sealed(content), trust=TRUST, recipient_key=CIVIL)
    again = package_import(ctx=ctx, data=sealed(content), trust=TRUST, recipient_key=CIVIL)
    assert again.duplicate
    assert stored() == (1, 2)


def test_untrusted_sender_stores_nothing(ctx):
    stranger = keys_generate(agency=AgencyRef("court", "150802"), name="冒名者")
    with pytest.raises(PackageRefused) as caught:
        package_import(
            ctx=ctx,
            data=sealed(judgments_csv(1), sender=stranger),
            trust=TRUST,
            recipient_key=CIVIL,
        )
    assert caught.value.reason is RefusalReason.UNTRUSTED_SIGNER
    assert stored() == (0, 0)


def test_sender_agency_missing_on_platform_stores_nothing(ctx):
    far = keys_generate(agency=AgencyRef("court", "150821"), name="五原县人民法院")
    with pytest.raises(NotFound):
        package_import(
            ctx=ctx,
            data=sealed(judgments_csv(1), sender=far),
            trust=TrustStore([COURT.public, far.public]),
            recipient_key=CIVIL,
        )
    assert stored() == (0, 0)


def test_concurrent_second_import_is_refused_as_a_replay(ctx, monkeypatch):
    """Two imports racing past the replay check: the unique key makes the second a replay."""
    package = sealed(judgments_csv(1))
    package_import(ctx=ctx, data=package, trust=TRUST, recipient_key=CIVIL)
    monkeypatch.setattr("shouhu.web.exchange.package_import.package_seen", lambda _: False)
    with pytest.raises(PackageRefused) as caught:
        package_import(ctx=ctx, data=package, trust=TRUST, recipient_key=CIVIL)
    assert caught.value.reason is RefusalReason.REPLAYED
    assert stored() == (1, 1)


def test_cli_keygen_export_import(personas, tmp_path):
    from click.testing import CliRunner

    from shouhu.cli import main

    run = CliRunner().invoke
    for name, agency_type in (("法院", "court"), ("民政", "civil_affairs")):
        args = [
            "package",
            "keygen",
            "--out",
            str(tmp_path / name),
            "--name",
            name,
            "--agency-type",
            agency_type,
            "--division",
            "150802",
        ]
        assert run(main, args).exit_code == 0
    (tmp_path / "trust").mkdir()
    (tmp_path / "法院" / "法院.pub.pem").rename(tmp_path / "trust" / "法院.pub.pem")
    (tmp_path / "data.csv").write_bytes(judgments_csv(2))
    export = run(
        main,
        [
            "package",
            "export",
            str(tmp_path / "data.csv"),
            "--item",
            "court_judgment",
            "--period",
            "2026-04",
            "--signing-key",
            str(tmp_path / "法院" / "法院.key.pem"),
            "--recipient-key",
            str(tmp_path / "民政" / "民政.pub.pem"),
            "--out",
            str(tmp_path / "p.pkg"),
        ],
    )
    assert export.exit_code == 0, export.output
    imported = [
        "package",
        "import",
        str(tmp_path / "p.pkg"),
        "--trust",
        str(tmp_path / "trust"),
        "--recipient-key",
        str(tmp_path / "民政" / "民政.key.pem"),
        "--user",
        "caseworker_a",
    ]
    first = run(main, imported)
    assert first.exit_code == 0, first.output
    assert "接收 2 行" in first.output
    second = run(main, imported)
    assert second.exit_code == 2
    assert "重复导入" in second.output
    assert stored() == (1, 2)


def test_configured_keys_come_from_settings(settings, tmp_path):
    from shouhu.core.exchange.package_keys import private_keys_pem, public_keys_pem
    from shouhu.web.exchange.package_import import package_keys_configured

    settings.PACKAGE_KEY_FILE = ""
    with pytest.raises(InvalidInput, match="尚未配置"):
        package_keys_configured()
    (tmp_path / "trust").mkdir()
    (tmp_path / "trust" / "court.pub.pem").write_bytes(public_keys_pem(COURT.public))
    (tmp_path / "civil.key.pem").write_bytes(private_keys_pem(CIVIL))
    settings.PACKAGE_TRUST_DIR = str(tmp_path / "trust")
    settings.PACKAGE_KEY_FILE = str(tmp_path / "civil.key.pem")
    trust, key = package_keys_configured()
    assert trust.get(COURT.public.key_id) is not None
    assert key.public.key_id == CIVIL.public.key_id
