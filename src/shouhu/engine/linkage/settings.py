"""记录关联的设置：比较哪些字段、按什么分块、阈值多少。

字段按“种类”处理，种类决定清洗（SQL）、可用的分块键和比较的等级：
- `resident_id` 公民身份号码：部门写法清洗、15 位升 18 位；分块键 `near_miss`（录错一位或相邻
  颠倒后能在户籍中找到的号码）、`value`；等级 精确 / 差一处 / 差 2–3 处 / 其他。
- `chinese_name` 中文姓名：繁简、空格、点（Python 对去重后的姓名做）；分块键 `surname`（姓的
  拼音）、`name`（清洗后全名）；等级 相同 / 同音 / 等长仅一字不同 / 同姓 / 其他。
- `date` 日期（存为 YYYYMMDD）；等级 相同 / 差一位或月日颠倒 / 同年 / 其他。
- `gender` 性别（M/F，也认 男/女）；`division` 行政区划（分块键 `county` 取前 6 位）；
  等级 同县 / 同市 / 同省 / 其他。
- `text` 一般文本（去首尾空白、小写）；等级 相同 / 编辑距离 1 / 2 / 其他（仅 ASCII 计距离，
  非 ASCII 只分相同与否，使 DuckDB 与 Spark 结果一致）。
- `exact` 只分相同与否。

`exact_field` 是先做精确联接的字段（号码）；精确联上的记录同时是校准权重的标注样本。
有 `resident_id` 字段时，`date`/`gender`/`division` 字段缺值可从号码里读出。
"""

from __future__ import annotations

from dataclasses import dataclass

KINDS = ("resident_id", "chinese_name", "date", "gender", "division", "text", "exact")

BLOCKING_KEYS = {
    "resident_id": ("value", "near_miss"),
    "chinese_name": ("name", "surname"),
    "date": ("value", "year"),
    "gender": ("value",),
    "division": ("value", "county"),
    "text": ("value",),
    "exact": ("value",),
}


@dataclass(frozen=True)
class FieldSpec:
    """facts 中的列 `column` 与 registry 中的列 `registry_column`（缺省同名）按 `kind` 比较。"""

    column: str
    kind: str
    registry_column: str | None = None

    @property
    def registry(self) -> str:
        return self.registry_column or self.column


@dataclass(frozen=True)
class LinkSettings:
    """关联设置。分数和置信度全是整数：权重以 1/64 比特为单位（定点数）。

    blocking：每条规则是若干分块键，形如 "birth_date" 或 "name:surname"（字段:键），
    规则内取“且”，规则间取“或”。fallback_blocking：第二轮分块规则，只用于第一轮没联上的记录
    （候选多而多半用不上的规则放这里，如大县里的同县同名）。threshold：置信度（0–100）不低于此值才关联。
    margin_bits：最佳与次佳候选的分数差小于此值（比特）时视为无法区分，不关联。
    required：打分关联的硬条件，(字段, 允许的等级)。默认：姓名须相同、同音或仅错一字（生日与姓
    都相同而名字不同的人不少，分数再高也不能据此关联）；号码不得是“另一个合格号码”（录错一位
    或颠倒两位过不了校验，合格而相差甚远的号码属于别人）。
    """

    fields: tuple[FieldSpec, ...]
    blocking: tuple[tuple[str, ...], ...]
    fallback_blocking: tuple[tuple[str, ...], ...] = ()
    exact_field: str | None = "id_number"
    record_key: str = "record_id"
    person_key: str = "id_number"
    required: tuple[tuple[str, tuple[int, ...]], ...] = ()
    threshold: int = 90
    margin_bits: int = 4
    possible_floor: int = 50  # 未关联记录的“可能人选”至少要这个置信度（possible.py）
    training_matches: int = 2000  # 取多少条精确联上的记录估计 m（同字段取值一致的概率）
    training_random: int = 300  # 随机配对估计 u：取这么多条记录 × 这么多个人
    em_iterations: int = 20

    def field_of(self, column: str) -> FieldSpec:
        for spec in self.fields:
            if spec.column == column:
                return spec
        raise KeyError(column)


def settings_default() -> LinkSettings:
    """compare-format 的 registry 与 facts：号码、姓名、出生日期、性别、区划。"""
    return LinkSettings(
        fields=(
            FieldSpec("id_number", "resident_id"),
            FieldSpec("name", "chinese_name"),
            FieldSpec("birth_date", "date"),
            FieldSpec("gender", "gender"),
            FieldSpec("division_code", "division"),
        ),
        blocking=(
            ("id_number:near_miss",),
            ("birth_date", "name:surname"),
        ),
        fallback_blocking=(("division_code:county", "name:name"),),
        required=(("name", (1, 2, 3)), ("id_number", (0, 2, 3, 4))),
    )
