"""比对发现的中文标签：原因代码（core/findings.py）、关联方式（core/identity/links.py）。只由代码得出，不含任何个人信息——比对发现里
只存这些；某个儿童的具体说明（哪天、哪条事实）在打开该发现时按当时的事实重新生成。"""

from __future__ import annotations

from shouhu.core.findings import REVIEW, reason_label
from shouhu.core.findings import UNLINKED as UNLINKED_KIND
from shouhu.core.identity.links import UNLINKED, link_method_label


def reasons_with_labels(codes: list[str]) -> list[dict[str, str]]:
    return [{"code": code, "text": reason_label(code)} for code in codes]


def link_display(method: str, confidence: int | None) -> str:
    """如“身份证号精确 100%”“近似号码 97%”“模糊匹配 91%”；未联上只写“未能匹配”。"""
    label = link_method_label(method)
    if method == UNLINKED or confidence is None:
        return label
    return f"{label} {confidence}%"


def finding_status_label(kind: str, status: str, label: str) -> str:
    """“需人工核查”“无法匹配”的发现办结时是“已核查”（结果另列），不是“已确认”。"""
    if status == "confirmed" and kind in (REVIEW, UNLINKED_KIND):
        return "已核查"
    return label
