"""编码方案：哪些字段、怎样切成词元、每个词元在布隆过滤器里置几位（k），以及分块键。

方案在交换前双方约定（请求包里写明方案名），所以阈值和权重都是事先定死的，不看数据调整。
"""

from __future__ import annotations

from dataclasses import dataclass, replace
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
    # 平衡布隆过滤器（Berger, Schnell 2016）：过滤器连同它的反码拼成 2×bits 位，再按带密钥的置换
    # 打乱。每条编码恰好 bits 个 1，看不出记录有几个词元；每一位的 1 的频率成对互补，而哪两位成对、
    # 哪一位是原码都藏在密钥里。此时 Dice = 1 − 汉明距离 / bits，阈值随之换算（见 PERSON_ZH_V2）。
    balanced: bool = False

    @property
    def words(self) -> int:
        """编码的宽度（uint64 个数）；平衡的是两倍。"""
        return (2 if self.balanced else 1) * self.bits // 64


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

# 平衡的版本：新的比对请求都用它，旧请求（person_zh_v1）照样读得、比得。平衡后 Dice 变成
# 1 − H/bits（H 为原过滤器的汉明距离），原方案是 1 − H/(|A|+|B|)；本方案一条编码约置 W 位，
# 所以阈值 t 换算成 1 − (1 − t)·2W/bits。W 按方案的词元数事先算定（见 tests/core/pprl），
# 不看比对数据调整。
# 本方案一条编码约置的位数：三字姓名 4×15 + 拼音约 12×6 + 日期 7×10 + 性别 10，减去碰撞
_WEIGHT = 190


def _balanced_floor(t: float) -> float:
    return round(1 - (1 - t) * 2 * _WEIGHT / PERSON_ZH.bits, 3)


PERSON_ZH_V2 = replace(
    PERSON_ZH,
    name="person_zh_v2",
    balanced=True,
    threshold=_balanced_floor(PERSON_ZH.threshold),
    id_confirm=_balanced_floor(PERSON_ZH.id_confirm),
    near_confirm=_balanced_floor(PERSON_ZH.near_confirm),
)

SCHEMAS = {s.name: s for s in (PERSON_ZH, PERSON_ZH_V2)}
