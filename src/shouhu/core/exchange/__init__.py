"""数据报送文件的读取、校验、模板和错误报告（纯 Python，不含 web 和存储）。

对外接口（web 层调用，保持稳定）：
    read_table(data, *, filename, item, progress=None, limits=None) -> ReadResult
    template_xlsx(item) -> bytes / template_csv(item) -> bytes
    error_report_xlsx(data, filename, item, errors) -> bytes
"""

from shouhu.core.exchange.reader import read_table
from shouhu.core.exchange.report import error_report_xlsx
from shouhu.core.exchange.results import CellError, ReadLimits, ReadResult, ValidRecord
from shouhu.core.exchange.templates import example_values, template_csv, template_xlsx

__all__ = [
    "CellError",
    "ReadLimits",
    "ReadResult",
    "ValidRecord",
    "error_report_xlsx",
    "example_values",
    "read_table",
    "template_csv",
    "template_xlsx",
]
