"""公民身份号码（GB 11643-1999）：校验、清洗、解析、近似纠错、合成与脱敏。

18 位号码的结构：
  第 1–6 位   常住户口所在县级行政区划代码（GB/T 2260）
  第 7–14 位  出生日期 YYYYMMDD
  第 15–17 位 顺序码；第 17 位奇数为男、偶数为女
  第 18 位    校验码，ISO 7064 MOD 11-2，取值 0–9 或 X（代表 10）

校验规则：第 i 位（从 0 起）的加权因子 W_i = 2^(17-i) mod 11，X 记为 10，
全部 18 位加权和 mod 11 必须等于 1。本模块的近似纠错正是利用这个线性关系，
直接解出“改哪一位、改成几”，不必逐个试探后整串重算。

所有函数都不把号码写进异常消息或日志（号码是个人信息）。
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from shouhu.core.errors import DomainError, ErrorCode, InvalidInput
from shouhu.core.identity._text import as_text, is_empty_marker, is_invisible
from shouhu.core.identity.divisions import province_prefixes

# GB 11643 的加权因子（第 i 位乘 2^(17-i) mod 11）与校验码表：全项目只在这里写一次。
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2, 1)
# 模 11 下各加权因子的逆元：改第 i 位使加权和增加 need，新值 = 旧值 + need × 逆元。
_INVERSES = tuple(pow(w, -1, 11) for w in ID_WEIGHTS)
CHECK_CHARS = "10X98765432"  # 前 17 位加权和 mod 11 → 校验码
_VALUE_CHARS = "0123456789X"  # 数值 → 字符（10 即 X）
_VALUE_OF = {c: v for v, c in enumerate(_VALUE_CHARS)}
_EARLIEST_BIRTH = date(1900, 1, 1)

_CANONICAL = re.compile(r"[0-9]{17}[0-9X]")
_DIGITS = re.compile(r"[0-9]+")
_EXCEL_NUMBER = re.compile(r"([0-9]+)\.0+")  # Excel 把数字读成字符串时带的 ".0"
# 号码里永远不会有的引号、连字符、千分位逗号（全角形式经 NFKC 后也落在这里）
_NOISE = frozenset("'\"`´,\u2212\u300c\u300d\u300e\u300f")
_NOISE_CATEGORIES = frozenset({"Pd", "Pi", "Pf"})  # 各种连字符/破折号、各种弯引号
_X_LIKE = {"x": "X", "\u00d7": "X", "*": "X"}  # 小写 x、输入法里常见的乘号 ×、星号 *
# ASCII 里的噪声：控制字符和空白、空格、引号、反引号、连字符、逗号（与 _is_noise 一致）
_ASCII_NOISE = dict.fromkeys([*range(0x20), 0x7F, *map(ord, " '\"`-,")])


class IdNumberProblem(StrEnum):
    """号码不合格的原因（按检查顺序）。"""

    LENGTH = "length"
    FORMAT = "format"
    PROVINCE = "province"
    BIRTH_DATE = "birth_date"
    CHECK_DIGIT = "check_digit"


_MESSAGES = {
    IdNumberProblem.LENGTH: "身份证号长度应为18位",
    IdNumberProblem.FORMAT: "身份证号前17位应为数字，末位应为数字或X",
    IdNumberProblem.PROVINCE: "身份证号前两位不是有效的省级行政区划代码",
    IdNumberProblem.BIRTH_DATE: "身份证号中的出生日期无效",
    IdNumberProblem.CHECK_DIGIT: "身份证号校验位错误",
}


class InvalidIdNumber(DomainError):
    """号码不合格。消息是中文、可展示，不含号码本身；problem 供程序区分原因。"""

    code = ErrorCode.INVALID_ID_NUMBER

    def __init__(self, problem: IdNumberProblem) -> None:
        super().__init__(_MESSAGES[problem])
        self.problem = problem


@dataclass(frozen=True, slots=True)
class ResidentId:
    number: str
    division_code: str  # 前 6 位
    birth_date: date
    gender: str  # "M" 男 / "F" 女
    sequence: str  # 第 15–17 位顺序码（含性别位）


# ---------------------------------------------------------------- 校验


def check_digit(first17: str) -> str:
    """前 17 位的校验码（'0'–'9' 或 'X'）。"""
    if len(first17) != 17 or not _DIGITS.fullmatch(first17):
        raise InvalidIdNumber(IdNumberProblem.FORMAT)
    return CHECK_CHARS[sum(w * int(c) for w, c in zip(ID_WEIGHTS, first17, strict=False)) % 11]


def id_number_problem(s: str, *, today: date | None = None) -> IdNumberProblem | None:
    """号码的第一个问题；合格时为 None。s 应已经过 normalize_id_number。"""
    if not isinstance(s, str) or len(s) != 18:
        return IdNumberProblem.LENGTH
    if not _CANONICAL.fullmatch(s):
        return IdNumberProblem.FORMAT
    if s[:2] not in province_prefixes():
        return IdNumberProblem.PROVINCE
    if not _birth_date_ok(s[6:14], today):
        return IdNumberProblem.BIRTH_DATE
    if _weighted_sum(s) % 11 != 1:
        return IdNumberProblem.CHECK_DIGIT
    return None


def is_valid_id_number(s: str, *, today: date | None = None) -> bool:
    """18 位、格式对、省级代码真实、出生日期真实且在 1900-01-01 至今天之间、校验码对。"""
    return id_number_problem(s, today=today) is None


def parse_id_number(s: str, *, today: date | None = None) -> ResidentId:
    """解析合格号码；不合格时抛 InvalidIdNumber。不做清洗，先调用 normalize_id_number。"""
    problem = id_number_problem(s, today=today)
    if problem is not None:
        raise InvalidIdNumber(problem)
    birth = date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
    return ResidentId(
        number=s,
        division_code=s[:6],
        birth_date=birth,
        gender="M" if int(s[16]) % 2 == 1 else "F",
        sequence=s[14:17],
    )


def _weighted_sum(s: str) -> int:
    return sum(w * _VALUE_OF[c] for w, c in zip(ID_WEIGHTS, s, strict=True))


def _birth_date_ok(yyyymmdd: str, today: date | None) -> bool:
    try:
        birth = date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:]))
    except ValueError:
        return False
    return _EARLIEST_BIRTH <= birth <= (today or date.today())


# ---------------------------------------------------------------- 清洗


def normalize_id_number(raw: object) -> str:
    """把经办人员实际录入的各种写法清洗成规范号码；不合格时也返回清洗结果，从不抛异常。

    处理：全角字符（NFKC）；任意位置的空白（含全角空格、不间断空格、制表符、零宽字符）；
    各种连字符和破折号、点号、千分位逗号；引号和 Excel 文本前缀 '；小写 x、乘号 ×、
    星号 * 改为 X；整数或 "…….0" 形式的 Excel 数字；17 位数字且算出的校验码为 X 时补回 X
    （18 位号码被存成数字丢了末尾 X；算出的不是 X 则不补）；15 位旧号码（出生日期有效）
    升为 18 位。None、空串、NaN 得到 ""。结果再清洗一次不变（幂等）。

    注意：存成浮点数的 18 位号码已丢失精度（超过 2^53），这里无法复原。
    """
    text = as_text(raw)
    if _CANONICAL.fullmatch(text):
        return text  # 最常见的情况：已经是规范形式
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)  # 全角数字、字母经此变成 ASCII
    text = _clean_ascii(text) if text.isascii() else _clean_unicode(text)
    if is_empty_marker(text):
        return ""
    return _restore_length(text)


def _clean_ascii(text: str) -> str:
    """纯 ASCII 的快速路径，结果与 _clean_unicode 相同（ASCII 不受 NFKC 影响，一遍即可）。"""
    text = text.translate(_ASCII_NOISE)
    excel = _EXCEL_NUMBER.fullmatch(text)
    if excel:
        text = excel.group(1)
    return text.replace(".", "").replace("x", "X").replace("*", "X")


def _clean_unicode(text: str) -> str:
    text = _clean(text, drop_dots=False)
    excel = _EXCEL_NUMBER.fullmatch(text)
    if excel:
        text = excel.group(1)
    return _clean(text, drop_dots=True)


def _clean(text: str, *, drop_dots: bool) -> str:
    """NFKC 加去噪，反复做到不再变化（删字符后 NFKC 可能再合成，故需迭代）。"""
    for _ in range(10):
        cleaned = "".join(
            _X_LIKE.get(ch, ch)
            for ch in unicodedata.normalize("NFKC", text)
            if not _is_noise(ch, drop_dots)
        )
        if cleaned == text:
            break
        text = cleaned
    return text


def _is_noise(ch: str, drop_dots: bool) -> bool:
    if ch == ".":
        return drop_dots
    return ch in _NOISE or is_invisible(ch) or unicodedata.category(ch) in _NOISE_CATEGORIES


def _restore_length(text: str) -> str:
    if not _DIGITS.fullmatch(text):
        return text
    if len(text) == 17 and check_digit(text) == "X":
        return text + "X"
    if len(text) == 15 and _legacy_date_ok(text):
        return convert_15_to_18(text)
    return text


def _legacy_date_ok(s15: str) -> bool:
    try:
        date(1900 + int(s15[6:8]), int(s15[8:10]), int(s15[10:12]))
    except ValueError:
        return False
    return True


def convert_15_to_18(s15: str) -> str:
    """15 位旧号码（出生年份只有两位，均为 19xx）升为 18 位：插入 "19"，补校验码。"""
    if len(s15) != 15:
        raise InvalidIdNumber(IdNumberProblem.LENGTH)
    if not _DIGITS.fullmatch(s15):
        raise InvalidIdNumber(IdNumberProblem.FORMAT)
    if not _legacy_date_ok(s15):
        raise InvalidIdNumber(IdNumberProblem.BIRTH_DATE)
    first17 = s15[:6] + "19" + s15[6:]
    return first17 + check_digit(first17)


# ---------------------------------------------------------------- 近似纠错


def near_misses(s: str, *, today: date | None = None) -> tuple[str, ...]:
    """录错一位（任一位换成 0–9，末位还可换成 X）或相邻两位颠倒时，可能本来是的合格号码。

    s 应是清洗后的 18 位字符串；合格号码或长度不对时返回 ()。结果排序、去重。
    MOD 11-2 能查出全部单字符错误和相邻换位，所以每种改法至多一个值能通过校验。
    """
    if not isinstance(s, str) or len(s) != 18:
        return ()
    values = _position_values(s)
    today = today or date.today()
    if values is None:
        found = {c for c in _brute_force_candidates(s) if is_valid_id_number(c, today=today)}
    else:
        found = set(_checksum_candidates(s, values, today))
    return tuple(sorted(found))


def _position_values(s: str) -> list[int] | None:
    """各位的数值（X 仅末位可为 10）；有任何不合格字符时为 None。"""
    if not _CANONICAL.fullmatch(s):
        return None
    return [_VALUE_OF[c] for c in s]


def _checksum_candidates(s: str, values: list[int], today: date) -> list[str]:
    """解出能让校验和成立的每一种改法（每个位置至多一个），再只复查被改动的字段。"""
    need = (1 - sum(w * v for w, v in zip(ID_WEIGHTS, values, strict=True))) % 11
    if need == 0:
        return []  # 校验和已成立：任何单字符替换或换位都会破坏它
    base = (s[:2] in province_prefixes(), _birth_date_ok(s[6:14], today))
    found = []
    for i, (value, inverse) in enumerate(zip(values, _INVERSES, strict=True)):
        new = (value + need * inverse) % 11
        if new < 10 or i == 17:
            found.append((s[:i] + _VALUE_CHARS[new] + s[i + 1 :], i, i))
    for i in range(17):
        a, b = values[i], values[i + 1]
        if a != b and b != 10 and (ID_WEIGHTS[i] - ID_WEIGHTS[i + 1]) * (b - a) % 11 == need:
            found.append((s[:i] + s[i + 1] + s[i] + s[i + 2 :], i, i + 1))
    return [c for c, first, last in found if _fields_ok(c, first, last, base, today)]


def _fields_ok(c: str, first: int, last: int, base: tuple[bool, bool], today: date) -> bool:
    """只改了第 first–last 位：未触及的省级代码、出生日期沿用原串的检查结果。"""
    province_ok = c[:2] in province_prefixes() if first < 2 else base[0]
    date_ok = _birth_date_ok(c[6:14], today) if first <= 13 and last >= 6 else base[1]
    return province_ok and date_ok


def _brute_force_candidates(s: str) -> list[str]:
    """含非数字字符（如字母 O、中间的 X）时的慢路径：只有一处坏字符才可能一步修好。"""
    bad = [i for i, c in enumerate(s) if not ("0" <= c <= "9" or (c == "X" and i == 17))]
    found = [s[:i] + s[i + 1] + s[i] + s[i + 2 :] for i in range(17)]
    if len(bad) == 1:
        i = bad[0]
        alphabet = _VALUE_CHARS if i == 17 else _VALUE_CHARS[:10]
        found.extend(s[:i] + c + s[i + 1 :] for c in alphabet)
    return found


# ---------------------------------------------------------------- 合成与脱敏


def id_number_generate(*, division_code: str, birth_date: date, sequence: int, gender: str) -> str:
    """为合成数据生成一个合格号码。

    方案：第 15–16 位 = sequence（0–99，两位补零）；第 17 位 = 2 × (sequence mod 5) + 性别位
    （男 1、女 0），奇偶表示性别，数值随 sequence 变化使数据更像真的；第 18 位为校验码。
    同一区划、同一生日下，不同的 (sequence, gender) 得到不同号码。
    """
    if not (len(division_code) == 6 and _DIGITS.fullmatch(division_code)):
        raise InvalidInput("区划代码应为6位数字")
    if division_code[:2] not in province_prefixes():
        raise InvalidInput("区划代码的前两位不是有效的省级代码")
    if not _EARLIEST_BIRTH <= birth_date <= date.today():
        raise InvalidInput("出生日期应在1900-01-01至今天之间")
    if not 0 <= sequence <= 99:
        raise InvalidInput("顺序号应在0至99之间")
    if gender not in ("M", "F"):
        raise InvalidInput("性别应为M或F")
    gender_digit = 2 * (sequence % 5) + (1 if gender == "M" else 0)
    first17 = f"{division_code}{birth_date:%Y%m%d}{sequence:02d}{gender_digit}"
    return first17 + check_digit(first17)


def mask_id_number(s: str) -> str:
    """脱敏显示：18 位为前 6 位 + 8 个 * + 后 4 位（如 150802********0021）。

    其他长度只留安全的前缀（够长时留 6 位区划代码，否则 2 位省级代码或不留），
    其余全部打 *，绝不露出出生日期。先按 normalize_id_number 清洗。
    """
    n = normalize_id_number(s)
    if len(n) == 18:
        return n[:6] + "*" * 8 + n[14:]
    keep = 6 if len(n) >= 14 else 2 if len(n) >= 8 else 0
    return n[:keep] + "*" * (len(n) - keep)
