"""行政区划入库：随包的国家标准表（县级及以上）整表同步，乡、村两级由系统管理员导入代码表。

代码表是 CSV 或 XLSX，两列：区划代码、名称（国家统计局统计用区划代码的下载件可直接用，12 位
补零的写法会还原）。读取沿用报送文件的读取器（编码、Excel、大小上限、逐格的中文错误）；
之后逐行检查层级、上级和辖区。有一行不合格，整份不入库；同一份再导入一次，什么也不改
（名称变了的改名）。每次导入写一条审计（只有计数和文件哈希）。

`shouhu synth` 编造的乡、村代码可以先做成同样的代码表（`region_code_list`），再照样导入。
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from shouhu.core.catalog.model import (
    TARGET_RECORD_ID,
    DataItem,
    FieldSpec,
    FieldType,
    Frequency,
    Sensitivity,
    ShareClass,
)
from shouhu.core.exchange import CellError, read_table
from shouhu.core.exchange.messages import cell_error
from shouhu.core.identity import division_level_of, division_table
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import Action, ObjectType
from shouhu.web.audit.services import audit_record
from shouhu.web.registry.models import Division, DivisionLevel

LEVEL_ORDER = [level.value for level in DivisionLevel]  # 上级在前
CODE_HEADER, NAME_HEADER = "区划代码", "名称"
NAME_MAX = 60
MAX_LISTED_ERRORS = 200

# 代码表当作一个“数据项”交给报送文件的读取器：区划代码作记录编号（重复的行因此被指出）。
CODE_LIST = DataItem(
    code="division_code_list",
    name="行政区划代码表",
    agency_type="civil_affairs",
    subject_role="person",
    description="乡、村两级行政区划代码和名称。",
    sources=(),
    fields=(
        FieldSpec(
            key="code",
            header=CODE_HEADER,
            type=FieldType.DIVISION_CODE,
            target=TARGET_RECORD_ID,
            required=True,
            aliases=("代码", "行政区划代码", "统计用区划代码", "区划", "code"),
            example="150802102201",
        ),
        FieldSpec(
            key="name",
            header=NAME_HEADER,
            type=FieldType.TEXT,
            required=True,
            max_length=NAME_MAX,
            aliases=("区划名称", "单位名称", "名字", "name"),
            example="一村",
        ),
    ),
    fact=None,
    sensitivity=Sensitivity.INTERNAL,
    share_class=ShareClass.OPEN,
    frequency=Frequency.ON_REQUEST,
    due_day=None,
    purposes=(),
)


# ---------------------------------------------------------------- 随包的表：整表同步


def _path_of(code: str, parent_code: str | None, paths: dict[str, str]) -> str:
    return f"{paths[parent_code] if parent_code else '/'}{code}/"


@transaction.atomic
def division_table_sync() -> int:
    """把随包的区划表（全国县级及以上和演示县的乡村）写进数据库：缺的补上、变了的更新，
    已导入的乡村不动。幂等；三千多行一次批量写入。返回表中的行数。"""
    rows = sorted(division_table(), key=lambda d: (LEVEL_ORDER.index(d.level), d.code))
    existing = {
        d.code: d
        for d in Division.objects.filter(code__in=[r.code for r in rows]).only(
            "code", "name", "level", "parent_id", "path", "synthetic"
        )
    }
    paths: dict[str, str] = {}
    created: list[Division] = []
    changed: list[Division] = []
    for row in rows:
        paths[row.code] = _path_of(row.code, row.parent_code, paths)
        wanted = Division(
            code=row.code,
            name=row.name,
            level=row.level,
            parent_id=row.parent_code,
            path=paths[row.code],
            synthetic=row.synthetic,
        )
        found = existing.get(row.code)
        if found is None:
            created.append(wanted)
        elif _fields(found) != _fields(wanted):
            changed.append(wanted)
    Division.objects.bulk_create(created, batch_size=1000)
    Division.objects.bulk_update(
        changed, ["name", "level", "parent", "path", "synthetic"], batch_size=500
    )
    return len(rows)


def _fields(division: Division) -> tuple[object, ...]:
    return (division.name, division.level, division.parent_id, division.path, division.synthetic)


# ---------------------------------------------------------------- 代码表导入


@dataclass(frozen=True)
class CodeRow:
    row: int  # 文件中的行号（表头为第 1 行）
    code: str  # 规范代码
    name: str


@dataclass
class DivisionImportResult:
    """一次导入的结果。errors 或 rejected_whole 不为空时什么也没有写入。"""

    rows_total: int = 0
    created: dict[str, int] = field(default_factory=dict)  # 层级 → 新增个数
    renamed: int = 0
    unchanged: int = 0
    errors: list[CellError] = field(default_factory=list)
    rejected_whole: str | None = None
    file_sha256: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors and self.rejected_whole is None

    @property
    def created_total(self) -> int:
        return sum(self.created.values())

    def summary(self) -> str:
        if self.rejected_whole:
            return self.rejected_whole
        if self.errors:
            return f"共 {self.rows_total} 行，其中 {len(self.errors)} 处错误，整份未导入。"
        parts = [f"{LEVEL_LABEL[level]} {n} 个" for level, n in self.created.items() if n]
        added = f"新增{'、'.join(parts)}" if parts else "没有新增"
        kept = f"改名 {self.renamed} 个，{self.unchanged} 个已有未改动"
        return f"共 {self.rows_total} 行：{added}，{kept}。"


LEVEL_LABEL = {
    "province": "省级",
    "city": "地级",
    "county": "县级（功能区）",
    "township": "乡镇（街道）",
    "village": "村（居）",
}


def division_import(
    *,
    ctx: RequestContext,
    data: bytes,
    filename: str,
    under: Division | None,
    synthetic: bool = False,
    actor: str = "",
) -> DivisionImportResult:
    """导入乡、村两级（及统计用功能区）的代码表；under 为导入人的辖区（命令行为 None：全国）。

    全部行合格才写入（一次事务）；写入时记一条审计。
    """
    read = read_table(data, filename=filename, item=CODE_LIST)
    result = DivisionImportResult(rows_total=read.rows_total, file_sha256=read.file_sha256)
    if read.rejected_whole is not None:
        result.rejected_whole = read.rejected_whole
        return result
    rows = [CodeRow(r.row, r.record_id, str(r.extra.get("name", "")).strip()) for r in read.records]
    plan = _plan(rows, filename=filename, under=under)
    result.errors = sorted(read.errors + plan.errors, key=lambda e: e.row)[:MAX_LISTED_ERRORS]
    if result.errors:
        return result
    with transaction.atomic():
        _write(plan, synthetic=synthetic)
        result.created = plan.created_by_level()
        result.renamed, result.unchanged = len(plan.renamed), plan.unchanged
        audit_record(
            ctx=ctx,
            action=Action.CREATE,
            object_type=ObjectType.DIVISION_IMPORT,
            object_id=under.code if under else "",
            detail={
                "file_sha256": read.file_sha256,
                "rows": read.rows_total,
                "created": result.created_total,
                "renamed": result.renamed,
                "synthetic": synthetic,
            },
            actor_username=actor,
        )
    return result


@dataclass
class _Plan:
    new: list[Division] = field(default_factory=list)
    renamed: list[Division] = field(default_factory=list)
    unchanged: int = 0
    errors: list[CellError] = field(default_factory=list)

    def created_by_level(self) -> dict[str, int]:
        counts = dict.fromkeys(LEVEL_ORDER, 0)
        for division in self.new:
            counts[division.level] += 1
        return {level: n for level, n in counts.items() if n}


def _plan(rows: list[CodeRow], *, filename: str, under: Division | None) -> _Plan:
    """逐行决定新增、改名或不动；上级可以是库里已有的，也可以是本文件里前面层级的行。"""
    plan = _Plan()
    codes = [r.code for r in rows]
    parents = {c[:6] for c in codes} | {c[:9] for c in codes} | {c[:4] + "00" for c in codes}
    known = {d.code: d for d in Division.objects.filter(code__in=set(codes) | parents).only(*_ONLY)}
    paths = {code: d.path for code, d in known.items()}
    ordered = sorted(rows, key=lambda r: (LEVEL_ORDER.index(division_level_of(r.code)), r.code))
    for row in ordered:
        problem = _row_problem(row, known, paths, under)
        if problem:
            plan.errors.append(_error(filename, row, problem))
            continue
        existing = known.get(row.code)
        if existing is not None:
            _keep_or_rename(plan, existing, row)
            continue
        parent = _parent_code(row.code, paths)
        assert parent is not None  # _row_problem checked it
        paths[row.code] = f"{paths[parent]}{row.code}/"
        plan.new.append(
            Division(
                code=row.code,
                name=row.name,
                level=division_level_of(row.code),
                parent_id=parent,
                path=paths[row.code],
            )
        )
    return plan


_ONLY = ("code", "name", "level", "path", "synthetic")


def _keep_or_rename(plan: _Plan, existing: Division, row: CodeRow) -> None:
    """已有的区划：县级及以上以国家标准表为准，不改；乡村名称不同的改名。"""
    standard = existing.level in ("province", "city") or (
        existing.level == "county" and not _is_functional_zone(existing.code)
    )
    if standard or existing.name == row.name:
        plan.unchanged += 1
        return
    existing.name = row.name
    plan.renamed.append(existing)


def _row_problem(
    row: CodeRow, known: dict[str, Division], paths: dict[str, str], under: Division | None
) -> str:
    """这一行的问题（中文）；没有问题时为空串。"""
    level = division_level_of(row.code)
    if not row.name:
        return "名称不能为空"
    existing = known.get(row.code)
    if (
        existing is None
        and level in ("province", "city", "county")
        and not (level == "county" and _is_functional_zone(row.code))
    ):
        return (
            "县级及以上的区划以国家标准《中华人民共和国行政区划代码》为准，随平台提供，不能导入；"
            "请核对代码（代码表里只须列出乡、村两级）"
        )
    parent = row.code if existing is not None else _parent_code(row.code, paths)
    if parent is None:
        above = PARENT_WORDS[level]
        code = _expected_parent(row.code)
        return f"{above}（代码 {code}）不在区划表中：请先导入上级，或核对代码"
    path = paths[parent] if existing is None else existing.path
    if under is not None and not path.startswith(under.path):
        return f"不在您管辖的{under.name}范围内"
    return ""


PARENT_WORDS = {"county": "所在市", "township": "所在县", "village": "所在乡镇"}


def _is_functional_zone(code: str) -> bool:
    """统计用功能区（开发区等）：县级代码的第 5 位为 7，不属于 GB/T 2260。"""
    return len(code) == 6 and code[4] == "7"


def _expected_parent(code: str) -> str:
    level = division_level_of(code)
    return {"county": code[:4] + "00", "township": code[:6], "village": code[:9]}.get(level, "")


def _parent_code(code: str, paths: dict[str, str]) -> str | None:
    """上级的代码（须已知）：村→乡，乡→县（不设县的地级市如东莞 441900，其代码就是前 6 位），
    功能区→市。"""
    parent = _expected_parent(code)
    return parent if parent in paths else None


def _error(filename: str, row: CodeRow, problem: str) -> CellError:
    return cell_error(filename, row.row, CODE_HEADER, row.code, problem)


def _write(plan: _Plan, *, synthetic: bool) -> None:
    for division in plan.new:
        division.synthetic = synthetic
    for level in LEVEL_ORDER:  # 上级先入库
        batch = [d for d in plan.new if d.level == level]
        Division.objects.bulk_create(batch, batch_size=1000)
    Division.objects.bulk_update(plan.renamed, ["name"], batch_size=500)


# ---------------------------------------------------------------- 合成地区的代码表


def region_code_list(directory: Path) -> list[tuple[str, str]]:
    """`shouhu synth` 写出的地区里，区划表没有的乡、村代码，配上编造的名称（第3街道、第12村）。

    读 registry.parquet 或 registry.csv 的 division_code 列；只有县级代码的地区得到空表。
    """
    codes = _region_codes(directory)
    table = division_table()
    wanted: set[str] = set()
    for code in codes:
        if len(code) == 12:
            wanted |= {code[:9], code}
        elif len(code) == 9:
            wanted.add(code)
    return [(code, synthetic_name(code)) for code in sorted(wanted) if code not in table]


def _region_codes(directory: Path) -> set[str]:
    parquet, text = directory / "registry.parquet", directory / "registry.csv"
    if parquet.exists():
        import pyarrow.compute as pc
        import pyarrow.parquet as pq

        column = pq.read_table(parquet, columns=["division_code"]).column("division_code")
        return {str(v) for v in pc.unique(column).to_pylist() if v}
    if text.exists():
        with text.open(encoding="utf-8", newline="") as handle:
            return {r["division_code"] for r in csv.DictReader(handle) if r.get("division_code")}
    raise FileNotFoundError(f"{directory} 中没有 registry.parquet 或 registry.csv")


def synthetic_name(code: str) -> str:
    """编造的名称，照统计局的编号规则：乡级 001–099 街道、100–199 镇、200–399 乡；
    村级 001–199 社区（居委会）、200 起为村。"""
    number = int(code[-3:])
    if len(code) == 9:
        if number < 100:
            return f"第{number}街道"
        return f"第{number - 99}镇" if number < 200 else f"第{number - 199}乡"
    return f"第{number}社区" if number < 200 else f"第{number - 200}村"


def code_list_csv(rows: Iterable[tuple[str, str]]) -> bytes:
    """代码表文件（UTF-8，带 BOM，Excel 可直接打开）：区划代码、名称两列。"""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([CODE_HEADER, NAME_HEADER])
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")
