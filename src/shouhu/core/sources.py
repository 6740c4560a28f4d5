"""出处：代码、数据和文档引用的文件（sources.toml），以及把条款引用写成给人看的文字。

引用的写法（docs/sources.md）：`<键> §<条款>`，如 `bayannur §3(二)2(5)`、`policy §4.6`；
同一文件的几条用“、”连写（`bayannur §3(一)、§3(二)1(2)`），不同文件用“；”分开；附件写
`bayannur 附件1`；本项目的文件也可以用路径（`docs/rules.md §4`）。界面显示
`clause_label(引用)`，引用本身只放在 title 属性里给技术支持看。
"""

from __future__ import annotations

import re
import sys
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Final

NOT_STATED: Final = "未载明"
_CN_DIGITS: Final = "零一二三四五六七八九"
_KEY = r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*"
_PATH = r"docs/[A-Za-z0-9_./-]+\.md"
_SECTION = r"\d+(?:\.\d+)?"
_CLAUSE = r"\d+(?:\.\d+)?(?:\([一二三四五六七八九十]+\)(?:\d+(?:\(\d+\))*)?)?"
_ANNEX = r"附件\d+"
# 一条引用里的一段：文件（键或路径，可省，省略时沿用前一段的文件）加条款或附件（可省）
_PART: Final = re.compile(
    rf"(?:(?P<ref>{_KEY}|{_PATH})\s*)?(?:§\s*(?P<clause>{_CLAUSE})|(?P<annex>{_ANNEX}))?"
)
_TEXT_FIELDS: Final = ("title", "issuer", "number", "issued_note", "address", "note", "path")
_FIELDS: Final = frozenset({*_TEXT_FIELDS, "issued", "clauses"})
_SEPARATOR: Final = re.compile(r"\s*([；;、—–])\s*")
_SEED_CLAUSE: Final = re.compile(
    r"(?P<top>\d+)(?:\((?P<cn>[一二三四五六七八九十]+)\)(?:(?P<item>\d+)(?P<subs>(?:\(\d+\))*))?)?"
)
# 在一段文字里找引用：键或路径，后跟条款或附件；同一文件的后续条款用“、”或“—”连写
CITATION: Final = re.compile(
    rf"(?<![\w./-])(?:{_KEY}|{_PATH})\s?(?:§\s?{_CLAUSE}|{_ANNEX})"
    rf"(?:\s?[、—–]\s?(?:(?:{_KEY}|{_PATH})\s?)?(?:§\s?{_CLAUSE}|{_ANNEX}))*"
)


class UnknownCitation(ValueError):
    """引用了 sources.toml 里没有的文件，或条款写法不对。这是代码或数据的错误，不是用户输入错误。"""


@dataclass(frozen=True, slots=True)
class Document:
    key: str
    title: str
    issuer: str
    number: str | None = None
    issued: date | None = None
    issued_note: str | None = None
    address: str | None = None
    note: str = ""
    path: str | None = None  # 本项目自己的文件
    clauses: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """《标题》；标题里的书名号改为〈〉（书名号套用的写法）。"""
        return "《" + self.title.replace("《", "〈").replace("》", "〉") + "》"

    def has_clause(self, clause: str) -> bool:
        """政府文件：条款（或其上级）在 clauses 里。项目文件的小节由 tests/test_docs.py 查。"""
        valid = _prefixes(self.clauses)
        return all(leaf in valid for leaf in _leaves(clause))


@dataclass(frozen=True, slots=True)
class Cited:
    """引用里的一段：哪个文件、哪一条（None 即整个文件）。"""

    document: Document
    clause: str | None


@cache
def documents() -> Mapping[str, Document]:
    """键 → 文件，按 sources.toml 的顺序。"""
    text = resources.files("shouhu.core").joinpath("sources.toml").read_text(encoding="utf-8")
    raw = tomllib.loads(text)
    return MappingProxyType({key: _document(key, body) for key, body in raw.items()})


