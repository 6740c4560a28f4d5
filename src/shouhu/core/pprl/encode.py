"""带密钥的布隆过滤器编码（CLK，Schnell 等 2009）、分块键和身份证号键。

每个词元用 HMAC-SM3(clk 子密钥, 字段标签 ‖ 词元) 决定置哪 k 位；不同的值只算一次（姓名、日期
重复极多，百万条记录只有几十万个不同姓名），所以编码的耗时主要在切词元，不在哈希。
位数组按 uint64 打包（n × bits/64），Dice 系数用 numpy 的 bitwise_count 求。
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from shouhu.core.identity import NAME_DOT, name_syllables_by_char, normalize_name
from shouhu.core.pprl.ids import IdKeys, ids_encode
from shouhu.core.pprl.keys import LinkageKey, keyed_digest, keyed_u64
from shouhu.core.pprl.schema import BlockPart, BlockSpec, FieldSpec, Schema, Tokenizer

U64 = NDArray[np.uint64]
_CHUNK = 32768
_SPACES = re.compile(r"\s+")
_NOT_DIGIT = re.compile(r"[^0-9]")


@dataclass(frozen=True, slots=True)
class Encoded:
    clk: U64  # (n, words)
    blocks: U64  # (n, 分块键种数)，0 为不进该分块
    ids: IdKeys

    def __len__(self) -> int:
        return int(self.clk.shape[0])


# ------------------------------------------------------------------ 词元


def _bigrams(text: str) -> list[str]:
    padded = f"^{text}$"
    return [padded[i : i + 2] for i in range(len(padded) - 1)]


def _name_core(value: str) -> str:
    return normalize_name(value).replace(NAME_DOT, "").casefold()


def _tok_name_chars(value: str) -> list[str]:
    core = _name_core(value)
    return _bigrams(core) if core else []


def _tok_name_pinyin(value: str) -> list[str]:
    syllables = name_syllables_by_char(normalize_name(value))
    if not syllables:
        return []
    return [f"s{s}" for s in syllables] + _bigrams("".join(syllables))


def _tok_text(value: str) -> list[str]:
    text = _SPACES.sub(" ", value.strip().casefold())
    return _bigrams(text) if text else []


def _date_digits(value: str) -> str:
    digits = _NOT_DIGIT.sub("", value)
    return digits if len(digits) == 8 else ""


def _tok_date(value: str) -> list[str]:
    d = _date_digits(value)
    if not d:
        return [f"t{t}" for t in _tok_text(value)]
    # 整个日期记四个词元（权重是年、月、日各自的四倍）：错了年、月、日中任何一处，都比姓名里
    # 错一个同音字丢的位多——常见姓名同名极多，生日错了就分不清是不是另一个人。
    return [f"y{d[:4]}", f"m{d[4:6]}", f"d{d[6:]}", *(f"f{i}{d}" for i in range(4))]


def _tok_positional(value: str) -> list[str]:
    text = value.strip().casefold()
    return [f"{i}:{c}" for i, c in enumerate(text)]


def _tok_exact(value: str) -> list[str]:
    text = value.strip().casefold()
    return [text] if text else []


TOKENIZERS: Mapping[Tokenizer, Callable[[str], list[str]]] = {
    Tokenizer.NAME_CHARS: _tok_name_chars,
    Tokenizer.NAME_PINYIN: _tok_name_pinyin,
    Tokenizer.TEXT: _tok_text,
    Tokenizer.DATE: _tok_date,
    Tokenizer.POSITIONAL: _tok_positional,
    Tokenizer.EXACT: _tok_exact,
}


# ------------------------------------------------------------------ CLK


def _position_bytes(key: bytes, label: bytes, token: str, k: int) -> bytes:
    """词元的 k 个位置的原料：HMAC-SM3 的输出按 2 字节一个位置，不够再加计数器续算。"""
    blocks = -(-k // 16)
    data = token.encode()
    return b"".join(keyed_digest(key, label + bytes([c]) + data) for c in range(blocks))[: 2 * k]


def _intern(values: Sequence[str]) -> tuple[list[str], NDArray[np.int64]]:
    index: dict[str, int] = {}
    inverse = [index.setdefault(v, len(index)) for v in values]
    return list(index), np.asarray(inverse, dtype=np.int64)


def _field_bits(distinct: list[str], spec: FieldSpec, n: int, key: bytes, lanes: Lanes) -> U64:
    """每个不同的值一行位数组。先把值切成词元编号，同一词元只做一次 HMAC，再整块置位。

    spec.budget > 0 时该字段总共置约 budget 位，平均分给它的各个词元（长短不同的值权重相同）；
    否则每个词元置 spec.k 位。过滤器的第 p 位写到输出的 lanes.at[p] 各位（见 _lanes）。
    """
    tokenize = TOKENIZERS[spec.tokenizer]
    token_ids: dict[str, int] = {}
    flat: list[int] = []
    lengths: list[int] = []
    for value in distinct:
        tokens = tokenize(value)
        flat.extend(token_ids.setdefault(t, len(token_ids)) for t in tokens)
        lengths.append(len(tokens))
    counts = np.asarray(lengths, dtype=np.int64)
    if spec.budget:
        per_token = -(-spec.budget // np.maximum(counts, 1))  # 向上取整
    else:
        per_token = np.full(len(distinct), spec.k, dtype=np.int64)
    widest = int(per_token.max()) if len(distinct) else 0
    label = f"{spec.group or n}:{spec.tokenizer}:".encode()
    raw = b"".join(_position_bytes(key, label, t, widest) for t in token_ids)
    positions = np.frombuffer(raw, dtype="<u2").astype(np.int64) % len(lanes.at)
    table = positions.reshape(len(token_ids), widest)
    owner = np.repeat(np.arange(len(distinct), dtype=np.int64), counts)
    tokens_of = np.asarray(flat, dtype=np.int64)
    out = np.zeros((len(distinct), lanes.width // 64), dtype=np.uint64)
    for start in range(0, len(distinct), _CHUNK):
        lo, hi = np.searchsorted(owner, [start, start + _CHUNK])
        dense = np.zeros((min(_CHUNK, len(distinct) - start), lanes.width), dtype=np.bool_)
        take = per_token[owner[lo:hi]]
        rows = np.repeat(owner[lo:hi] - start, take)
        first = np.repeat(tokens_of[lo:hi] * widest - np.cumsum(take) + take, take)
        dense[rows[:, None], lanes.at[table.ravel()[first + np.arange(len(rows))]]] = True
        packed = np.packbits(dense, axis=1, bitorder="little")
        out[start : start + len(dense)] = packed.view("<u8").astype(np.uint64)
    return out


@dataclass(frozen=True, slots=True)
class Lanes:
    """过滤器的每一位写到输出的哪几位：at 为 (bits, m) 的位置表，width 为输出位数。"""

    at: NDArray[np.int64]
    width: int
    flip: U64 | None = None  # 最后与每行异或的常数行（平衡时为 [0 ‖ 全 1] 置换后的样子）


def _lanes(schema: Schema, key: LinkageKey) -> Lanes:
    """平衡时不先编原过滤器再逐位置换（百万行 × 2048 位的逐位搬运，耗时是编码本身的一倍多），
    而在每个不同的值上直接写到置换后的位置：置换对“或”和“异或”都是线性的，所以
    置换([c ‖ ¬c]) = 置换([c ‖ c]) ⊕ 置换([0 ‖ 全 1])，而 置换([c ‖ c]) 是各字段各自置换后的“或”。
    原过滤器第 p 位同时写到 [c ‖ c] 的第 p 位和第 bits+p 位置换后的位置。
    结果与 balance_bits 逐位相同。"""
    bits = schema.bits
    if not schema.balanced:
        return Lanes(np.arange(bits, dtype=np.int64)[:, None], bits)
    perm = balance_permutation(key, 2 * bits)
    inverse = np.argsort(perm).astype(np.int64)  # 原第 i 位在置换后的位置
    flip = np.packbits(perm >= bits, bitorder="little").view("<u8").astype(np.uint64)
    return Lanes(np.stack([inverse[:bits], inverse[bits:]], axis=1), 2 * bits, flip)


def clk_encode(columns: Mapping[str, Sequence[str]], schema: Schema, key: LinkageKey) -> U64:
    """按方案把各列编码成一条记录一个位数组（所有字段合在一个布隆过滤器里）；方案平衡时即为
    过滤器连同反码按密钥置换的结果（与 balance_bits 相同，算法见 _lanes）。同一列的几个字段先在
    不同的值上合并，每列只按行展开一次。"""
    lanes = _lanes(schema, key)
    clk = np.zeros((_row_count(columns), schema.words), dtype=np.uint64)
    numbered = list(enumerate(schema.fields))
    for column in dict.fromkeys(spec.column for spec in schema.fields):
        distinct, inverse = _intern(columns[column])
        merged = np.zeros((len(distinct), schema.words), dtype=np.uint64)
        for number, spec in numbered:
            if spec.column == column:
                merged |= _field_bits(distinct, spec, number, key.clk_key, lanes)
        clk |= merged[inverse]
    if lanes.flip is not None:
        clk ^= lanes.flip
    return clk


def balance_permutation(key: LinkageKey, width: int) -> NDArray[np.int64]:
    """2×bits 个位置的带密钥置换：按 HMAC-SM3(置换子密钥, 位置) 排序。"""
    marks = [keyed_u64(key.permute_key, i.to_bytes(4, "little")) for i in range(width)]
    return np.argsort(np.asarray(marks, dtype=np.uint64), kind="stable").astype(np.int64)


def balance_bits(clk: U64, key: LinkageKey) -> U64:
    """平衡布隆过滤器的定义：[过滤器 ‖ 反码] 按带密钥的置换打乱，每行恰有原位数个 1。clk_encode
    不走这条逐位搬运的路（慢），测试用它核对 clk_encode 的平衡编码逐位相同。"""
    width = clk.shape[1] * 128
    perm = balance_permutation(key, width)
    out = np.empty((clk.shape[0], width // 64), dtype=np.uint64)
    for start in range(0, clk.shape[0], _CHUNK):
        part = clk[start : start + _CHUNK]
        doubled = np.concatenate([part, ~part], axis=1)
        bits = np.unpackbits(doubled.view(np.uint8), axis=1, bitorder="little")
        packed = np.ascontiguousarray(np.packbits(bits[:, perm], axis=1, bitorder="little"))
        out[start : start + len(part)] = packed.view("<u8").astype(np.uint64)
    return out


def _row_count(columns: Mapping[str, Sequence[str]]) -> int:
    lengths = {len(v) for v in columns.values()}
    if len(lengths) != 1:
        raise ValueError("各列行数不一致")
    return lengths.pop()


# ------------------------------------------------------------------ 分块键


def _block_part(value: str, part: BlockPart) -> str:
    if part is BlockPart.PINYIN:
        return "".join(name_syllables_by_char(normalize_name(value)))
    if part is BlockPart.YEAR:
        return _date_digits(value)[:4]
    if part is BlockPart.MONTH_DAY:
        return _date_digits(value)[4:]
    if part is BlockPart.PREFIX3:
        return value.strip().casefold()[:3]
    return value.strip().casefold()


def _part_prf(values: Sequence[str], part: BlockPart, label: bytes, key: bytes) -> U64:
    """一个部分的带密钥伪随机值（每个不同的值一次 HMAC）；空值得 0。"""
    distinct, inverse = _intern(values)
    prf = [0 if not (p := _block_part(v, part)) else keyed_u64(key, label + p.encode())
           for v in distinct]  # fmt: skip
    return np.asarray(prf, dtype=np.uint64)[inverse] if distinct else np.zeros(0, np.uint64)


def _mix(x: U64) -> U64:
    """splitmix64 的终混函数：把几个部分的伪随机值非线性地合成一个键（不留异或关系）。"""
    with np.errstate(over="ignore"):
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def _block_column(columns: Mapping[str, Sequence[str]], spec: BlockSpec, key: bytes) -> U64:
    """分块键 = 各部分带密钥伪随机值依次混合；任一部分为空则为 0（不进这一分块）。

    按部分而不是按整个组合做 HMAC：“拼音键 + 出生年份”的组合几乎人人不同，部分却重复极多。
    """
    n = _row_count(columns)
    acc = np.zeros(n, dtype=np.uint64)
    present = np.ones(n, dtype=np.bool_)
    for number, (column, part) in enumerate(spec.parts):
        label = f"{spec.name}:{number}:{part}\x00".encode()
        prf = _part_prf(columns[column], part, label, key)
        present &= prf != 0
        with np.errstate(over="ignore"):
            acc = _mix(acc + prf)
    return np.where(present, acc | np.uint64(1), np.uint64(0))


def blocks_encode(columns: Mapping[str, Sequence[str]], schema: Schema, key: LinkageKey) -> U64:
    """每种分块键一列（n × 分块键种数）。"""
    parts = [_block_column(columns, spec, key.block_key) for spec in schema.blocks]
    if not parts:
        return np.zeros((_row_count(columns), 0), dtype=np.uint64)
    return np.stack(parts, axis=1).astype(np.uint64)


def encode(
    columns: Mapping[str, Sequence[str]],
    schema: Schema,
    key: LinkageKey,
    *,
    id_column: str | None = None,
) -> Encoded:
    """一张表 → 编码。id_column 给出时另算身份证号键（该列不进布隆过滤器）。"""
    clk = clk_encode(columns, schema, key)
    ids = ids_encode(columns[id_column], key) if id_column else ids_encode([], key)
    return Encoded(clk=clk, blocks=blocks_encode(columns, schema, key), ids=ids)
