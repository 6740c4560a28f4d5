"""Bad catalog definitions are errors that name the file and the key; regions add, drop, adjust."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from shouhu.core.catalog import CatalogError, Frequency, ShareClass, catalog_load
from shouhu.core.catalog.loader import CATALOG_ROOT


@pytest.fixture
def root(tmp_path: Path) -> Path:
    target = tmp_path / "catalog"
    shutil.copytree(CATALOG_ROOT, target, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return target


def rewrite(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


COURT = "items/court.toml"


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        (COURT, "due_day = 5", "due_dya = 5", ["items/court.toml", "'due_dya'"]),
        (COURT, 'header = "案号"', 'header = "案号"\nrequird = true', ["field[0]", "'requird'"]),
        (
            COURT,
            'type = "text"\nto = "record_id"',
            'type = "txt"\nto = "record_id"',
            ["field[0].type", "txt"],
        ),
        (
            COURT,
            'code_list = "court_judgment_kind"',
            'code_list = "judgment"',
            ["field[1].code_list"],
        ),
        (COURT, 'to = "fact.date"', 'to = "fact.valid_until"', ["effective_date", "valid_until"]),
        (COURT, 'to = "fact.date"', 'to = "subject.age"', ["subject.age"]),
        (COURT, ', guardianship_revoked = "guardianship_revoked" }', " }", ["type_map"]),
        (
            COURT,
            'declared_dead = "declared_dead"',
            'declared_dead = "in_school"',
            ["in_school", "parent"],
        ),
        (COURT, "due_day = 5", "due_day = 31", ["due_day", "31"]),
        (COURT, 'frequency = "monthly"\ndue_day = 5', 'frequency = "monthly"', ["due_day"]),
        (COURT, '"determination", "comparison", "review"', '"gossip"', ["purposes", "gossip"]),
        (
            COURT,
            'share_class = "conditional"',
            'share_class = "sometimes"',
            ["share_class", "open"],
        ),
        (COURT, 'agency_type = "court"', 'agency_type = "police"', ["agency_type", "police"]),
        (COURT, 'header = "法院名称"', 'header = "文书类型"', ["重复"]),
        (COURT, 'key = "effective_date"', 'key = "court_name"', ["court_name"]),
        (
            COURT,
            'to = "fact.date"\nrequired = true',
            'to = "fact.date"',
            ["fact.date", "declared_missing"],
        ),
        (COURT, 'use = "child_id_number"', 'use = "nobody"', ["use", "nobody"]),
        (
            COURT,
            'sealed_fields = ["case_number"]',
            'sealed_fields = ["effective_date"]',
            ["sealed_fields", "effective_date", "自由文本"],
        ),
        (
            COURT,
            'sealed_fields = ["case_number"]',
            'sealed_fields = ["verdict"]',
            ["sealed_fields", "verdict"],
        ),
        (COURT, 'code = "court_judgment"', 'code = "Court Judgment"', ["小写"]),
        (
            "codelists.toml",
            '{ code = "F", label = "女"',
            '{ code = "F", label = "男"',
            ["codelists.toml", "男"],
        ),
        (
            "codelists.toml",
            'preschool = ["幼儿园"]',
            'kindergarten = ["幼儿园"]',
            ["codelists.toml", "school_level.aliases", "kindergarten"],
        ),
        (
            "codelists.toml",
            'name = "学段"',
            'name = "学段"\ncodes = []',
            ["codelists.toml", "school_level", "'codes'"],
        ),
        (
            "codelists.toml",
            'mental = ["精神"]',
            'mental = ["智力"]',
            ["disability_category", "智力"],
        ),
        ("fields.toml", 'type = "date"', 'type = "date"\nfoo = 1', ["fields.toml", "'foo'"]),
        (
            "purposes.toml",
            '[review]\nlabel = "定期核查"',
            '[review]\ntext = "定期核查"',
            ["purposes.toml", "'text'"],
        ),
        (
            COURT,
            '[[item.field]]\nkey = "case_number"',
            "[[item.field]\nkey = 1",
            ["items/court.toml", "TOML"],
        ),
    ],
)
def test_bad_definitions_name_file_and_key(
    root: Path, file: str, old: str, new: str, expected: list[str]
) -> None:
    rewrite(root / file, old, new)
    with pytest.raises(CatalogError) as caught:
        catalog_load(root=root)
    for text in expected:
        assert text in caught.value.message


def test_duplicate_item_codes_across_files_are_an_error(root: Path) -> None:
    shutil.copy(root / COURT, root / "items/court_again.toml")
    with pytest.raises(CatalogError, match="court_judgment 重复"):
        catalog_load(root=root)


def test_region_overlay_adds_drops_and_adjusts(root: Path) -> None:
    (root / "regions/341324.toml").write_text(
        """
region = "341324"
name = "泗县"
drop = ["education_dropout"]

[override.court_judgment]
due_day = 10
share_class = "closed"

[override.public_security_lost_contact]
frequency = "on_event"

[[item]]
code = "county_extra"
name = "县里另加的数据项"
agency_type = "womens_federation"
subject_role = "child"
sensitivity = "internal"
share_class = "conditional"
frequency = "quarterly"
due_day = 10
purposes = ["care_services"]

[[item.field]]
use = "id_number"
required = true

[[item.field]]
use = "name"
""",
        encoding="utf-8",
    )
    catalog = catalog_load("341324", root=root)
    codes = {item.code for item in catalog.items}
    assert "education_dropout" not in codes
    assert catalog.item("county_extra").fact is None
    court = catalog.item("court_judgment")
    assert (court.due_day, court.share_class) == (10, ShareClass.CLOSED)
    lost = catalog.item("public_security_lost_contact")
    assert (lost.frequency, lost.due_day) == (Frequency.ON_EVENT, None)
    assert "education_dropout" in {item.code for item in catalog_load(root=root).items}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('region = "341324"\ndrop = ["no_such"]', "no_such"),
        ('region = "341324"\n[override.no_such]\ndue_day = 3', "no_such"),
        ('region = "341324"\n[override.court_judgment]\nfields = []', "'fields'"),
        ('region = "341324"\ncolour = "red"', "'colour'"),
        ('region = "999999"', "文件名"),
    ],
)
def test_bad_region_overlays_are_errors(root: Path, text: str, expected: str) -> None:
    (root / "regions/341324.toml").write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError) as caught:
        catalog_load("341324", root=root)
    assert "regions/341324.toml" in caught.value.message
    assert expected in caught.value.message


def test_packaged_catalog_and_overlays_load_cleanly() -> None:
    for region in (None, "150000", "150800", "150802", "370114", "370700", "341324"):
        assert catalog_load(region).items
