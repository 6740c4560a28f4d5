"""读取结果的数据结构（web 层据此写回执、入库）。"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class CellError:
    """一处问题。row 是用户在 Excel 中看到的行号（表头为第1行）；column 是文件中的列名，
    整行问题时为空串；value 是脱敏后的值；message 是完整的中文说明（含文件名、行、列、值、要求）。
    """

    row: int
    column: str
    value: str
    message: str


@dataclass(frozen=True, slots=True)
class ValidRecord:
    """通过校验的一行。

    subject：主体身份（id_number、name、gender、birth_date、division_code，有值才有键）；
    fact：docs/rules.md §2 的事实（type 及该类型的字段，有值才有键；不产生事实的数据项为空）；
    extra：其余列（如子女身份证号、案号以外的编号、法院名称），键为目录中的字段键；
    record_id：部门的记录编号；部门没有编号时由系统按身份、类型和关键日期生成（record_id_derived）；
    record_sha256：记录内容的稳定哈希，与行号、文件格式无关。
    """

    row: int
    record_id: str
    record_sha256: str
    subject: dict[str, object]
    fact: dict[str, object]
    extra: dict[str, object] = field(default_factory=dict)
    record_id_derived: bool = False


@dataclass(frozen=True, slots=True)
class ReadResult:
    """一个文件的读取结果。rejected_whole 不为空时整个文件被拒收，records 必为空。

    rows_total 是非空数据行数；被拒的行数 = rows_total − len(records)。
    warnings 是不影响接收的提示（如父母身份证号不合规、已接收待模糊匹配）。
    invalid_ids 是填了但不合格的身份证号的个数，被拒的行和接收的行都算（错误清单有上限、被拒的行
    不列提示，数据质量的“身份证号不合格”要全部的数）。
    """

    file_sha256: str
    rows_total: int
    records: list[ValidRecord]
    errors: list[CellError]
    rejected_whole: str | None
    warnings: list[CellError] = field(default_factory=list)
    encoding: str | None = None
    invalid_ids: int = 0

    @property
    def rows_rejected(self) -> int:
        return self.rows_total - len(self.records)


@dataclass(frozen=True, slots=True)
class ReadLimits:
    """读取上限，防止异常文件拖垮服务。"""

    max_bytes: int = 100 * 1024 * 1024
    max_unzipped_bytes: int = 1024 * 1024 * 1024
    max_rows: int = 200_000
    max_columns: int = 200
    max_cells: int = 20_000_000  # 工作表使用范围（行×列）上限；calamine 按此整块分配内存
    max_errors: int = 100_000
    progress_every: int = 1000