def _document(key: str, body: dict[str, object]) -> Document:
    where = f"sources.toml：[{key}]"
    unknown = set(body) - _FIELDS
    if unknown:
        raise UnknownCitation(f"{where} 有未知的键 {sorted(unknown)}")
    issued, clauses = body.get("issued"), body.get("clauses", [])
    if issued is not None and not isinstance(issued, date):
        raise UnknownCitation(f"{where}.issued 应为日期")
    if not isinstance(clauses, list):
        raise UnknownCitation(f"{where}.clauses 应为列表")
    text = {name: _text(where, body, name) for name in _TEXT_FIELDS}
    title, issuer = text.pop("title"), text.pop("issuer")
    if title is None or issuer is None:
        raise UnknownCitation(f"{where} 缺少 title 或 issuer")
    return Document(
        key=key,
        title=title,
        issuer=issuer,
        number=text["number"],
        issued=issued,
        issued_note=text["issued_note"],
        address=text["address"],
        note=text["note"] or "",
        path=text["path"],
        clauses=tuple(str(c) for c in clauses),
    )


def _text(where: str, body: dict[str, object], name: str) -> str | None:
    value = body.get(name)
    if value is not None and not (isinstance(value, str) and value):
        raise UnknownCitation(f"{where}.{name} 应为非空字符串")
    return value


def document(ref: str) -> Document:
    """按键（bayannur）或项目文件的路径（docs/rules.md）取文件；没有即 UnknownCitation。"""
    docs = documents()
    if ref in docs:
        return docs[ref]
    for doc in docs.values():
        if doc.path == ref:
            return doc
    raise UnknownCitation(f"未知的出处 {ref!r}：应为 sources.toml 里的键或项目文件路径")


def parse_citation(citation: str) -> tuple[Cited, ...]:
    """`policy §4.6；bayannur §3(二)2(6)` → 每段的文件和条款。

    文件未知或写法不对即 UnknownCitation；条款是否存在见 `Document.has_clause`。
    """
    return tuple(cited for cited, _ in _parts(citation))


def _parts(citation: str) -> list[tuple[Cited, str]]:
    """每段的 (文件和条款, 该段之前的分隔符)。"""
    pieces = _SEPARATOR.split(citation.strip())
    out: list[tuple[Cited, str]] = []
    current: Document | None = None
    for index in range(0, len(pieces), 2):
        separator = pieces[index - 1] if index else ""
        match = _PART.fullmatch(pieces[index])
        if not pieces[index] or match is None:
            raise UnknownCitation(f"引用写法不对：{citation!r}")
        ref, clause = match["ref"], match["clause"] or match["annex"]
        if ref is not None:
            current = document(ref)
        if current is None:
            raise UnknownCitation(f"引用没有指明文件：{citation!r}")
        if clause is not None and current.path is not None and not re.fullmatch(_SECTION, clause):
            raise UnknownCitation(f"项目文件的小节应为数字（如 §4.6）：{citation!r}")
        out.append((Cited(current, clause), separator))
    return out


def clause_label(citation: str) -> str:
    """给人看的出处：`bayannur §3(二)2(5)` → 《关于建立……工作机制的通知》三（二）2（5）。

    同一文件连写的条款只写一次标题；`policy §4.1` → 《守护平台认定规则》第4.1节。
    """
    text, previous = [], None
    for cited, separator in _parts(citation):
        same = cited.document == previous and separator in ("、", "—", "–")
        text.append({";": "；"}.get(separator, separator))
        text.append(("" if same else cited.document.label) + _clause_text(cited))
        previous = cited.document
    return "".join(text)


def _clause_text(cited: Cited) -> str:
    clause = cited.clause
    if clause is None or clause.startswith("附件"):
        return clause or ""
    if cited.document.path is not None:
        return f"第{clause}节"
    match = _SEED_CLAUSE.fullmatch(clause)
    if match is None:
        raise UnknownCitation(f"条款写法不对：{cited.document.key} §{clause}")
    top = _chinese_number(int(match["top"]))
    if match["cn"] is None:
        return f"第{top}部分"
    subs = (match["subs"] or "").replace("(", "（").replace(")", "）")
    return f"{top}（{match['cn']}）{match['item'] or ''}{subs}"


def _chinese_number(n: int) -> str:
    """1–99 的中文数字：3 → 三，10 → 十，12 → 十二，20 → 二十。"""
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _CN_DIGITS[tens] + "十")
    tail = _CN_DIGITS[ones] if ones or not tens else ""
    return head + tail


