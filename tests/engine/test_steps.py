"""计划的步骤声明与实际相符：每步只读此前建过的表；真跑一次比对时，每步建的表都在它的
makes 里，它的 SQL 引用的表都在它的 reads（或本步的 makes）里。"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from functools import cache
from typing import Any

import pyarrow as pa
import pytest
from sqlglot import exp

from shouhu.core.policy import load_params
from shouhu.engine import steps as steps_module
from shouhu.engine.backends import Backend, backend_open
from shouhu.engine.backends.base import FixedQuery, Query
from shouhu.engine.batch import CASES, FACTS, RESULT, plan_assess
from shouhu.engine.comparison import compare_tables
from shouhu.engine.comparison import findings as F
from shouhu.engine.comparison import plan as P
from shouhu.engine.comparison import run as run_module
from shouhu.engine.comparison.inputs import REQUIRED
from shouhu.engine.comparison.run import CompareSettings, Inputs, plan_comparison
from shouhu.engine.linkage import LINKS_TABLE, settings_default
from shouhu.engine.steps import Plan, Slot, Step
from shouhu.engine.synth import SynthRegion, synth_region

AS_OF = date(2026, 11, 1)
INPUTS = (P.REGISTRY, P.REGISTER, P.FACTS)
OPTIONAL = {
    "registry": ("gender", "birth_date", "division_code", "father_id_number", "mother_id_number"),
    "register": ("division_code",),
    "facts": ("id_number", "name", "birth_date", "gender", "division_code", "date", "level"),
}
COLUMNS = {name: frozenset((*REQUIRED[name], *OPTIONAL[name])) for name in REQUIRED}


def referenced(query: Query) -> set[str]:
    """查询里引用的表名（不含 WITH 定义的名字、表函数）。"""
    tree = query.tree if isinstance(query, FixedQuery) else query
    ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    return {t.name for t in tree.find_all(exp.Table) if t.name and t.name not in ctes}


def _comparison(*, linked: bool, fallback: bool) -> Plan:
    link = settings_default()
    if not fallback:
        link = replace(link, fallback_blocking=())
    links = None if linked else pa.table({"record_id": ["r1"], "id_number": ["x"]})
    inputs = Inputs(
        COLUMNS, COLUMNS, links, AS_OF, load_params(), CompareSettings(link=link, region="150802")
    )
    phases = plan_comparison(inputs, Slot("测试"))
    return tuple(step for phase in phases for step in phase.steps)


def _assess(explain: bool) -> Plan:
    empty = pa.table({"case_id": pa.array([], pa.string())})
    return plan_assess(empty, empty, params=None, explain=explain)


PLANS = {
    "comparison": lambda: _comparison(linked=True, fallback=True),
    "comparison, one blocking round": lambda: _comparison(linked=True, fallback=False),
    "comparison on given links": lambda: _comparison(linked=False, fallback=True),
    "assessment": lambda: _assess(explain=False),
    "assessment with reasons": lambda: _assess(explain=True),
}


@pytest.mark.parametrize("name", PLANS)
def test_every_step_reads_only_tables_made_before_it(name: str) -> None:
    made = set(INPUTS)
    for step in PLANS[name]():
        missing = set(step.reads) - made
        assert not missing, f"{step.label} 读的 {sorted(missing)} 此前没有建"
        made |= set(step.makes)


def test_the_comparison_fetches_only_tables_its_plan_made() -> None:
    made = set(INPUTS) | {t for step in _comparison(linked=True, fallback=True) for t in step.makes}
    for query in (F.findings_select(90), F.counts_select()):
        assert referenced(query) <= made
    assert {LINKS_TABLE, CASES, FACTS, RESULT} <= made


# ---------------------------------------------------------------- 真跑一次：实际与声明相符


@dataclass
class Seen:
    made: set[str] = field(default_factory=set)
    read: set[str] = field(default_factory=set)


class Recording:
    """把每次建表、装入、查询记到当前这一步名下的后端（其余照 DuckDB 后端执行）。"""

    def __init__(self, inner: Backend) -> None:
        self.inner = inner
        self.name, self.dialect = inner.name, inner.dialect
        self.current: Step | None = None
        self.seen: dict[Step | None, Seen] = {}

    def _at(self) -> Seen:
        return self.seen.setdefault(self.current, Seen())

    def load_arrow(self, table: str, data: pa.Table) -> None:
        self._at().made.add(table)
        self.inner.load_arrow(table, data)

    def load_path(self, table: str, path: str) -> None:
        self._at().made.add(table)
        self.inner.load_path(table, path)

    def create(self, table: str, query: Query, *, step: str) -> None:
        self._at().made.add(table)
        self._at().read.update(referenced(query))
        self.inner.create(table, query, step=step)

    def fetch(self, query: Query, *, step: str) -> pa.Table:
        self._at().read.update(referenced(query))
        return self.inner.fetch(query, step=step)

    def columns(self, table: str) -> tuple[str, ...]:
        return self.inner.columns(table)

    def drop(self, table: str) -> None:
        self.inner.drop(table)

    def close(self) -> None:
        self.inner.close()


@cache
def _region() -> SynthRegion:
    return synth_region(persons=600, seed=11, as_of=AS_OF)


@pytest.fixture
def recording(monkeypatch: pytest.MonkeyPatch) -> Recording:
    recorder = Recording(backend_open("duckdb"))
    step_run = steps_module.step_run

    def attributed(backend: Backend, step: Step) -> None:
        recorder.current = step
        try:
            step_run(backend, step)
        finally:
            recorder.current = None

    monkeypatch.setattr(steps_module, "step_run", attributed)
    monkeypatch.setattr(run_module, "_backend", lambda _settings, _session: recorder)
    return recorder


def _check(recorder: Recording, *, given: bool) -> None:
    stepped = {step for step in recorder.seen if step is not None}
    for step in stepped:
        seen = recorder.seen[step]
        assert seen.made <= set(step.makes), f"{step.label} 建了未声明的表"
        assert seen.read <= set(step.reads) | set(step.makes), (
            f"{step.label} 读了未声明的表 {sorted(seen.read - set(step.reads) - set(step.makes))}"
        )
    outside = recorder.seen.get(None, Seen())
    assert outside.made == set(INPUTS)  # 计划之外只装入三张输入表
    made = set(INPUTS) | {t for step in stepped for t in step.makes}
    assert outside.read <= made
    assert any(step.makes == ("lk_sc",) for step in stepped) is not given


@pytest.mark.parametrize("given", [False, True], ids=["linked", "given links"])
def test_steps_make_and_read_only_the_tables_they_declare(
    recording: Recording, given: bool
) -> None:
    region = _region()
    links: Any = None
    if given:
        truth = region.truth_links.filter(region.truth_links.column("in_registry"))
        links = truth.select(["record_id", "id_number"])
    inputs = {"registry": region.registry, "register": region.register, "facts": region.facts}
    result = compare_tables(**inputs, as_of=AS_OF, links=links)
    assert result.findings.num_rows
    _check(recording, given=given)
