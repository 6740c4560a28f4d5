"""数据目录（政务数据资源目录）：各部门提供的数据项、字段、代码表、共享属性。

定义放在本包的 TOML 文件中（items/、regions/），代码只负责加载和校验。
"""

from shouhu.core.catalog.build import CatalogError, header_key
from shouhu.core.catalog.loader import RETIRED_PURPOSE, catalog_load, purpose_label
from shouhu.core.catalog.model import (
    AGENCY_LABELS,
    FREQUENCY_LABELS,
    SENSITIVITY_LABELS,
    SHARE_CLASS_LABELS,
    Catalog,
    CodeList,
    CodeOption,
    Condition,
    DataItem,
    FactSpec,
    FieldSpec,
    FieldType,
    Frequency,
    IdPolicy,
    Purpose,
    Sensitivity,
    ShareClass,
)

__all__ = [
    "AGENCY_LABELS",
    "FREQUENCY_LABELS",
    "RETIRED_PURPOSE",
    "SENSITIVITY_LABELS",
    "SHARE_CLASS_LABELS",
    "Catalog",
    "CatalogError",
    "CodeList",
    "CodeOption",
    "Condition",
    "DataItem",
    "FactSpec",
    "FieldSpec",
    "FieldType",
    "Frequency",
    "IdPolicy",
    "Purpose",
    "Sensitivity",
    "ShareClass",
    "catalog_load",
    "header_key",
    "purpose_label",
]