def _leaves(clause: str) -> list[str]:
    """`3(二)2(1)(2)(7)` → 3(二)2(1)、3(二)2(2)、3(二)2(7)；其余原样。"""
    match = re.fullmatch(r"(?P<head>.*?\d)(?P<subs>(?:\(\d+\))+)", clause)
    if match is None:
        return [clause]
    return [match["head"] + sub for sub in re.findall(r"\(\d+\)", match["subs"])]


def _prefixes(clauses: tuple[str, ...]) -> frozenset[str]:
    """每个条款及其各级上级：3(二)2(5) → 3、3(二)、3(二)2、3(二)2(5)。"""
    out: set[str] = set()
    for clause in clauses:
        parts = re.findall(r"附件\d+|\d+|\([^)]+\)", clause)
        out.update("".join(parts[: i + 1]) for i in range(len(parts)))
    return frozenset(out)


# ---------------------------------------------------------------- docs/sources.md

BEGIN_GENERATED: Final = "<!-- 以下由 src/shouhu/core/sources.toml 生成，不要手改 -->"
END_GENERATED: Final = "<!-- 生成部分结束 -->"
_EXAMPLES: Final = (
    "bayannur §3(二)2(5)",
    "bayannur §3(一)、§3(二)1(2)",
    "bayannur 附件1",
    "policy §4.6；bayannur §3(二)2(6)",
    "docs/rules.md §5",
)


def sources_markdown() -> str:
    """docs/sources.md 里生成的部分（两个标记之间）：显示示例、政府文件、本项目的文件。"""
    docs = list(documents().values())
    lines = ["| 引用 | 界面显示为 |", "|---|---|"]
    lines += [f"| `{c}` | {clause_label(c)} |" for c in _EXAMPLES]
    lines += ["", "## 政府文件", ""]
    for doc in (d for d in docs if d.path is None):
        lines += _notice_lines(doc)
    lines += ["## 本项目的文件", "", "| 键 | 文件 | 标题 | 说明 |", "|---|---|---|---|"]
    lines += [
        f"| `{d.key}` | [`{d.path}`]({_link(d.path)}) | {d.label} | {_one_line(d.note)} |"
        for d in docs
        if d.path is not None
    ]
    return "\n".join(lines) + "\n"


def generated_part(markdown: str) -> str:
    """文档里两个标记之间的文字（不含标记所在行）；缺标记即 ValueError。"""
    _, begin, rest = markdown.partition(BEGIN_GENERATED + "\n")
    body, end, _ = rest.partition(END_GENERATED)
    if not begin or not end:
        raise ValueError("文档里缺少生成部分的起止标记")
    return body


def _notice_lines(doc: Document) -> list[str]:
    issued = NOT_STATED if doc.issued is None else _date_text(doc.issued)
    if doc.issued_note:
        issued += f"（{doc.issued_note}）"
    clauses = "、".join(f"`{c}`" if c.startswith("附件") else f"`§{c}`" for c in doc.clauses)
    return [
        f"### `{doc.key}` {doc.label}",
        "",
        f"- 发文机关：{doc.issuer}",
        f"- 文号：{doc.number or NOT_STATED}",
        f"- 日期：{issued}",
        f"- 公开地址：{doc.address or NOT_STATED}",
        f"- 可引用的条款：{clauses or '没有条款编号，只能整篇引用'}",
        "",
        _one_line(doc.note),
        "",
    ]


def _date_text(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _link(path: str) -> str:
    """从 docs/sources.md 指向项目文件的相对链接。"""
    return path.removeprefix("docs/")


def _rewrite(path: Path) -> None:
    """把文档里两个标记之间的部分换成 sources_markdown() 的结果。"""
    text = path.read_text(encoding="utf-8")
    old = generated_part(text)
    head, _, tail = text.partition(BEGIN_GENERATED + "\n" + old)
    path.write_text(head + BEGIN_GENERATED + "\n" + sources_markdown() + tail, encoding="utf-8")


if __name__ == "__main__":
    # PYTHONPATH=src python -m shouhu.core.sources docs/sources.md
    _rewrite(Path(sys.argv[1]))
