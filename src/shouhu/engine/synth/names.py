"""合成姓名：常见姓氏（按大致人口比例加权）、常用名字用字，以及部门录入时常见的写法偏差。

姓名按下标向量化生成：每人一个姓氏下标和一至两个名字用字下标，用 pyarrow 逐元素拼接，
千万级人口也只是几次数组运算。偏差（繁体字、同音错字、空格）只作用于少量部门记录，逐条处理。
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

# 姓氏及其大致人口占比（千分比，取整；依据公开的姓氏人口统计，只求分布形状逼真）。
SURNAMES: tuple[tuple[str, int], ...] = (
    ("王", 71), ("李", 70), ("张", 67), ("刘", 54), ("陈", 45), ("杨", 31), ("黄", 22),
    ("赵", 20), ("吴", 19), ("周", 19), ("徐", 15), ("孙", 14), ("马", 14), ("朱", 13),
    ("胡", 12), ("郭", 12), ("何", 11), ("林", 11), ("高", 11), ("罗", 10), ("郑", 9),
    ("梁", 9), ("谢", 8), ("宋", 7), ("唐", 7), ("许", 7), ("韩", 7), ("邓", 7), ("冯", 7),
    ("曹", 6), ("彭", 6), ("曾", 6), ("肖", 6), ("田", 6), ("董", 6), ("潘", 5), ("袁", 5),
    ("蔡", 5), ("蒋", 5), ("余", 5), ("于", 5), ("杜", 5), ("叶", 5), ("程", 4), ("魏", 4),
    ("苏", 4), ("吕", 4), ("丁", 4), ("任", 4), ("卢", 4), ("姚", 4), ("沈", 4), ("钟", 4),
    ("姜", 4), ("崔", 4), ("谭", 4), ("陆", 4), ("范", 3), ("汪", 3), ("廖", 3), ("石", 3),
    ("金", 3), ("韦", 3), ("贾", 3), ("夏", 3), ("付", 3), ("方", 3), ("邹", 3), ("熊", 3),
    ("白", 3), ("孟", 3), ("秦", 3), ("邱", 3), ("侯", 3), ("江", 3), ("尹", 3), ("薛", 2),
    ("闫", 2), ("段", 2), ("雷", 2), ("龙", 2), ("黎", 2), ("史", 2), ("陶", 2), ("贺", 2),
    ("毛", 2), ("郝", 2), ("顾", 2), ("龚", 2), ("邵", 2), ("万", 2), ("覃", 2), ("武", 2),
    ("钱", 2), ("戴", 2), ("严", 2), ("莫", 2), ("孔", 2), ("向", 2), ("常", 2), ("汤", 2),
    ("康", 2), ("易", 2), ("乔", 2), ("赖", 2), ("文", 2), ("单", 1), ("解", 1), ("查", 1),
    ("翟", 1), ("欧阳", 1), ("司马", 1), ("上官", 1), ("诸葛", 1),
)  # fmt: skip

MALE_CHARS = (
    "伟强磊军勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林国建文志海东峰晨博轩然航泽睿"
    "瑞嘉锐天佑逸铭昊宸辰诺成亮永兴金福生庆德江山松柏春立新世振家宏耀翔"
)
FEMALE_CHARS = (
    "芳娜敏静丽艳秀英霞燕玲桂兰娟红梅琳婷雪慧莹颖倩欣怡佳琪萱涵梓雨思诗梦晓婉悦可馨妍彤紫琴"
    "凤云霞珍玉萍淑蓉洁月莉璐瑶晶丹冰"
)
# 蒙古族等少数民族常见的整体名字（内蒙古的户籍里常见，无汉姓）。
MONGOLIAN_NAMES = (
    "巴特尔", "其其格", "乌云", "苏日娜", "那仁", "斯琴", "额尔敦", "阿拉坦", "宝音", "萨仁",
    "乌兰", "图雅", "巴雅尔", "格日勒", "朝鲁", "哈斯", "敖登", "孟和",
)  # fmt: skip

# 同音或形近的错字：部门录入时最常见的姓名错误。
SIMILAR_CHARS: dict[str, str] = {
    "伟": "玮", "丽": "莉", "明": "铭", "华": "桦", "静": "婧", "玲": "铃", "芳": "方",
    "杰": "洁", "磊": "垒", "娜": "那", "婷": "亭", "琳": "林", "燕": "艳", "辉": "晖",
    "峰": "锋", "斌": "彬", "涛": "滔", "敏": "民", "霞": "侠", "红": "宏", "英": "瑛",
    "梅": "玫", "刚": "钢", "波": "博", "军": "君", "勇": "永", "平": "萍", "鹏": "朋",
    "飞": "菲", "宇": "雨", "浩": "皓", "俊": "骏", "晨": "辰", "东": "冬", "海": "凯",
    "秀": "绣", "兰": "岚", "娟": "鹃", "雪": "学", "慧": "惠", "颖": "莹", "欣": "新",
    "怡": "宜", "佳": "家", "琪": "棋", "涵": "含", "思": "斯", "晓": "小", "悦": "越",
    "王": "汪", "李": "里", "张": "章", "刘": "柳", "陈": "程", "杨": "阳", "黄": "王",
    "徐": "许", "周": "邹", "吴": "伍", "赵": "照", "孙": "荪", "胡": "湖", "林": "琳",
}  # fmt: skip

_CHAR_WEIGHTS_SEED = 7  # 名字用字权重的固定种子（与人口种子无关，字频处处一样）


def _zipf(n: int, seed: int) -> npt.NDArray[np.float64]:
    """前几个字远比后面的常用：权重 ∝ 1/(rank+2)，次序按固定种子打乱以免总按字表顺序。"""
    order = np.random.default_rng(seed).permutation(n)
    weights = 1.0 / (np.arange(n, dtype=np.float64) + 2.0)
    return np.asarray(weights[order] / weights.sum(), dtype=np.float64)


@cache
def _pools() -> dict[str, Any]:
    surnames = [s for s, _ in SURNAMES]
    weights = np.array([w for _, w in SURNAMES], dtype=np.float64)
    return {
        "surname": pa.array(surnames, pa.string()),
        "surname_p": weights / weights.sum(),
        "M": pa.array(list(MALE_CHARS), pa.string()),
        "M_p": _zipf(len(MALE_CHARS), _CHAR_WEIGHTS_SEED),
        "F": pa.array(list(FEMALE_CHARS), pa.string()),
        "F_p": _zipf(len(FEMALE_CHARS), _CHAR_WEIGHTS_SEED + 1),
        "mongolian": pa.array(list(MONGOLIAN_NAMES), pa.string()),
    }


def surnames_draw(rng: np.random.Generator, n: int) -> npt.NDArray[np.int64]:
    """n 个姓氏下标（按人口比例）。"""
    p = _pools()["surname_p"]
    return np.asarray(rng.choice(len(p), size=n, p=p), dtype=np.int64)


def names_build(
    rng: np.random.Generator,
    surname_idx: npt.NDArray[np.int64],
    male: npt.NDArray[np.bool_],
    *,
    mongolian_share: float = 0.0,
) -> pa.StringArray:
    """姓 + 一至两个名字用字（约八成是两字名）；少数人用整体的蒙古族名字。"""
    pools = _pools()
    n = len(surname_idx)
    surname = pools["surname"].take(pa.array(surname_idx))
    first = _given_chars(rng, male, pools)
    second = _given_chars(rng, male, pools)
    two_chars = rng.random(n) < 0.8
    second = pc.if_else(pa.array(two_chars), second, pa.scalar("", pa.string()))
    names = pc.binary_join_element_wise(surname, first, second, "")
    if mongolian_share > 0:
        pick = rng.random(n) < mongolian_share
        whole = pools["mongolian"].take(pa.array(rng.integers(0, len(MONGOLIAN_NAMES), n)))
        names = pc.if_else(pa.array(pick), whole, names)
    return names


def _given_chars(
    rng: np.random.Generator, male: npt.NDArray[np.bool_], pools: dict[str, Any]
) -> pa.Array:
    n = len(male)
    m = pools["M"].take(pa.array(rng.choice(len(pools["M_p"]), size=n, p=pools["M_p"])))
    f = pools["F"].take(pa.array(rng.choice(len(pools["F_p"]), size=n, p=pools["F_p"])))
    return pc.if_else(pa.array(male), m, f)


@cache
def _s2t() -> Any:
    import opencc  # 延迟导入：只有写错姓名时才需要

    return opencc.OpenCC("s2t")


def name_traditional(name: str) -> str:
    """繁体写法（部门系统用繁体字库录入）；没有可转换的字时原样返回。"""
    return str(_s2t().convert(name))


def name_wrong_char(rng: np.random.Generator, name: str) -> str:
    """把一个字换成同音或形近字；找不到可换的字时换掉最后一个字。"""
    positions = [i for i, ch in enumerate(name) if ch in SIMILAR_CHARS]
    if positions:
        i = positions[int(rng.integers(0, len(positions)))]
        return name[:i] + SIMILAR_CHARS[name[i]] + name[i + 1 :]
    replacement = MALE_CHARS[int(rng.integers(0, len(MALE_CHARS)))]
    return name[:-1] + replacement if replacement != name[-1] else name[:-1] + "华"


def name_with_spaces(rng: np.random.Generator, name: str) -> str:
    """两种常见写法：姓和名之间一个（或全角）空格，或尾部多一个空格。"""
    kind = int(rng.integers(0, 3))
    if kind == 0 and len(name) > 1:
        return name[0] + " " + name[1:]
    if kind == 1 and len(name) > 1:
        return name[0] + "\u3000" + name[1:]
    return name + " "
