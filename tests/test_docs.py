"""每一处出处引用都找得到：代码、数据、模板和文档里的 `<键> §…`、docs/ 路径和链接、参数文件的
seed、数据目录的 sources，以及规则运行时给出的条款。docs/sources.md 与 sources.toml 一致。"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from shouhu.core.policy.rules import ruleset
from shouhu.core.policy.visits import VISIT_CLAUSE
from shouhu.core.policy.vocabulary import FACT_CLAUSES
from shouhu.core.sources import (
    CITATION,
    UnknownCitation,
    documents,
    generated_part,
    parse_citation,
    sources_markdown,
)

ROOT = Path(__file__).resolve().parents[1]
SCANNED = (ROOT / "src", ROOT / "docs", ROOT / "README.md")
SUFFIXES = frozenset({".py", ".toml", ".html", ".md", ".txt"})
# 还没改写的引用：键 → 应改成的键。改完即删；lead 会清空这张表。
ALLOWED_UNKNOWN_KEYS = {
    # catalog/codelists.toml 的注释、catalog/items/*.toml 第1—2行的注释
    "zhangqiu": "zhangqiu-2022-work-plan",
}
_NEW_REF = re.compile(r"(?<![\w./-])(?=(?:[a-z][a-z0-9-]*|docs/[\w./-]+\.md)\s?(?:§|附件\d))")
_DOCS_PATH = re.compile(r"(?<![\w./-])docs/(?:[\w-]+/)*[\w-]*(?:\.[a-z]+)?")
_LINK = re.compile(r"\]\(([^)\s#]+)(?:#[^)]*)?\)")
_HEADING = re.compile(r"^#{1,6}\s+(\d+(?:\.\d+)*)[.\s]", re.MULTILINE)
_NO_LONGER_HERE = ("seeds/", "policy.md", "assess-format.md", "compare-format.md", "/work/shared")


def _files() -> Iterator[Path]:
    for root in SCANNED:
        paths = [root] if root.is_file() else sorted(root.rglob("*"))
        yield from (p for p in paths if p.suffix in SUFFIXES and "__pycache__" not in p.parts)


def _sections(path: str) -> set[str]:
    return set(_HEADING.findall((ROOT / path).read_text(encoding="utf-8")))


def citation_problems(citation: str) -> list[str]:
    """一条引用的问题：未知的文件、写法不对、条款不存在、项目文件或其小节不存在。"""
    try:
        cited = parse_citation(citation)
    except UnknownCitation as error:
        return [str(error)]
    problems = []
    for c in cited:
        doc = c.document
        if doc.path is not None and not (ROOT / doc.path).is_file():
            problems.append(f"{doc.path} 不存在")
        elif doc.path is not None and c.clause and c.clause not in _sections(doc.path):
            problems.append(f"{doc.path} 没有第 {c.clause} 节")
        elif doc.path is None and c.clause and not doc.has_clause(c.clause):
            problems.append(f"{doc.key} 没有条款 {c.clause}（见 sources.toml 的 clauses）")
    return problems


def text_problems(path: Path, text: str) -> list[str]:
    """一个文件里的全部问题，每条写明文件和行号。"""
    out = []
    for line_no, line in enumerate(text.splitlines(), 1):
        where = f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}:{line_no}"
        for span in CITATION.finditer(line):
            for piece in _NEW_REF.split(span.group()):
                piece = piece.strip(" 、—–")
                key = re.match(r"[a-z][a-z0-9-]*", piece)
                if piece and not (key and key.group() in ALLOWED_UNKNOWN_KEYS):
                    out += [f"{where}：{piece}：{p}" for p in citation_problems(piece)]
        for ref in _DOCS_PATH.findall(line):
            if not (ROOT / ref).exists():
                out.append(f"{where}：{ref} 不存在")
        if path.suffix == ".md":
            out += [f"{where}：链接 {t} 不存在" for t in _LINK.findall(line) if _broken(path, t)]
        out += [f"{where}：引用了仓库外的 {o}" for o in _NO_LONGER_HERE if o in line]
    return out


def _broken(path: Path, target: str) -> bool:
    return (
        "://" not in target
        and not target.startswith("mailto:")
        and not ((path.parent / target).exists())
    )


def test_every_citation_in_code_data_and_docs_resolves() -> None:
    problems = [p for f in _files() for p in text_problems(f, f.read_text(encoding="utf-8"))]
    assert problems == []


def test_the_check_finds_an_unknown_key_a_missing_clause_and_a_missing_file(
    tmp_path: Path,
) -> None:
    planted = tmp_path / "planted.md"
    text = (
        "见 nosuchdoc §3(一)。\n"
        "见 bayannur §3(二)2(9) 与 policy §11。\n"
        "见 docs/formats/nosuch.md 和 [这里](nosuch.md)。\n"
        "见 sixian-2020-notice §2(一)1。\n"
    )
    problems = text_problems(planted, text)
    assert len(problems) == 6, problems
    assert "nosuchdoc" in problems[0]
    assert "sixian-2020-notice" in problems[-1]


def test_allowed_unknown_keys_are_still_used() -> None:
    """allow-list 里的键改完就删：不再出现的键让这个测试失败。"""
    text = "\n".join(f.read_text(encoding="utf-8") for f in _files())
    unused = [k for k in ALLOWED_UNKNOWN_KEYS if not re.search(rf"(?<![\w-]){k}\s?§", text)]
    assert unused == []


def _toml_values(data: object, key: str) -> Iterator[object]:
    if isinstance(data, dict):
        for k, v in data.items():
            if k == key:
                yield v
            yield from _toml_values(v, key)
    elif isinstance(data, list):
        for v in data:
            yield from _toml_values(v, key)


def _tomls(folder: str) -> list[tuple[Path, dict[str, object]]]:
    paths = sorted((ROOT / "src/shouhu/core" / folder).glob("*.toml"))
    return [(p, tomllib.loads(p.read_text(encoding="utf-8"))) for p in paths]


@pytest.mark.parametrize("folder", ["policy/params", "catalog/items", "catalog/regions"])
def test_every_seed_and_sources_entry_resolves(folder: str) -> None:
    problems = []
    for path, data in _tomls(folder):
        for seed in _toml_values(data, "seed"):
            problems += [f"{path.name}：seed {seed!r}：{p}" for p in citation_problems(str(seed))]
        for sources in _toml_values(data, "sources"):
            if isinstance(sources, list):
                for s in sources:
                    problems += [f"{path.name}：{s!r}：{p}" for p in citation_problems(str(s))]
    assert problems == []


def test_every_params_source_names_a_document_and_its_clauses_exist() -> None:
    """参数文件：每个 [sources.X] 有 seed（出处的键）；条目的 clause 以 § 开头的，该条款存在。"""
    problems = []
    for path, data in _tomls("policy/params"):
        declared = data.get("sources", {})
        assert isinstance(declared, dict)
        seeds = {name: body.get("seed") for name, body in declared.items()}
        problems += [f"{path.name}：sources.{n} 没有 seed" for n, s in seeds.items() if not s]
        for entry in _with_clause(data):
            clause = re.match(r"§\s?([^\s（(“]+(?:\([^)]*\)[^\s（(“]*)*)", str(entry["clause"]))
            if clause and seeds.get(str(entry.get("source"))):
                cited = f"{seeds[str(entry['source'])]} §{clause.group(1)}"
                problems += [f"{path.name}：{cited}：{p}" for p in citation_problems(cited)]
    assert problems == []


def _with_clause(data: object) -> Iterator[dict[str, object]]:
    if isinstance(data, dict):
        if "clause" in data:
            yield data
        for v in data.values():
            yield from _with_clause(v)
    elif isinstance(data, list):
        for v in data:
            yield from _with_clause(v)


def test_every_clause_the_rules_give_resolves() -> None:
    """运行时的条款：每个原因的 clause、各事实类型的条款、探访的条款。"""
    clauses = {r.clause for r in ruleset().reasons} | set(FACT_CLAUSES.values()) | {VISIT_CLAUSE}
    problems = {c: citation_problems(c) for c in clauses}
    assert {c: p for c, p in problems.items() if p} == {}


def test_every_project_document_is_in_the_repository() -> None:
    paths = [d.path for d in documents().values() if d.path is not None]
    assert paths
    assert [p for p in paths if not (ROOT / p).is_file()] == []


def test_sources_page_is_generated_from_the_data() -> None:
    committed = (ROOT / "docs/sources.md").read_text(encoding="utf-8")
    assert generated_part(committed) == sources_markdown(), (
        "docs/sources.md 与 src/shouhu/core/sources.toml 不一致；重新生成："
        "PYTHONPATH=src python -m shouhu.core.sources docs/sources.md"
    )


def test_rules_keep_the_section_numbers_of_the_spec() -> None:
    """docs/rules.md 的节号与规格一致：§1–§10，§4 的十步为 4.1–4.10。"""
    sections = _sections("docs/rules.md")
    expected = {str(n) for n in range(1, 11)} | {f"4.{n}" for n in range(1, 11)}
    assert expected <= sections
