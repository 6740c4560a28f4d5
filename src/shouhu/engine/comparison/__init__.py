"""比对引擎（compare-format）：部门记录关联到户籍人员，规则批量认定，对照台账得出比对发现。

    compare_tables(registry=..., register=..., facts=..., as_of=..., settings=...) -> CompareResult
    compare_dir(input_dir, out_dir, as_of=..., settings=...) -> CompareResult  # 另写 findings 文件

发现五种：enrol（符合而无在保个案）、exit（在保而不再符合）、change（在保而类别变了）、
review（规则要求核实）、unlinked（与谁都对不上的记录）。每个儿童至多一条；结论不变的不出现。
DuckDB（默认）与 Spark 跑同一份计划（sqlglot 表达式），结果相同。

模块：values（取值写法）· inputs（读入与校验）· plan（关联后的长表）· findings（认定、对照、
用到的记录）· output（输出形状与写文件）· run（编排）。
"""

from shouhu.engine.comparison.findings import KINDS
from shouhu.engine.comparison.output import FINDINGS_SCHEMA
from shouhu.engine.comparison.run import (
    CompareResult,
    CompareSettings,
    compare_dir,
    compare_tables,
    params_version,
)

__all__ = [
    "FINDINGS_SCHEMA",
    "KINDS",
    "CompareResult",
    "CompareSettings",
    "compare_dir",
    "compare_tables",
    "params_version",
]
