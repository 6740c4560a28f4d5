"""SQL 里的清洗与近似号码生成，和 core 的 Python 参照实现逐一对照（Hypothesis）。"""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlglot import exp

from shouhu.core.identity import (
    id_number_generate,
    is_valid_id_number,
    near_misses,
    normalize_id_number,
)
from shouhu.engine.backends.duckdb_backend import DuckDBBackend
from shouhu.engine.linkage import blocking, prepare, settings_default
from shouhu.engine.linkage.names import name_features, name_syllables_fast, surname_key
from shouhu.engine.linkage.plan import _fact_keys
from shouhu.engine.linkage.sqlkit import col, tbl

COUNTIES = ("150802", "370114", "110105", "341324")
FULL_WIDTH = str.maketrans("0123456789Xx", "０１２３４５６７８９Ｘｘ")


@st.composite
def resident_ids(draw: st.DrawFn) -> str:
    birth = date(1920, 1, 1) + timedelta(days=draw(st.integers(0, 365 * 100)))
    return id_number_generate(
        division_code=draw(st.sampled_from(COUNTIES)),
        birth_date=birth,
        sequence=draw(st.integers(0, 99)),
        gender=draw(st.sampled_from("MF")),
    )


@st.composite
def written_ids(draw: st.DrawFn) -> str:
    """部门实际写出来的样子：规范、15 位、丢了末位 X、全角、小写 x、空格与连字符、Excel 的 .0、
    杂字符。"""
    number = draw(resident_ids())
    form = draw(
        st.sampled_from(
            ["plain", "short", "no_x", "wide", "lower", "spaced", "excel", "junk", "cut"]
        )
    )
    if form == "short":
        return number[:6] + number[8:17]
    if form == "no_x":
        return number[:17]
    if form == "wide":
        return number.lower().translate(FULL_WIDTH)
    if form == "lower":
        return number.lower()
    if form == "spaced":
        cut = draw(st.integers(1, 17))
        return draw(st.sampled_from([" ", "-", "\u3000", "\t", "'", "\u2014"])).join(
            (number[:cut], number[cut:])
        )
    if form == "excel":
        return number[:17] + ".0"
    if form == "junk":
        return draw(st.text(alphabet="0123456789Xx* -.０１Ｏo\u00a0nN", max_size=20))
    if form == "cut":
        return number[: draw(st.integers(0, 17))]
    return number


def _engine_normalized(values: list[str | None]) -> list[str]:
    backend = DuckDBBackend()
    try:
        rows = pa.table(
            {
                "record_id": [str(i) for i in range(len(values))],
                "id_number": pa.array(values, pa.string()),
            }
        )
        backend.load_arrow("facts", rows)
        _fact_keys(
            backend,
            settings=settings_default(),
            facts="facts",
            present=frozenset({"record_id", "id_number"}),
        )
        query = exp.select(col("rid"), col("id_number__v")).from_(tbl("lk_fkey"))
        found = {
            r["rid"]: r["id_number__v"] or "" for r in backend.fetch(query, step="测试").to_pylist()
        }
    finally:
        backend.close()
    return [found[str(i)] for i in range(len(values))]


# 每个例子建一次 DuckDB 连接和整段清洗步骤：少几个例子、每个多放些号码
@settings(max_examples=15)
@given(st.lists(st.one_of(written_ids(), st.none()), min_size=1, max_size=150))
def test_sql_id_normalisation_agrees_with_core(values: list[str | None]) -> None:
    assert _engine_normalized(values) == [normalize_id_number(v) for v in values]


def _one_error(number: str, position: int, digit: str, swap: bool) -> str:
    """录错一位或颠倒两位，结果仍是“规范形状”（X 只在末位；SQL 只处理这种，其余交 core）。"""
    if swap and position < 17 and not (position == 16 and number[17] == "X"):
        return number[:position] + number[position + 1] + number[position] + number[position + 2 :]
    return (
        number[:position]
        + (digit if position == 17 else digit.replace("X", "0"))
        + number[position + 1 :]
    )


def _sql_near_misses(numbers: list[str]) -> dict[str, set[str]]:
    subs, swaps = blocking.variant_tables()
    con = duckdb.connect()
    con.register("lk_vsub", subs)
    con.register("lk_vswap", swaps)
    con.register(
        "lk_res", pa.table({"rid": [str(i) for i in range(len(numbers))], "id_number__v": numbers})
    )
    query = blocking.near_miss_select("lk_res", "id_number", "lk_vsub", "lk_vswap").sql(
        dialect="duckdb"
    )
    found: dict[str, set[str]] = {str(i): set() for i in range(len(numbers))}
    for rid, cand in con.execute(query).fetchall():
        found[rid].add(cand)
    return found


@settings(max_examples=30)
@given(
    st.lists(
        st.tuples(
            resident_ids(), st.integers(0, 17), st.sampled_from("0123456789X"), st.booleans()
        ),
        min_size=1,
        max_size=30,
    )
)
def test_sql_near_misses_agree_with_core(cases: list[tuple[str, int, str, bool]]) -> None:
    written = [_one_error(*case) for case in cases]
    found = _sql_near_misses(written)
    for i, number in enumerate(written):
        valid = {c for c in found[str(i)] if is_valid_id_number(c)}
        assert valid == set(near_misses(number))


def test_near_misses_include_the_true_number_for_typos_and_swaps() -> None:
    number = id_number_generate(
        division_code="150802", birth_date=date(2012, 3, 4), sequence=7, gender="F"
    )
    typo = number[:8] + str((int(number[8]) + 1) % 10) + number[9:]
    swapped = number[:10] + number[11] + number[10] + number[12:]
    found = _sql_near_misses([typo, swapped])
    assert number in found["0"]
    assert number in found["1"] or number[10] == number[11]


@settings(max_examples=60)
@given(st.text(alphabet="张伟芳單曾长乐區朴 ·.李丽麗", min_size=0, max_size=6))
def test_name_features_use_core_normalisation(raw: str) -> None:
    from shouhu.core.identity import normalize_name

    row = name_features([raw]).to_pylist()[0]
    assert (row["norm"] or "") == normalize_name(raw)
    assert (row["pinyin"] or "") == " ".join(name_syllables_fast(normalize_name(raw)))


def test_homophones_and_traditional_forms_share_pinyin_and_surname_key() -> None:
    rows = {r["raw"]: r for r in name_features(["张伟", "張偉", "张玮", "章伟"]).to_pylist()}
    assert rows["张伟"]["norm"] == rows["張偉"]["norm"] == "张伟"
    assert rows["张伟"]["pinyin"] == rows["张玮"]["pinyin"] == "zhang wei"
    assert surname_key("張") == surname_key("张") == surname_key("章") == "zhang"
    assert surname_key("单") == "shan"  # 作姓的读音


def test_fifteen_digit_ids_convert_in_sql_like_core() -> None:
    con = duckdb.connect()
    values = ["150802850607002", "150802851332002", "110105491231002"]
    con.register("t", pa.table({"r": values}))
    clean = prepare.id_clean_sql(col("r"))
    query = exp.select(prepare.id_normalize_sql(clean), prepare.id_converted_sql(clean)).from_("t")
    got = con.execute(query.sql(dialect="duckdb")).fetchall()
    assert [g[0] for g in got] == [normalize_id_number(v) for v in values]
    assert [g[1] for g in got] == [True, False, True]
