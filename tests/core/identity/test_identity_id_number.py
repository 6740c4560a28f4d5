from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shouhu.core.errors import DomainError, InvalidInput
from shouhu.core.identity import (
    IdNumberProblem,
    InvalidIdNumber,
    check_digit,
    convert_15_to_18,
    division_table,
    id_number_generate,
    id_number_problem,
    is_valid_id_number,
    mask_id_number,
    near_misses,
    normalize_id_number,
    parse_id_number,
)

PUBLISHED = "11010519491231002X"  # GB 11643 的通行示例
TODAY = date(2025, 6, 1)

COUNTY_CODES = sorted(d.code for d in division_table() if d.level == "county")


def with_check(first17: str) -> str:
    return first17 + check_digit(first17)


@st.composite
def valid_ids(draw: st.DrawFn) -> str:
    return id_number_generate(
        division_code=draw(st.sampled_from(COUNTY_CODES)),
        birth_date=draw(st.dates(min_value=date(1900, 1, 1), max_value=TODAY)),
        sequence=draw(st.integers(0, 99)),
        gender=draw(st.sampled_from(["M", "F"])),
    )


def substitutions(s: str) -> list[str]:
    out: list[str] = []
    for i in range(18):
        alphabet = "0123456789X" if i == 17 else "0123456789"
        out.extend(s[:i] + c + s[i + 1 :] for c in alphabet if c != s[i])
    return out


def transpositions(s: str) -> list[str]:
    return [s[:i] + s[i + 1] + s[i] + s[i + 2 :] for i in range(17) if s[i] != s[i + 1]]


# ---------------------------------------------------------------- published vectors


def test_published_example_is_valid_and_parses() -> None:
    parsed = parse_id_number(PUBLISHED, today=TODAY)
    assert parsed.division_code == "110105"
    assert parsed.birth_date == date(1949, 12, 31)
    assert parsed.gender == "F"
    assert parsed.sequence == "002"


def test_check_digit_of_published_example_is_x() -> None:
    assert check_digit(PUBLISHED[:17]) == "X"


def test_15_digit_number_converts_to_published_18_digit_number() -> None:
    assert convert_15_to_18("110105491231002") == PUBLISHED
    assert normalize_id_number("110105491231002") == PUBLISHED


@pytest.mark.parametrize(
    "wrong", ["110105194912310020", "110105194912310021", "110105194912310029"]
)
def test_wrong_check_digit_fails(wrong: str) -> None:
    assert not is_valid_id_number(wrong, today=TODAY)
    assert id_number_problem(wrong, today=TODAY) == IdNumberProblem.CHECK_DIGIT


def test_brief_example_150802201203040021_has_a_wrong_check_digit() -> None:
    assert id_number_problem("150802201203040021", today=TODAY) == IdNumberProblem.CHECK_DIGIT
    assert is_valid_id_number("15080220120304002X", today=TODAY)


@pytest.mark.parametrize(
    ("number", "problem"),
    [
        ("11010519491231002", IdNumberProblem.LENGTH),
        ("11010519491231002XX", IdNumberProblem.LENGTH),
        ("1101051949123100X2", IdNumberProblem.FORMAT),
        ("11010519491231002x", IdNumberProblem.FORMAT),
        (with_check("99010519491231002"), IdNumberProblem.PROVINCE),
        (with_check("11010519490230002"), IdNumberProblem.BIRTH_DATE),
        (with_check("11010518991231002"), IdNumberProblem.BIRTH_DATE),
        (with_check("11010520250602002"), IdNumberProblem.BIRTH_DATE),
    ],
)
def test_each_problem_is_named_and_the_message_hides_the_number(
    number: str, problem: IdNumberProblem
) -> None:
    assert id_number_problem(number, today=TODAY) == problem
    with pytest.raises(InvalidIdNumber) as caught:
        parse_id_number(number, today=TODAY)
    assert isinstance(caught.value, DomainError)
    assert caught.value.problem == problem
    assert number not in caught.value.message
    assert number[6:14] not in caught.value.message


def test_birth_date_of_today_is_valid_and_tomorrow_is_not() -> None:
    number = with_check("11010520250601002")
    assert is_valid_id_number(number, today=TODAY)
    assert not is_valid_id_number(number, today=date(2025, 5, 31))


