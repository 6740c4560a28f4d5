"""The keyed encoder: keys matter, variants of one person stay close, different persons do not."""

from __future__ import annotations

from datetime import date

import numpy as np
from cryptography.hazmat.primitives import hashes, hmac
from hypothesis import given
from hypothesis import strategies as st

from shouhu.core.identity import id_number_generate, is_valid_id_number
from shouhu.core.pprl import PERSON_ZH, LinkageKey, Person, dice, ids_checked, persons_encode
from shouhu.core.pprl.keys import keyed_digest

KEY = LinkageKey(bytes(range(32)))
OTHER_KEY = LinkageKey(bytes(range(1, 33)))
BORN = date(1985, 3, 14)


def score(a: Person, b: Person, key_b: LinkageKey = KEY) -> float:
    x, y = persons_encode([a], KEY), persons_encode([b], key_b)
    return float(dice(x.clk, y.clk, np.array([0]), np.array([0]))[0])


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


def test_written_variants_of_one_person_stay_above_the_threshold():
    person = Person("张伟", birth_date=BORN, gender="男")
    for variant in ("张玮", "張偉", "张 伟", "张　伟"):  # 同音字、繁体、半角和全角空格
        assert score(person, Person(variant, birth_date=BORN, gender="M")) >= PERSON_ZH.threshold
    three = Person("李建国", birth_date=BORN, gender="男")
    assert score(three, Person("李健国", birth_date=BORN, gender="男")) >= PERSON_ZH.threshold


def test_birth_date_and_gender_come_from_the_id_when_missing():
    number = id_number_generate(division_code="150802", birth_date=BORN, sequence=3, gender="M")
    assert score(Person("张伟", number), Person("张伟", birth_date=BORN, gender="男")) == 1.0


def test_different_persons_stay_below_the_threshold():
    person = Person("张伟", birth_date=BORN, gender="男")
    others = [
        Person("张强", birth_date=BORN, gender="男"),  # 同姓、同生日
        Person("刘伟", birth_date=BORN, gender="男"),
        Person("张伟", birth_date=date(1985, 7, 2), gender="男"),  # 同名、同年不同日
        Person("张伟", birth_date=date(1991, 3, 14), gender="男"),  # 同名、同月日不同年
        Person("王秀英", birth_date=BORN, gender="女"),
    ]
    for other in others:
        assert score(person, other) < PERSON_ZH.threshold, other


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
