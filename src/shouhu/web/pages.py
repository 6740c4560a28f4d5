"""分页：每个列表页面共用的两件小事——从网址读页码，和“上一页/下一页”。"""

from __future__ import annotations

MAX_PAGE_DIGITS = 6  # 再大的页码只可能是手写的网址


def page_number(raw: str | None) -> int:
    """网址或表单里的页码；没有或不合规时为第 1 页。"""
    return int(raw) if raw and raw.isdigit() and len(raw) <= MAX_PAGE_DIGITS else 1


class Paged:
    """列表结果的分页属性；子类（冻结数据类）须有 page 和 num_pages 两个字段。"""

    page: int
    num_pages: int

    @property
    def previous_page(self) -> int | None:
        return self.page - 1 if self.page > 1 else None

    @property
    def next_page(self) -> int | None:
        return self.page + 1 if self.page < self.num_pages else None
