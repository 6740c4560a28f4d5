"""部门回给民政的答复：每个对上的人只有“是否在执行、起、止”，没有部门名单里的其他内容。"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from shouhu.core.pprl.match import Basis, Links


@dataclass(frozen=True, slots=True)
class Term:
    """部门一条记录里的期间（服刑、强制隔离戒毒等）。until 为空：无期或未定。"""

    since: date | None
    until: date | None
    life: bool = False
    kind: str = ""  # 事实类型（如 imprisoned、compulsory_rehab），民政据此入库

    def in_force(self, as_of: date) -> bool:
        started = self.since is None or self.since <= as_of
        return started and (self.life or self.until is None or self.until >= as_of)


@dataclass(frozen=True, slots=True)
class Answer:
    row: int  # 请求里的第几人（从 0 起），民政按它对回自己的名单
    in_force: bool
    since: date | None
    until: date | None
    basis: str  # id / id_near / fuzzy：怎么对上的，供民政复核
    score: float
    kind: str = ""
    life: bool = False


BASIS_NAMES = {Basis.ID: "id", Basis.ID_NEAR: "id_near", Basis.FUZZY: "fuzzy"}


def answers_build(links: Links, terms: Sequence[Term], as_of: date) -> list[Answer]:
    """每个对上的请求一条答复：有在执行的取在执行的（起日最晚者），否则取止日最晚的一段。"""
    by_row: dict[int, list[tuple[Term, int, float]]] = {}
    for q, r, s, b in zip(links.query, links.record, links.score, links.basis, strict=True):
        by_row.setdefault(int(q), []).append((terms[int(r)], int(b), float(s)))
    out = []
    for row, found in sorted(by_row.items()):
        term = term_pick([t for t, _, _ in found], as_of)
        basis, score = next((b, s) for t, b, s in found if t is term)
        out.append(
            Answer(
                row=row,
                in_force=term.in_force(as_of),
                since=term.since,
                until=None if term.life else term.until,
                basis=BASIS_NAMES[Basis(basis)],
                score=round(score, 3),
                kind=term.kind,
                life=term.life,
            )
        )
    return out


def term_pick(terms: Sequence[Term], as_of: date) -> Term:
    """一个人有几段时，答哪一段：在执行的优先，其次止日最晚（未定的算最晚），再次起日最晚。"""
    return max(terms, key=lambda t: _rank(t, as_of))


def _rank(term: Term, as_of: date) -> tuple[bool, date, date]:
    low = date.min
    return (term.in_force(as_of), term.until or date.max, term.since or low)
