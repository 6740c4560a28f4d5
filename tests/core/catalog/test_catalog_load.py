"""The data catalog: what each department provides, taken from the seeds; region overlays."""

from __future__ import annotations

import pytest

from shouhu.core.catalog import (
    Catalog,
    CatalogError,
    FieldType,
    Frequency,
    IdPolicy,
    Sensitivity,
    ShareClass,
    catalog_load,
)
from shouhu.core.catalog.facts import CHILD_FACTS, PARENT_FACTS, ROLE_FACTS
from shouhu.core.errors import NotFound


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return catalog_load()


def test_every_department_named_in_the_issue_has_items(catalog: Catalog) -> None:
    agencies = {item.agency_type for item in catalog.items}
    assert agencies >= {
        "court", "procuratorate", "public_security", "justice", "health", "disabled_federation",
        "medical_insurance", "education", "rural_revitalization", "civil_affairs",
    }  # fmt: skip
    assert catalog.item("household_registry").fact is None


def test_items_yield_the_fact_types_the_seeds_describe(catalog: Catalog) -> None:
    yielded = {code: set(catalog.item(code).fact_types) for code in (
        "court_judgment", "public_security_restriction", "justice_custody", "health_hiv_child",
        "disabled_federation_certificate", "civil_affairs_assistance", "education_dropout",
    )}  # fmt: skip
    assert yielded == {
        "court_judgment": {"declared_missing", "declared_dead", "guardianship_revoked"},
        "public_security_restriction": {"compulsory_rehab", "other_restriction"},
        "justice_custody": {"imprisoned", "compulsory_rehab"},
        "health_hiv_child": {"hiv_infected"},
        "disabled_federation_certificate": {"severe_disability"},
        "civil_affairs_assistance": {"low_income", "extreme_poverty"},
        "education_dropout": {"in_school"},
    }


def test_every_fact_type_of_policy_section_2_has_a_provider(catalog: Catalog) -> None:
    provided = {t for item in catalog.items for t in item.fact_types}
    assert provided == set(PARENT_FACTS) | set(CHILD_FACTS)


def test_fact_types_fit_the_subject_role(catalog: Catalog) -> None:
    for item in catalog.items:
        assert set(item.fact_types) <= set(ROLE_FACTS[item.subject_role]), item.code


def test_zhangqiu_monthly_deadline_is_the_fifth(catalog: Catalog) -> None:
    for code in ("court_judgment", "procuratorate_referral", "disabled_federation_certificate"):
        item = catalog.item(code)
        assert (item.frequency, item.due_day) == (Frequency.MONTHLY, 5)


def test_hiv_status_is_highly_sensitive_and_shared_only_on_conditions(catalog: Catalog) -> None:
    item = catalog.item("health_hiv_child")
    assert item.sensitivity is Sensitivity.HIGHLY_SENSITIVE
    assert item.share_class is ShareClass.CONDITIONAL
    assert set(item.purposes) == {"determination", "subsidy"}
    assert item.field("consent").required


def test_parent_ids_are_lenient_and_child_ids_strict(catalog: Catalog) -> None:
    for item in catalog.items:
        subject_id = next(f for f in item.fields if f.target == "subject.id_number")
        if item.subject_role == "child" or item.code == "household_registry":
            assert subject_id.id_policy is IdPolicy.STRICT, item.code
        if item.subject_role == "parent":
            assert subject_id.id_policy is IdPolicy.LENIENT, item.code


def test_code_fields_show_chinese_and_store_english(catalog: Catalog) -> None:
    kind = catalog.item("court_judgment").field("judgment_kind")
    assert kind.type is FieldType.CODE
    assert kind.code_list is not None
    assert kind.code_list.codes == ("declared_missing", "declared_dead", "guardianship_revoked")
    assert kind.code_list.labels == ("宣告失踪", "宣告死亡", "撤销监护资格")


def test_item_lookup_and_listing_by_agency(catalog: Catalog) -> None:
    codes = [item.code for item in catalog.items_for("public_security")]
    assert "public_security_lost_contact" in codes
    assert all(catalog.item(code).agency_type == "public_security" for code in codes)
    assert catalog.items_for("finance") == []
    with pytest.raises(NotFound):
        catalog.item("no_such_item")


def test_record_id_is_derived_only_where_a_department_has_no_number(catalog: Catalog) -> None:
    assert not catalog.item("court_judgment").record_id_derived
    assert catalog.item("public_security_death_cancellation").record_id_derived
    assert "系统按身份证号" in catalog.item("public_security_death_cancellation").record_id_note


def test_zhangqiu_drops_what_its_plan_does_not_assign() -> None:
    codes = {item.code for item in catalog_load("370114").items}
    assert "justice_custody" not in codes
    assert "education_enrolment" not in codes
    assert {"court_judgment", "health_hiv_child", "disabled_federation_certificate"} <= codes


def test_inner_mongolia_overlay_reaches_bayannur_and_its_counties() -> None:
    for region in ("150000", "150800", "150802"):
        catalog = catalog_load(region)
        item = catalog.item("civil_affairs_lost_contact_determination")
        assert item.fact_types == ("lost_contact",)
    assert "civil_affairs_lost_contact_determination" not in {
        item.code for item in catalog_load("370114").items
    }


def test_region_without_overlay_gets_the_base_catalog(catalog: Catalog) -> None:
    assert [i.code for i in catalog_load("341324").items] == [i.code for i in catalog.items]


@pytest.mark.parametrize("region", ["15", "1508000", "abcdef", ""])
def test_region_code_must_be_six_digits(region: str) -> None:
    with pytest.raises(CatalogError, match="6位"):
        catalog_load(region)


def test_fact_vocabulary_matches_the_rule_engine() -> None:
    from shouhu.core.catalog.facts import FACT_FIELD_KINDS
    from shouhu.core.policy.vocabulary import BOOL_FIELDS, DATE_FIELDS, FACT_FIELDS

    assert set(FACT_FIELD_KINDS) == set(FACT_FIELDS)
    assert {f for f, k in FACT_FIELD_KINDS.items() if k == "date"} == DATE_FIELDS
    assert {f for f, k in FACT_FIELD_KINDS.items() if k == "bool"} == BOOL_FIELDS


def test_code_lists_use_the_rule_engines_values(catalog: Catalog) -> None:
    from shouhu.core.policy.vocabulary import DISABILITY_CATEGORIES

    assert catalog.code_lists["disability_category"].codes == DISABILITY_CATEGORIES
    school = set(catalog.code_lists["school_level"].codes)
    assert {"senior_secondary", "secondary_vocational", "higher_vocational"} <= school


def test_highly_sensitive_free_text_is_sealed_and_nothing_the_rules_need_is(
    catalog: Catalog,
) -> None:
    """高度敏感数据项的每个自由文本字段都加密存放；日期、代码、号码、姓名、事实类型都不加密。"""
    for item in catalog.items:
        text = {spec.key for spec in item.fields if spec.type is FieldType.TEXT}
        if item.sensitivity is Sensitivity.HIGHLY_SENSITIVE:
            assert text <= set(item.sealed_fields), item.code
        for key in item.sealed_fields:
            spec = item.field(key)
            assert spec.type is FieldType.TEXT, (item.code, key)
            assert spec.target_kind != "subject", (item.code, key)
            assert spec.target not in ("fact.type", "fact.date", "fact.start", "fact.end")
    disease = catalog.item("health_severe_illness")
    assert "disease" in disease.sealed_fields
    assert "case_number" in catalog.item("court_criminal_judgment").sealed_fields
