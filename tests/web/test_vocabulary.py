"""One definition per domain list: every code has a Chinese name, and no two places disagree.

The core holds each list once (fact types and fields, agency types, link methods, categories…);
Django's choices and the pages derive from it. This walks every list the platform shows.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

import pytest
from django.apps import apps

from shouhu.core import registers
from shouhu.core.catalog import AGENCY_LABELS, catalog_load
from shouhu.core.findings import CHECK_OUTCOME_LABELS, COMPARISON_REASON_LABELS, KIND_LABELS
from shouhu.core.identity.links import LINK_METHOD_LABELS
from shouhu.core.policy import vocabulary
from shouhu.core.policy.model import CATEGORY_LABELS, STATUS_LABELS
from shouhu.core.policy.vocabulary import CASE_CATEGORY_LABELS
from shouhu.web.accounts.models import Agency
from shouhu.web.accounts.permissions import RIGHTS, Right, Role
from shouhu.web.cases.models import Case
from shouhu.web.comparison.export import FACT_VALUE_COLUMNS
from shouhu.web.exchange.models import Fact

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _choice_fields() -> Iterator[tuple[str, list[tuple[str, str]]]]:
    for model in apps.get_models():
        if not model.__module__.startswith("shouhu."):
            continue
        for field in model._meta.get_fields():
            choices = getattr(field, "choices", None)
            if choices:
                yield f"{model.__name__}.{field.name}", [(str(k), str(v)) for k, v in choices]


CORE_LISTS: dict[str, Mapping[str, str]] = {
    "FACT_LABELS": vocabulary.FACT_LABELS,
    "FIELD_LABELS": vocabulary.FIELD_LABELS,
    "SUBJECT_LABELS": vocabulary.SUBJECT_LABELS,
    "DISABILITY_CATEGORY_LABELS": vocabulary.DISABILITY_CATEGORY_LABELS,
    "STATUS_LABELS": STATUS_LABELS,
    "CATEGORY_LABELS": CATEGORY_LABELS,
    "AGENCY_LABELS": AGENCY_LABELS,
    "LINK_METHOD_LABELS": LINK_METHOD_LABELS,
    "KIND_LABELS": KIND_LABELS,
    "COMPARISON_REASON_LABELS": COMPARISON_REASON_LABELS,
    "CHECK_OUTCOME_LABELS": CHECK_OUTCOME_LABELS,
    "DOCUMENT_LABELS": vocabulary.DOCUMENT_LABELS,
    "REGISTER_LABELS": registers.REGISTER_LABELS,
    "ENTRY_KIND_LABELS": registers.ENTRY_KIND_LABELS,
    "PARENT_WHEREABOUTS": registers.PARENT_WHEREABOUTS,
    "SUPPORT_MEASURES": registers.SUPPORT_MEASURES,
    "END_REASONS": registers.END_REASONS,
}


@pytest.mark.parametrize("name", sorted(CORE_LISTS))
def test_every_core_code_has_a_chinese_name(name: str) -> None:
    missing = {code: label for code, label in CORE_LISTS[name].items() if not CHINESE.search(label)}
    assert not missing, f"{name}: codes without a Chinese name: {missing}"


def test_every_django_choice_has_a_chinese_name() -> None:
    missing = [
        f"{where}: {code}"
        for where, choices in _choice_fields()
        for code, label in choices
        if not CHINESE.search(label)
    ]
    assert not missing, missing


def test_django_choices_follow_the_core_lists() -> None:
    assert dict(Fact._meta.get_field("type").choices) == dict(vocabulary.FACT_LABELS)
    assert dict(Agency._meta.get_field("agency_type").choices) == dict(AGENCY_LABELS)
    assert dict(Case._meta.get_field("category").choices) == dict(CASE_CATEGORY_LABELS)


def test_every_fact_type_the_rules_know_is_labelled_and_storable() -> None:
    types = set(vocabulary.PARENT_FACT_TYPES) | set(vocabulary.CHILD_FACT_TYPES)
    assert types == set(vocabulary.FACT_LABELS)
    assert types == {code for code, _ in Fact._meta.get_field("type").choices}


def test_the_compare_contract_columns_are_the_fact_fields() -> None:
    assert set(FACT_VALUE_COLUMNS) == set(vocabulary.FACT_FIELDS)
    assert set(vocabulary.FIELD_LABELS) == set(vocabulary.FACT_FIELDS)


def test_every_catalog_item_names_a_known_agency_and_fact_type() -> None:
    for item in catalog_load().items:
        assert item.agency_type in AGENCY_LABELS, item.code
        assert set(item.fact_types) <= set(vocabulary.FACT_LABELS), item.code
        assert CHINESE.search(item.name), item.code


def test_every_role_has_a_chinese_name_and_every_right_a_role() -> None:
    assert all(CHINESE.search(str(role.label)) for role in Role)
    assert set(RIGHTS) == set(Right)
    assert all(RIGHTS[right] <= set(Role) for right in Right)
