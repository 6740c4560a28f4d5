from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from shouhu.core.identity import (
    name_pinyin_key,
    name_similarity,
    name_syllables,
    normalize_name,
)

# ---------------------------------------------------------------- normalisation


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("張偉", "张伟"),
        ("歐陽修", "欧阳修"),
        ("张 伟", "张伟"),
        ("\u3000张\u00a0伟\t\n", "张伟"),
        ("张\u200b伟", "张伟"),
        ("ＺＨＡＮＧ　Ｗｅｉ", "ZHANGWei"),
        ("阿卜杜·热合曼", "阿卜杜·热合曼"),
        ("阿卜杜•热合曼", "阿卜杜·热合曼"),
        ("阿卜杜・热合曼", "阿卜杜·热合曼"),
        ("阿卜杜･热合曼", "阿卜杜·热合曼"),
        ("阿卜杜‧热合曼", "阿卜杜·热合曼"),
        ("阿卜杜．热合曼", "阿卜杜·热合曼"),
        ("阿卜杜.热合曼", "阿卜杜·热合曼"),
        ("阿卜杜。热合曼", "阿卜杜·热合曼"),
        ("阿卜杜 · 热合曼", "阿卜杜·热合曼"),
        ("阿卜杜··热合曼", "阿卜杜·热合曼"),
        ("·阿卜杜·热合曼·", "阿卜杜·热合曼"),
        ("阿卜杜・熱合曼", "阿卜杜·热合曼"),
    ],
)
def test_names_fold_to_one_written_form(typed: str, expected: str) -> None:
    assert normalize_name(typed) == expected


@pytest.mark.parametrize("empty", [None, "", " \u3000 ", float("nan"), "nan", "·"])
def test_empty_names_normalise_to_empty_string(empty: object) -> None:
    assert normalize_name(empty) == ""


@settings(max_examples=200)
@given(
    st.one_of(
        st.text(), st.text(alphabet="張偉歐陽·•・．. \u3000ＡａXx乾乾隆後发發"), st.integers()
    )
)
def test_name_normalisation_never_raises_and_is_idempotent(raw: object) -> None:
    once = normalize_name(raw)
    assert normalize_name(once) == once


# ---------------------------------------------------------------- pinyin


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("张伟", "zhangwei"),
        ("張偉", "zhangwei"),
        ("张 伟", "zhangwei"),
        ("吕绿", "lvlv"),
        ("Zhang Wei", "zhangwei"),
        ("阿卜杜·热合曼", "abodureheman"),
    ],
)
def test_pinyin_key_is_lowercase_without_tones_or_separators(name: str, key: str) -> None:
    assert name_pinyin_key(name) == key


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("单田芳", "shantianfang"),
        ("曾国藩", "zengguofan"),
        ("区小明", "ouxiaoming"),
        ("解缙", "xiejin"),
        ("单于燕", "chanyuyan"),
        ("尉迟恭", "yuchigong"),
    ],
)
def test_surname_heteronyms_use_the_surname_reading(name: str, key: str) -> None:
    assert name_pinyin_key(name) == key


def test_surname_reading_applies_only_to_the_first_character() -> None:
    assert name_pinyin_key("张单") == "zhangdan"
    assert name_syllables("王曾") == ("wang", "ceng")


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("王重庆", "wangchongqing"),  # 词库中的词按词注音（单字默认读 zhong）
        ("李长大", "lizhangda"),
        ("张朝阳", "zhangzhaoyang"),
        ("赵银行", "zhaoyinhang"),
    ],
)
def test_names_holding_a_dictionary_word_keep_the_word_reading(name: str, key: str) -> None:
    assert name_pinyin_key(name) == key


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="张王李重庆长大朝阳银行乐单于曾解都能员·Ab", min_size=1, max_size=5))
def test_the_pinyin_key_is_pypinyins_reading_of_the_whole_name(name: str) -> None:
    from pypinyin import Style, lazy_pinyin

    core = normalize_name(name).replace("·", "")
    assume(core and core[0] not in "单曾解都能员乐重")  # 作姓的读音另有规定（见上）
    whole = [s.lower() for s in lazy_pinyin(core, style=Style.NORMAL, errors=list)]
    assert name_syllables(name) == tuple(s for s in whole if s.isalnum())


# ---------------------------------------------------------------- similarity


def test_identical_and_equivalent_spellings_score_100() -> None:
    assert name_similarity("张伟", "张伟") == 100
    assert name_similarity("張偉", "张 伟") == 100
    assert name_similarity("阿卜杜·热合曼", "阿卜杜热合曼") == 100


def test_wrong_homophone_character_scores_high() -> None:
    assert name_similarity("张伟", "张玮") == 95
    assert name_similarity("李娜", "李纳") == 95


def test_closer_names_score_higher_than_unrelated_ones() -> None:
    assert name_similarity("张伟", "张伟强") > name_similarity("张伟", "李娜")
    assert name_similarity("刘德华", "牛德华") > name_similarity("刘德华", "王小明")
    assert name_similarity("张伟", "李娜") < 50


def test_swapped_characters_are_not_the_same_name() -> None:
    assert name_similarity("张伟", "伟张") < 80


def test_empty_name_scores_zero() -> None:
    assert name_similarity("", "张伟") == 0
    assert name_similarity("张伟", "  ") == 0


han_names = st.text(
    alphabet="张王李赵刘陈杨黄伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞单曾", max_size=4
)


@settings(max_examples=200)
@given(han_names, han_names)
def test_similarity_is_a_symmetric_integer_from_0_to_100(a: str, b: str) -> None:
    score = name_similarity(a, b)
    assert isinstance(score, int)
    assert 0 <= score <= 100
    assert score == name_similarity(b, a)
    assert (score == 100) == (bool(a) and normalize_name(a) == normalize_name(b))
