"""The keyed encoder: keys matter, variants of one person stay close, different persons do not."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from cryptography.hazmat.primitives import hashes, hmac
from hypothesis import given
from hypothesis import strategies as st

from shouhu.core.identity import id_number_generate, is_valid_id_number
from shouhu.core.pprl import (
    PERSON_ZH,
    PERSON_ZH_V2,
    SCHEMAS,
    LinkageKey,
    Person,
    Schema,
    dice,
    ids_checked,
    persons_encode,
)
from shouhu.core.pprl.encode import balance_bits
from shouhu.core.pprl.keys import keyed_digest

KEY = LinkageKey(bytes(range(32)))
OTHER_KEY = LinkageKey(bytes(range(1, 33)))
BORN = date(1985, 3, 14)


def score(a: Person, b: Person, key_b: LinkageKey = KEY, schema: Schema = PERSON_ZH) -> float:
    x, y = persons_encode([a], KEY, schema), persons_encode([b], key_b, schema)
    return float(dice(x.clk, y.clk, np.array([0]), np.array([0]))[0])


BOTH = pytest.mark.parametrize("schema", [PERSON_ZH, PERSON_ZH_V2], ids=lambda s: s.name)


def test_sm3_hmac_from_gmssl_equals_the_openssl_one():
    mac = hmac.HMAC(b"k" * 32, hashes.SM3())
    mac.update("张伟".encode())
    assert keyed_digest(b"k" * 32, "张伟".encode()) == mac.finalize()


def test_the_same_person_under_another_key_does_not_match():
    person = Person("王秀英", birth_date=BORN, gender="女")
    assert score(person, person) == 1.0
    assert score(person, person, OTHER_KEY) < 0.5
    number = id_number_generate(division_code="150802", birth_date=BORN, sequence=2, gender="F")
    one = persons_encode([Person("王秀英", number)], KEY)
    two = persons_encode([Person("王秀英", number)], OTHER_KEY)
    assert one.ids.hashes.tolist() != two.ids.hashes.tolist()
    assert one.blocks[0, 0] != two.blocks[0, 0]


@BOTH
def test_written_variants_of_one_person_stay_above_the_threshold(schema):
    person = Person("张伟", birth_date=BORN, gender="男")
    for variant in ("张玮", "張偉", "张 伟", "张　伟"):  # 同音字、繁体、半角和全角空格
        similar = score(person, Person(variant, birth_date=BORN, gender="M"), schema=schema)
        assert similar >= schema.threshold, variant
    three = Person("李建国", birth_date=BORN, gender="男")
    other = Person("李健国", birth_date=BORN, gender="男")
    assert score(three, other, schema=schema) >= schema.threshold


def test_birth_date_and_gender_come_from_the_id_when_missing():
    number = id_number_generate(division_code="150802", birth_date=BORN, sequence=3, gender="M")
    assert score(Person("张伟", number), Person("张伟", birth_date=BORN, gender="男")) == 1.0


@BOTH
def test_different_persons_stay_below_the_threshold(schema):
    person = Person("张伟", birth_date=BORN, gender="男")
    others = [
        Person("张强", birth_date=BORN, gender="男"),  # 同姓、同生日
        Person("刘伟", birth_date=BORN, gender="男"),
        Person("张伟", birth_date=date(1985, 7, 2), gender="男"),  # 同名、同年不同日
        Person("张伟", birth_date=date(1991, 3, 14), gender="男"),  # 同名、同月日不同年
        Person("王秀英", birth_date=BORN, gender="女"),
    ]
    for other in others:
        assert score(person, other, schema=schema) < schema.threshold, other


@given(
    st.dates(date(1900, 1, 1), date(2024, 12, 31)),
    st.integers(0, 99),
    st.integers(0, 17),
    st.sampled_from("0123456789X"),
)
def test_vectorised_id_check_agrees_with_the_identity_module(born, sequence, position, char):
    good = id_number_generate(
        division_code="150802", birth_date=born, sequence=sequence, gender="MF"[sequence % 2]
    )
    bad = good[:position] + char + good[position + 1 :]
    checked = ids_checked([good, bad, "", "12345"])
    assert checked.valid.tolist() == [True, is_valid_id_number(bad), False, False]
    assert str(checked.birth[0]) == born.isoformat()


def test_balanced_filters_have_constant_weight_and_hide_the_original_hamming_distance_only():
    people = [
        Person("张伟", birth_date=BORN, gender="男"),
        Person("欧阳建国", birth_date=date(1970, 1, 2), gender="男"),
        Person("李", gender="女"),  # 几乎没有词元
        Person("", ""),
    ]
    plain = persons_encode(people, KEY, PERSON_ZH).clk
    balanced = persons_encode(people, KEY, PERSON_ZH_V2).clk
    assert balanced.shape[1] == 2 * plain.shape[1] == PERSON_ZH_V2.words
    weights = np.bitwise_count(balanced).sum(axis=1)
    assert weights.tolist() == [PERSON_ZH.bits] * len(people)  # 原码 + 反码：恰好一半是 1
    assert len(set(np.bitwise_count(plain).sum(axis=1).tolist())) == len(people)
    # Dice of the balanced filters is 1 - Hamming(original) / bits, for every pair
    n = len(people)
    ai, bi = np.repeat(np.arange(n), n), np.tile(np.arange(n), n)
    hamming = np.bitwise_count(plain[ai] ^ plain[bi]).sum(axis=1)
    assert np.allclose(dice(balanced, balanced, ai, bi), 1 - hamming / PERSON_ZH.bits)
    # the fast path (bits written straight to their permuted places) equals the definition
    assert (balanced == balance_bits(plain, KEY)).all()
    # the permutation is keyed: another key puts the bits elsewhere
    other = persons_encode(people[:1], OTHER_KEY, PERSON_ZH_V2).clk
    assert score(people[0], people[0], OTHER_KEY, PERSON_ZH_V2) < PERSON_ZH_V2.threshold
    assert other.shape == balanced[:1].shape


def test_both_schemas_stay_readable_by_name():
    assert SCHEMAS["person_zh_v1"] is PERSON_ZH
    assert SCHEMAS["person_zh_v2"] is PERSON_ZH_V2
    assert (PERSON_ZH.balanced, PERSON_ZH_V2.balanced) == (False, True)
