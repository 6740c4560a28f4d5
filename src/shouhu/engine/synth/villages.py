"""县内的村（居）：区划表里有村级就用表里的，没有就按人口编造 12 位代码。

户籍总是写到村（居），部门记录也常写到村（居）；只有县代码时，一个百万人的县里缺号码又缺
生日的记录有几十个同名同性别者，比现实难关联得多。编造的代码照统计用区划代码的规矩：
乡级三位中 001–099 为街道、100–199 为镇、200–399 为乡，村级三位中 001–099 为居委会
（街道下的社区）、201 起为村委会。代码只由县代码和人口数决定，与种子无关。
"""

from __future__ import annotations

from shouhu.core.errors import InvalidInput
from shouhu.core.identity import division_table

PERSONS_PER_VILLAGE = 1500
VILLAGES_PER_TOWNSHIP = 15
VILLAGES_MAX = 99  # 每个乡级单位下：居委会 001–099，村委会 201–299
STREET_SHARE = {"district": 0.5, "county": 0.1}  # 街道在乡级单位中的比例：市辖区多、县少
STREETS = range(1, 100)
RURAL = range(100, 400)  # 先镇（100–199）后乡（200–399）


def villages_of(county_code: str, *, persons: int, county_only: bool = False) -> list[str]:
    """县内的村（居）代码。county_only 时只有县本身（只写县代码的最坏情形，供基准用）。"""
    if county_only:
        return [county_code]
    table = division_table()
    villages = [d.code for d in table.descendants(county_code) if d.level == "village"]
    return villages or villages_invent(county_code, persons)


def villages_invent(county_code: str, persons: int) -> list[str]:
    """约每 1500 人一个村（居）、每 15 个村（居）一个乡级单位，街道在前、镇乡在后。"""
    count = max(1, persons // PERSONS_PER_VILLAGE)
    townships = -(-count // VILLAGES_PER_TOWNSHIP)
    if townships > len(STREETS) + len(RURAL):
        townships = len(STREETS) + len(RURAL)
        if count > townships * VILLAGES_MAX:
            raise InvalidInput("单个县的人口过多，村（居）代码不够用；请用市或省作地区")
    # 市辖区的县级代码后两位为 01–20（GB/T 2260），城区多街道。
    kind = "district" if int(county_code[4:]) <= 20 else "county"
    wanted = round(townships * STREET_SHARE[kind])
    streets = max(min(wanted, len(STREETS)), townships - len(RURAL))
    codes = [f"{county_code}{n:03d}" for n in STREETS[:streets]]
    codes += [f"{county_code}{n:03d}" for n in RURAL[: townships - streets]]
    sizes = [count // townships + (i < count % townships) for i in range(townships)]
    villages: list[str] = []
    for township, size in zip(codes, sizes, strict=True):
        first = 1 if int(township[-3:]) in STREETS else 201
        villages += [f"{township}{first + n:03d}" for n in range(size)]
    return villages
