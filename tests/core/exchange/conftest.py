from __future__ import annotations

import pytest

from shouhu.core.catalog import Catalog, DataItem, catalog_load


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return catalog_load()


@pytest.fixture(scope="session")
def court(catalog: Catalog) -> DataItem:
    return catalog.item("court_judgment")


@pytest.fixture(scope="session")
def custody(catalog: Catalog) -> DataItem:
    return catalog.item("justice_custody")


@pytest.fixture(scope="session")
def hiv(catalog: Catalog) -> DataItem:
    return catalog.item("health_hiv_child")
