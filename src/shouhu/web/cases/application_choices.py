"""申请页面的选项和列表分页签（代码, 中文），都从 core 的词汇和模型取，页面不直接读模型。"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Final

from django.db.models import QuerySet

from shouhu.core.policy.vocabulary import FACT_LABELS, PARENT_FACT_TYPES
from shouhu.core.policy.wording import reason_label
from shouhu.web.accounts.models import User
from shouhu.web.cases.application_models import OPEN_STAGES, Application, Stage, stage_of
from shouhu.web.cases.applications import EnrolInput
from shouhu.web.cases.choices import CATEGORY_OPTIONS, category_option_parse
from shouhu.web.cases.reviews import CLOSE_REASONS

OPEN: Final = frozenset(OPEN_STAGES)
EXTENSIONS: Final = MappingProxyType(
    {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
)
CHILD_CONDITIONS: Final = ("parents_unknown",)
_PARENT_OPTIONS: Final = tuple((t, FACT_LABELS[t]) for t in PARENT_FACT_TYPES)
_CHILD_OPTIONS: Final = tuple((t, FACT_LABELS[t]) for t in CHILD_CONDITIONS)
_SUBJECTS: Final = (("father", "父亲", _PARENT_OPTIONS), ("mother", "母亲", _PARENT_OPTIONS),
                    ("child", "儿童本人", _CHILD_OPTIONS))  # fmt: skip


def enrol_form(post: Any) -> dict[str, Any]:
    """登记表单的选项：类别；父亲、母亲、儿童本人各一栏情形（带回已选的）。"""
    conditions = tuple((who, label, post.get(f"condition_{who}", ""), options)
                       for who, label, options in _SUBJECTS)  # fmt: skip
    return {"categories": CATEGORY_OPTIONS, "conditions": conditions}


def close_reasons() -> tuple[tuple[str, str], ...]:
    return tuple((code, reason_label(code)) for code in CLOSE_REASONS)


def enrol_input(post: Any) -> EnrolInput:
    """表单 → 申请内容：父亲、母亲各选一种情形（可不选），儿童本人的情形（可不选）。"""
    category, orphan_type = category_option_parse(post.get("category", ""))
    claimed = [(who, post.get(f"condition_{who}", "")) for who, _, _ in _SUBJECTS]
    return EnrolInput(
        category=category, orphan_type=orphan_type,
        claimed=tuple((who, t) for who, t in claimed if t),
        statement=post.get("statement", ""), carer_name=post.get("carer_name", ""),
        carer_id_number=post.get("carer_id_number", ""),
        carer_relation=post.get("carer_relation", ""), carer_phone=post.get("carer_phone", ""),
    )  # fmt: skip


@dataclass(frozen=True)
class Tab:
    code: str
    label: str
    count: int


def tab_query(user: User, visible: QuerySet[Application], code: str) -> QuerySet[Application]:
    """一个页签的申请：待我办理、退回给我的、在办的全部、已批准。"""
    stage = stage_of(user)
    mine = visible.filter(stage=stage)
    query = {
        "waiting": mine.filter(returned=False),
        "returned": mine.filter(returned=True),
        "open": visible.filter(stage__in=OPEN_STAGES),
        "done": visible.filter(stage=Stage.APPROVED),
        "withdrawn": visible.filter(stage=Stage.WITHDRAWN),
    }[code]
    return query.select_related("child").order_by("-created_at", "-pk")


TAB_LABELS: Final = MappingProxyType(
    {
        "waiting": "待我办理",
        "returned": "退回给我的",
        "open": "在办的全部",
        "done": "已批准",
        "withdrawn": "已撤回",
    }
)


def list_tabs(user: User, visible: QuerySet[Application]) -> tuple[Tab, ...]:
    return tuple(
        Tab(code, label, tab_query(user, visible, code).count())
        for code, label in TAB_LABELS.items()
    )
