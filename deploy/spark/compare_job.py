"""spark-submit 的入口：与 `shouhu compare --engine spark` 相同的参数和输出，主节点与集群设置
取自 spark-submit（--master、--conf、spark-defaults.conf）。
见 docs/recipes/run-on-a-spark-cluster.md。

    spark-submit --master spark://主机:7077 deploy/spark/compare_job.py \\
        --input /共享存储/2026-11 --as-of 2026-11-01 --out /共享存储/2026-11-findings
"""

import sys

from shouhu.commands.compare import compare

if __name__ == "__main__":
    compare.main(args=[*sys.argv[1:], "--engine", "spark"], prog_name="shouhu compare")