def test_convert_15_to_18_rejects_bad_input() -> None:
    with pytest.raises(InvalidIdNumber):
        convert_15_to_18("11010549123100")
    with pytest.raises(InvalidIdNumber):
        convert_15_to_18("110105491331002")  # 13 月


# ---------------------------------------------------------------- normalisation


@pytest.mark.parametrize(
    "typed",
    [
        "１１０１０５１９４９１２３１００２Ｘ",
        "１１０１０５１９４９１２３１００２ｘ",
        "110105 19491231 002X",
        "\u3000110105\u00a019491231\t002x \n",
        "1101\u200b0519491231002X",
        "110105-19491231-002X",
        "110105—19491231–002X",
        "110105－19491231－002x",
        "110105‐1949‑1231‒002X",
        "110105.19491231.002X",
        "11010519491231002x",
        "11010519491231002×",
        "'11010519491231002X",
        '"11010519491231002X"',
        "“11010519491231002X”",
        "‘11010519491231002X’",
        "110105491231002",
        "110 105 491 231 002",
    ],
)
def test_typing_habits_normalise_to_the_canonical_number(typed: str) -> None:
    assert normalize_id_number(typed) == PUBLISHED


def test_excel_number_string_loses_its_decimal_suffix() -> None:
    assert normalize_id_number("150802201203040021.0") == "150802201203040021"
    assert normalize_id_number("150802201203040021.00") == "150802201203040021"


def test_number_that_lost_its_trailing_x_gets_it_back() -> None:
    assert normalize_id_number(11010519491231002) == PUBLISHED
    assert normalize_id_number("11010519491231002") == PUBLISHED
    assert normalize_id_number("11010519491231002.0") == PUBLISHED
    assert normalize_id_number(Decimal("11010519491231002")) == PUBLISHED


def test_17_digits_whose_check_digit_is_not_x_stay_17_digits() -> None:
    first17 = "15080220120304001"
    assert check_digit(first17) != "X"
    assert normalize_id_number(first17) == first17
    assert normalize_id_number(int(first17)) == first17


def test_18_digit_integer_normalises_to_its_digits() -> None:
    valid = with_check("15080220120304001")
    assert normalize_id_number(int(valid)) == valid


def test_15_digit_number_with_impossible_date_is_left_as_typed() -> None:
    assert normalize_id_number("110105491331002") == "110105491331002"


@pytest.mark.parametrize(
    "empty", [None, "", "   ", float("nan"), "nan", "NaN", "None", "#N/A", True]
)
def test_empty_cells_normalise_to_empty_string(empty: object) -> None:
    assert normalize_id_number(empty) == ""


def test_invalid_input_is_returned_cleaned_not_rejected() -> None:
    assert normalize_id_number(" 1508-0220 1203 O40021 ") == "150802201203O40021"


def test_huge_integer_does_not_raise() -> None:
    assert normalize_id_number(10**5000) == ""


anything = st.one_of(
    st.text(),
    st.text(alphabet=st.sampled_from("0123456789xX. -'\"\u3000\u00a0－．１Ｘ×,")),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.none(),
    st.binary(),
)


@settings(max_examples=300)
@given(anything)
def test_normalisation_never_raises_and_is_idempotent(raw: object) -> None:
    once = normalize_id_number(raw)
    assert isinstance(once, str)
    assert normalize_id_number(once) == once


# ---------------------------------------------------------------- generation and round trip


@settings(max_examples=200)
@given(valid_ids())
def test_generated_ids_round_trip_through_normalise_parse_generate(number: str) -> None:
    assert is_valid_id_number(number, today=TODAY)
    assert normalize_id_number(number) == number
    assert normalize_id_number(f" {number[:6]}-{number[6:14]} {number[14:].lower()} ") == number
    parsed = parse_id_number(number, today=TODAY)
    again = id_number_generate(
        division_code=parsed.division_code,
        birth_date=parsed.birth_date,
        sequence=int(parsed.sequence[:2]),
        gender=parsed.gender,
    )
    assert again == number


