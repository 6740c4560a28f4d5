"""个案工作表单的选项（代码, 中文），各自只在模型里定义一次；页面经这里取，不直接读模型。"""

from __future__ import annotations

from typing import Final

from shouhu.web.cases.models import ReporterKind, ReviewOutcome

REVIEW_OUTCOMES: Final = tuple(ReviewOutcome.choices)
REPORTER_KINDS: Final = tuple(ReporterKind.choices)
