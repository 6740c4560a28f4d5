"""`shouhu package keygen|export` on the sender's machine (no platform, no database)."""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from shouhu.commands.package import package
from shouhu.core.catalog import catalog_load
from shouhu.core.exchange import template_csv
from shouhu.core.exchange.package import package_open
from shouhu.core.exchange.package_keys import TrustStore, private_keys_load, public_keys_load


def keygen(tmp_path: Path, name: str, agency_type: str) -> tuple[Path, Path]:
    result = CliRunner().invoke(
        package,
        ["keygen", "--out", str(tmp_path / name), "--name", name, "--agency-type", agency_type,
         "--division", "150802"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return tmp_path / name / f"{name}.key.pem", tmp_path / name / f"{name}.pub.pem"


@pytest.fixture
def keys(tmp_path: Path) -> dict[str, Path]:
    court_key, court_pub = keygen(tmp_path, "法院", "court")
    civil_key, civil_pub = keygen(tmp_path, "民政", "civil_affairs")
    return {"court": court_key, "court_pub": court_pub, "civil": civil_key, "civil_pub": civil_pub}


def export(tmp_path: Path, keys: dict[str, Path], data: bytes, item: str = "court_judgment"):
    (tmp_path / "data.csv").write_bytes(data)
    return CliRunner().invoke(
        package,
        ["export", str(tmp_path / "data.csv"), "--item", item, "--period", "2026-04",
         "--signing-key", str(keys["court"]), "--recipient-key", str(keys["civil_pub"]),
         "--out", str(tmp_path / "out.pkg")],
    )  # fmt: skip


def test_keygen_writes_a_private_key_only_its_owner_can_read(keys):
    mode = stat.S_IMODE(keys["court"].stat().st_mode)
    assert mode == 0o600
    assert public_keys_load(keys["court_pub"].read_bytes()).agency.agency_type == "court"


def test_keygen_never_overwrites(tmp_path, keys):
    result = CliRunner().invoke(
        package,
        ["keygen", "--out", str(tmp_path / "法院"), "--name", "法院", "--agency-type", "court",
         "--division", "150802"],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "不覆盖" in result.output
    assert private_keys_load(keys["court"].read_bytes())  # the old key is intact


def test_export_writes_a_package_the_recipient_opens(tmp_path, keys):
    content = template_csv(catalog_load("150802").item("court_judgment"))
    result = export(tmp_path, keys, content)
    assert result.exit_code == 0, result.output
    opened = package_open(
        (tmp_path / "out.pkg").read_bytes(),
        trust=TrustStore([public_keys_load(keys["court_pub"].read_bytes())]),
        recipient=private_keys_load(keys["civil"].read_bytes()),
        seen=lambda _: False,
    )
    assert opened.content == content
    assert opened.header.item_code == "court_judgment"


def test_export_refuses_a_file_that_would_be_rejected_whole(tmp_path, keys):
    result = export(tmp_path, keys, "甲,乙\n1,2\n".encode())
    assert result.exit_code == 2
    assert "整份拒收" in result.output
    assert "缺少必填列" in result.output
    assert not (tmp_path / "out.pkg").exists()


def test_export_refuses_another_agencys_item(tmp_path, keys):
    result = export(tmp_path, keys, b"x", item="health_death")
    assert result.exit_code == 2
    assert "不是本部门" in result.output


def test_package_command_module_does_not_load_django():
    code = "import sys, shouhu.commands.package, shouhu.cli; print('django' in sys.modules)"
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert shown.stdout.strip() == "False"