def test_gender_parity_follows_the_scheme() -> None:
    for sequence in range(100):
        for gender in ("M", "F"):
            number = id_number_generate(
                division_code="150802",
                birth_date=date(2012, 3, 4),
                sequence=sequence,
                gender=gender,
            )
            assert number[14:16] == f"{sequence:02d}"
            assert parse_id_number(number).gender == gender


@pytest.mark.parametrize(
    "kwargs",
    [
        {"division_code": "15080", "birth_date": date(2012, 3, 4), "sequence": 1, "gender": "M"},
        {"division_code": "990802", "birth_date": date(2012, 3, 4), "sequence": 1, "gender": "M"},
        {"division_code": "150802", "birth_date": date(1899, 12, 31), "sequence": 1, "gender": "M"},
        {"division_code": "150802", "birth_date": date(2012, 3, 4), "sequence": 100, "gender": "M"},
        {"division_code": "150802", "birth_date": date(2012, 3, 4), "sequence": 1, "gender": "男"},
    ],
)
def test_generate_rejects_arguments_that_cannot_give_a_valid_number(
    kwargs: dict[str, object],
) -> None:
    with pytest.raises(InvalidInput):
        id_number_generate(**kwargs)  # type: ignore[arg-type]


# ---------------------------------------------------------------- near misses


@settings(max_examples=200)
@given(valid_ids())
def test_every_single_typo_of_a_valid_id_lists_it_as_a_near_miss(number: str) -> None:
    assert near_misses(number, today=TODAY) == ()
    for typed in substitutions(number) + transpositions(number):
        assert not is_valid_id_number(typed, today=TODAY)  # MOD 11-2 查出所有单字符错误和相邻换位
        assert number in near_misses(typed, today=TODAY)


@settings(max_examples=200)
@given(valid_ids(), st.integers(0, 17), st.sampled_from("0123456789XOx "))
def test_near_misses_are_exactly_the_valid_ids_one_edit_away(
    number: str, position: int, char: str
) -> None:
    typed = number[:position] + char + number[position + 1 :]
    one_edit = set(substitutions(typed)) | set(transpositions(typed))
    if is_valid_id_number(typed, today=TODAY):
        expected: tuple[str, ...] = ()
    else:
        expected = tuple(sorted(c for c in one_edit if is_valid_id_number(c, today=TODAY)))
    assert near_misses(typed, today=TODAY) == expected


def test_letter_o_typed_for_zero_is_recovered() -> None:
    assert PUBLISHED in near_misses("11O10519491231002X", today=TODAY)


def test_near_misses_of_wrong_length_or_hopeless_input_are_empty() -> None:
    assert near_misses("11010519491231002", today=TODAY) == ()
    assert near_misses("ABCDEFGHIJKLMNOPQR", today=TODAY) == ()


def test_near_misses_skip_checksum_matches_with_impossible_birth_dates() -> None:
    skipped = 0
    for typed in substitutions(PUBLISHED):
        misses = near_misses(typed, today=TODAY)
        for candidate in set(substitutions(typed)) | set(transpositions(typed)):
            checksum_ok = candidate[:17].isdigit() and check_digit(candidate[:17]) == candidate[17]
            if checksum_ok and id_number_problem(candidate, today=TODAY) is not None:
                assert candidate not in misses
                skipped += 1
    assert skipped > 0


# ---------------------------------------------------------------- masking


def test_mask_shows_division_and_last_four() -> None:
    assert mask_id_number("150802201203040021") == "150802********0021"
    assert mask_id_number("1508 0220 1203 0400 21") == "150802********0021"


@pytest.mark.parametrize(
    ("typed", "masked"),
    [
        ("", ""),
        ("1508", "****"),
        ("15080220", "15******"),
        ("15080220120304", "150802********"),
        ("110105491331002", "110105*********"),
    ],
)
def test_mask_of_short_or_invalid_input_keeps_only_a_safe_prefix(typed: str, masked: str) -> None:
    assert mask_id_number(typed) == masked


@settings(max_examples=200)
@given(valid_ids())
def test_mask_never_reveals_the_birth_date(number: str) -> None:
    for shown in (number, number[:17], number[:16], number[:-1] + "12"):
        masked = mask_id_number(shown)
        assert number[6:14] not in masked
        assert len(masked) == len(normalize_id_number(shown))
