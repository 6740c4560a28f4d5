"""Splink 5（DuckDB）在同一份基准数据上，作为对照。只在基准自己的虚拟环境里运行：

    /tmp/splink-venv/bin/python bench/linkage/run_splink.py --data /tmp/shouhu-bench/linkage

号码先做与守护相同的基本清洗（全角、空格、小写 x、15 位升 18 位），姓名去空格，再交给 Splink：
分块 号码 或 出生日期 + 姓；比较 号码（编辑距离 1、2）、姓名（精确、Jaro-Winkler）、出生日期、
性别、区划；u 用随机抽样，m 用 EM（两个分块各训练一次）；每条记录取概率最高且 ≥ 0.5 的一个。
计时从建模型开始，到得出每条记录的关联为止（不含读 parquet）。输出一行 JSON。
"""

from __future__ import annotations

import argparse
import json
import resource
import time

import duckdb
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

CLEAN_ID = """
WITH c AS (SELECT *,
  upper(translate(coalesce(id_number, ''), '０１２３４５６７８９Ｘｘ -', '0123456789XX')) AS c
           FROM read_parquet(?)),
d AS (SELECT *,
  CASE WHEN length(c) = 15 THEN substr(c, 1, 6) || '19' || substr(c, 7) ELSE c END AS c17 FROM c)
SELECT record_id AS uid, CASE WHEN length(c) = 15 THEN c17 || substr('10X98765432',
  ((7*c17[1]::INT + 9*c17[2]::INT + 10*c17[3]::INT + 5*c17[4]::INT + 8*c17[5]::INT + 4*c17[6]::INT
  + 2*c17[7]::INT + c17[8]::INT + 6*c17[9]::INT + 3*c17[10]::INT + 7*c17[11]::INT + 9*c17[12]::INT
  + 10*c17[13]::INT + 5*c17[14]::INT + 8*c17[15]::INT + 4*c17[16]::INT
  + 2*c17[17]::INT) % 11) + 1, 1)
  WHEN c = '' THEN NULL ELSE c END AS id_clean,
  replace(name, ' ', '') AS name, substr(replace(name, ' ', ''), 1, 1) AS surname,
  birth_date, gender, division_code
FROM d
"""


def prepared(con: duckdb.DuckDBPyConnection, path: str, key: str) -> object:
    query = CLEAN_ID.replace("record_id AS uid", f"{key} AS uid")
    return con.execute(query, [path]).df()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default="/tmp/shouhu-bench/linkage")
    parser.add_argument("--u-pairs", type=float, default=1e6)
    args = parser.parse_args()
    con = duckdb.connect()
    registry = prepared(con, f"{args.data}/registry.parquet", "id_number")
    facts = prepared(con, f"{args.data}/facts.parquet", "record_id")
    truth = dict(
        con.execute(
            "SELECT record_id, id_number FROM read_parquet(?)", [f"{args.data}/truth.parquet"]
        ).fetchall()
    )
    started = time.perf_counter()
    settings = SettingsCreator(
        link_type="link_only",
        unique_id_column_name="uid",
        comparisons=[
            cl.LevenshteinAtThresholds("id_clean", [1, 2]),
            cl.JaroWinklerAtThresholds("name", [0.9]),
            cl.LevenshteinAtThresholds("birth_date", [1]),
            cl.ExactMatch("gender"),
            cl.ExactMatch("division_code"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("id_clean"),
            block_on("birth_date", "surname"),
        ],
        retain_intermediate_calculation_columns=False,
    )
    db_api = DuckDBAPI()
    left = db_api.register(registry, table_name="registry")
    right = db_api.register(facts, table_name="facts")
    linker = Linker([left, right], settings, log_level="WARNING")
    linker.training.estimate_probability_two_random_records_match(
        [block_on("id_clean")], recall=0.95
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=args.u_pairs, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("id_clean"))
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("birth_date", "surname")
    )
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    best = (
        predictions.as_duckdbpyrelation()
        .query(  # 哪一侧是 facts 由 Splink 按表名排序决定
            "p",
            "SELECT CASE WHEN source_dataset_l = 'facts' THEN uid_l ELSE uid_r END AS record_id,"
            " arg_max(CASE WHEN source_dataset_l = 'facts' THEN uid_r ELSE uid_l END,"
            " match_probability)"
            " AS id_number FROM p GROUP BY 1",
        )
        .fetchall()
    )
    seconds = time.perf_counter() - started
    linked = dict(best)
    correct = sum(1 for r, p in linked.items() if truth.get(r) == p)
    precision = correct / len(linked) if linked else 0.0
    recall = correct / len(truth)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    print(
        json.dumps(
            {
                "engine": "splink5/duckdb",
                "seconds": round(seconds, 2),
                "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
                "precision": round(precision, 5),
                "recall": round(recall, 5),
                "f1": round(f1, 5),
                "linked": len(linked),
                "wrong": len(linked) - correct,
                "u_pairs": args.u_pairs,
            }
        )
    )


if __name__ == "__main__":
    main()
