"""编码方案：哪些字段、怎样切成词元、每个词元在布隆过滤器里置几位（k），以及分块键。

方案在交换前双方约定（请求包里写明方案名），所以阈值和权重都是事先定死的，不看数据调整。
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Tokenizer(StrEnum):
    NAME_CHARS = "name_chars"  # 清洗后姓名的相邻两字（首尾加边界符）：形近、错字只坏两个词元
    NAME_PINYIN = "name_pinyin"  # 逐字读音 + 拼音字母的相邻两字母：同音字、近音字仍有大半相同
    TEXT = "text"  # 小写、去多余空白后的相邻两字符
    DATE = "date"  # 年、月、日各一个词元，整个日期四个词元
    POSITIONAL = "positional"  # 逐字符连同位置（门牌号、邮编、数字日期）：错一位只坏一个词元
    EXACT = "exact"  # 整个值一个词元


class BlockPart(StrEnum):
    VALUE = "value"
    PINYIN = "pinyin"  # 姓名的拼音键
    YEAR = "year"  # 日期的年份
    MONTH_DAY = "month_day"
    PREFIX3 = "prefix3"  # 小写后的前三个字符


@dataclass(frozen=True, slots=True)
class FieldSpec:
    column: str
    tokenizer: Tokenizer
    k: int = 0  # 每个词元置的位数，即该字段在相似度中的权重
    # 同组的字段共用哈希标签：值填反了列（名和姓、地址一和地址二互换）仍得到同样的位
    group: str = ""
    budget: int = 0  # 大于 0 时：整个字段约置这么多位，平分给各词元（代替 k）


@dataclass(frozen=True, slots=True)
class BlockSpec:
    """一种分块键：几个字段变换后拼起来再带密钥哈希。任一部分为空，该记录不进这一分块。"""

    name: str
    parts: tuple[tuple[str, BlockPart], ...]


@dataclass(frozen=True, slots=True)
class Schema:
    name: str
    fields: tuple[FieldSpec, ...]
    blocks: tuple[BlockSpec, ...] = ()
    bits: int = 1024
    threshold: float = 0.8  # 没有身份证号佐证时，Dice 系数至少这么高才算同一人
    id_confirm: float = 0.5  # 身份证号完全相同时，Dice 至少这么高（防号码录成了别人的）
    near_confirm: float = 0.65  # 号码录错一位、靠近似纠错才对上时，Dice 至少这么高

    @property
    def words(self) -> int:
        return self.bits // 64


# 中国居民：姓名（字 + 拼音）、出生日期、性别；身份证号另作带密钥哈希（见 encode.py）。
# 权重与阈值按 tests/core/pprl 的例子定下（同音字、繁体仍在阈值之上；同名而生日错一处、同姓同生日
# 的另一人在阈值之下），之后没有按基准数据调整（见 bench/pprl/README.md）。
PERSON_ZH = Schema(
    name="person_zh_v1",
    fields=(
        FieldSpec("name", Tokenizer.NAME_CHARS, 15),
        FieldSpec("name", Tokenizer.NAME_PINYIN, 6),
        FieldSpec("birth_date", Tokenizer.DATE, 10),
        FieldSpec("gender", Tokenizer.EXACT, 10),
    ),
    blocks=(
        BlockSpec("birth_date", (("birth_date", BlockPart.VALUE),)),
        BlockSpec("pinyin_year", (("name", BlockPart.PINYIN), ("birth_date", BlockPart.YEAR))),
        BlockSpec(
            "pinyin_month_day", (("name", BlockPart.PINYIN), ("birth_date", BlockPart.MONTH_DAY))
        ),
    ),
    threshold=0.8,
)

SCHEMAS = {PERSON_ZH.name: PERSON_ZH}
