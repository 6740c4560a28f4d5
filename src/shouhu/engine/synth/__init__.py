"""合成人口：演示、测试和基准共用的一个生成器（shouhu synth）。

一个地区（省、市或县）的户籍人口及亲子关系、各部门按现实比例报送的事实（带常见录入错误）、
陈旧程度逼真的台账，以及真值（记录的真实归属、应有的比对发现）。按县向量化生成，
千万级人口可流式写成 parquet。同一种子结果相同。
"""

from shouhu.engine.synth.dirty import DirtyRates
from shouhu.engine.synth.region import (
    DEMO_COUNTY,
    SynthRegion,
    SynthSummary,
    counties_of,
    synth_region,
    synth_write,
)
from shouhu.engine.synth.scenarios import SCENARIOS

__all__ = [
    "DEMO_COUNTY",
    "SCENARIOS",
    "DirtyRates",
    "SynthRegion",
    "SynthSummary",
    "counties_of",
    "synth_region",
    "synth_write",
]
