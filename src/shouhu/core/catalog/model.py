"""数据目录的模型：数据项、字段、代码表。全部不可变，由 loader 从 TOML 构造并校验。"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from shouhu.core.errors import NotFound


class FieldType(StrEnum):
    TEXT = "text"
    ID_NUMBER = "id_number"
    NAME = "name"
    DATE = "date"
    BOOL = "bool"
    INT = "int"
    CODE = "code"
    DIVISION_CODE = "division_code"


class IdPolicy(StrEnum):
    """身份证号不合规时的处理：strict 拒收该行；lenient 接收并提示，留给关联环节模糊匹配。"""

    STRICT = "strict"
    LENIENT = "lenient"


class ShareClass(StrEnum):
    OPEN = "open"  # 无条件共享
    CONDITIONAL = "conditional"  # 有条件共享
    CLOSED = "closed"  # 不予共享


class Sensitivity(StrEnum):
    INTERNAL = "internal"  # 内部
    SENSITIVE = "sensitive"  # 敏感
    HIGHLY_SENSITIVE = "highly_sensitive"  # 高度敏感（如艾滋病感染情况）


class Frequency(StrEnum):
    MONTHLY = "monthly"  # 每月
    QUARTERLY = "quarterly"  # 每季度
    YEARLY = "yearly"  # 每年
    ON_EVENT = "on_event"  # 发现即报
    ON_REQUEST = "on_request"  # 按需查询


SHARE_CLASS_LABELS = {
    ShareClass.OPEN: "无条件共享",
    ShareClass.CONDITIONAL: "有条件共享",
    ShareClass.CLOSED: "不予共享",
}
SENSITIVITY_LABELS = {
    Sensitivity.INTERNAL: "内部",
    Sensitivity.SENSITIVE: "敏感",
    Sensitivity.HIGHLY_SENSITIVE: "高度敏感",
}
FREQUENCY_LABELS = {
    Frequency.MONTHLY: "每月",
    Frequency.QUARTERLY: "每季度",
    Frequency.YEARLY: "每年",
    Frequency.ON_EVENT: "发现即报",
    Frequency.ON_REQUEST: "按需查询",
}

# 部门类型及其中文名（docs/glossary.md），全平台只此一份：Django 的 choices、模板、导出都由此得出。
AGENCY_LABELS: Final = MappingProxyType(
    {
        "civil_affairs": "民政",
        "court": "法院",
        "procuratorate": "检察院",
        "public_security": "公安",
        "justice": "司法行政",
        "education": "教育",
        "big_data_center": "大数据中心",
        "finance": "财政",
        "health": "卫生健康",
        "medical_insurance": "医疗保障",
        "rural_revitalization": "乡村振兴",
        "womens_federation": "妇联",
        "disabled_federation": "残联",
        "human_resources": "人社",
        "housing": "住建",
        "youth_league": "团委",
        "trade_union": "总工会",
        "elders_committee": "关工委",
        "women_children_committee": "妇儿工委",
    }
)

# 字段可映射到的目标：主体身份、事实字段、记录编号，或留作附加信息（extra）。
SUBJECT_TARGETS = ("id_number", "name", "gender", "birth_date", "division_code")
TARGET_EXTRA = "extra"
TARGET_RECORD_ID = "record_id"
# 可以加密存放的事实字段：自由文本，批量规则不在 SQL 里按值比较（病种由导出时解开）
SEALABLE_FACT_FIELDS: Final = ("disease",)


@dataclass(frozen=True)
class CodeOption:
    code: str
    label: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class CodeList:
    key: str
    name: str
    options: tuple[CodeOption, ...]

    def label_of(self, code: str) -> str:
        for option in self.options:
            if option.code == code:
                return option.label
        return code

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(option.code for option in self.options)

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(option.label for option in self.options)


@dataclass(frozen=True)
class Condition:
    """字段在另一代码字段取某些值时才必填，例如查找结果为“已找到”时必须填找到日期。"""

    field: str
    codes: tuple[str, ...]


@dataclass(frozen=True)
class FieldSpec:
    key: str
    header: str
    type: FieldType
    target: str = TARGET_EXTRA  # "subject.<x>"、"fact.<x>"、"record_id" 或 "extra"
    required: bool = False
    required_when: Condition | None = None
    code_list: CodeList | None = None
    id_policy: IdPolicy | None = None
    aliases: tuple[str, ...] = ()
    max_length: int | None = None
    min_value: int | None = None
    max_value: int | None = None
    example: str | None = None
    note: str = ""

    @property
    def target_kind(self) -> str:
        """映射目标的种类：subject、fact、record_id 或 extra。"""
        return self.target.split(".", 1)[0]

    @property
    def target_name(self) -> str:
        return self.target.split(".", 1)[-1]


@dataclass(frozen=True)
class FactSpec:
    """记录如何成为事实：固定类型，或按某代码列（type_by）取值映射为类型。"""

    type: str | None = None
    type_by: str | None = None
    type_map: Mapping[str, str] = field(default_factory=dict)

    @property
    def fact_types(self) -> tuple[str, ...]:
        if self.type is not None:
            return (self.type,)
        return tuple(dict.fromkeys(self.type_map.values()))


@dataclass(frozen=True)
class DataItem:
    code: str
    name: str
    agency_type: str
    subject_role: str  # parent / child / person
    description: str
    sources: tuple[str, ...]
    fields: tuple[FieldSpec, ...]
    fact: FactSpec | None
    sensitivity: Sensitivity
    share_class: ShareClass
    frequency: Frequency
    due_day: int | None
    purposes: tuple[str, ...]
    record_id_note: str = ""
    # 加密存放的字段（高度敏感的自由文本：案号、病种、备注……），见 docs/operations.md
    sealed_fields: tuple[str, ...] = ()

    @property
    def fact_types(self) -> tuple[str, ...]:
        return self.fact.fact_types if self.fact is not None else ()

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(f.header for f in self.fields)

    @property
    def record_id_field(self) -> FieldSpec | None:
        for spec in self.fields:
            if spec.target == TARGET_RECORD_ID:
                return spec
        return None

    @property
    def record_id_derived(self) -> bool:
        """没有（必填的）记录编号列：系统按身份 + 类型 + 关键日期生成稳定编号。"""
        spec = self.record_id_field
        return spec is None or not spec.required

    def field(self, key: str) -> FieldSpec:
        for spec in self.fields:
            if spec.key == key:
                return spec
        raise NotFound(f"数据项「{self.name}」没有字段 {key}")


@dataclass(frozen=True)
class Purpose:
    """使用用途（purposes.toml）。kind：use 使用收到的数据，share 推送名单，platform 平台工作。"""

    code: str
    label: str
    kind: str = "use"


PURPOSE_KINDS: Final = ("use", "share", "platform")


@dataclass(frozen=True)
class Catalog:
    """一个地区生效的数据目录（基础目录叠加地区增删）。"""

    region: str | None
    items: tuple[DataItem, ...]
    code_lists: Mapping[str, CodeList]
    purposes: Mapping[str, Purpose]

    def item(self, code: str) -> DataItem:
        for item in self.items:
            if item.code == code:
                return item
        raise NotFound(f"数据目录中没有数据项 {code}")

    def items_for(self, agency_type: str) -> list[DataItem]:
        return [item for item in self.items if item.agency_type == agency_type]
