"""PostgreSQL：大批载入时先去掉人员、父母关系和版本表的索引与约束，写完再按原定义重建。

逐行维护十几个 B 树索引和为每行排队的外键检查，是千万行载入的大头；PostgreSQL 手册
（“Populating a Database”）建议的做法是先删索引和外键、载入、再重建：每个索引一次排序，
每个外键一次集合式检查。删除与重建都在载入的事务里（一起提交或一起回滚），定义取自系统目录，
重建后与迁移建的一样。

只在载入相对表很大时这样做（新行不少于表中已有行的 REBUILD_SHARE）：首次载入全省或一个大
县进空表时；月度变动名单不这样做（重建 2500 万行的索引比逐行维护 25 万行慢）。载入期间这几张
表对其他会话加了排他锁（DDL），读这几张表的页面等到载入提交。

人员表的身份证号唯一约束在新人员写入后立即重建（之后的步骤按号码查人）；其余在最后重建。
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

from shouhu.web.registry.bulk_sql import L, P, V, run, scalar

REBUILD_SHARE: Final = 0.25
COUNT_BELOW: Final = 1_000_000
TABLES: Final = (P, L, V)
PERSON_NUMBER: Final = "id_number"


@dataclass
class Relaxed:
    """去掉的索引（CREATE INDEX 语句）和约束（表、名称、定义），按重建的先后。"""

    indexes: list[str] = field(default_factory=list)
    constraints: list[tuple[str, str, str]] = field(default_factory=list)

    def person_number_restore(self, cursor: Any) -> None:
        """人员的身份证号唯一约束（及其 LIKE 索引）：新人员写入后、按号码查人之前重建。"""
        keep = []
        for table, name, definition in self.constraints:
            if table == _bare(P) and definition == f"UNIQUE ({PERSON_NUMBER})":
                _constraint_add(cursor, table, name, definition)
            else:
                keep.append((table, name, definition))
        self.constraints = keep
        run(cursor, f"ANALYZE {P}")

    def restore(self, cursor: Any) -> None:
        for statement in self.indexes:
            run(cursor, statement)
        for table, name, definition in self.constraints:
            _constraint_add(cursor, table, name, definition)
        self.indexes, self.constraints = [], []
        for table in TABLES:
            run(cursor, f"ANALYZE {table}")


def worth_it(cursor: Any, incoming: int) -> bool:
    """新行不少于人员表已有行的 REBUILD_SHARE。已有行：大表按统计估计（数一遍千万行要几秒），
    估计不到一百万行（或从未统计过）时数一遍。"""
    estimate = scalar(cursor, "SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [_bare(P)])
    existing = float(estimate or 0)
    if existing < COUNT_BELOW:
        existing = float(scalar(cursor, f"SELECT count(*) FROM {P}"))
    return incoming >= REBUILD_SHARE * existing


def relax(cursor: Any) -> Relaxed:
    """去掉三张表的唯一约束、外键和索引（主键与检查约束不动），记下定义。"""
    # 本事务里先前的写入排着待查的外键（如同一事务中的上一次载入）：先查掉，表才能改
    run(cursor, "SET CONSTRAINTS ALL IMMEDIATE")
    run(cursor, "SET CONSTRAINTS ALL DEFERRED")
    names = [_bare(t) for t in TABLES]
    cursor.execute(
        """SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
           WHERE conrelid = ANY(CAST(%s AS regclass[])) AND contype IN ('u', 'f')
           ORDER BY contype DESC, conrelid, conname""",
        [names],
    )
    relaxed = Relaxed(constraints=[(str(t), str(n), str(d)) for t, n, d in cursor.fetchall()])
    for table, name, _ in relaxed.constraints:
        run(cursor, f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    cursor.execute(
        """SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index i
           WHERE indrelid = ANY(CAST(%s AS regclass[])) AND NOT indisprimary
             AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid
                             AND c.conrelid = i.indrelid)
           ORDER BY indrelid, indexrelid""",
        [names],
    )
    found = cursor.fetchall()
    for name, definition in found:
        run(cursor, f"DROP INDEX {name}")
        relaxed.indexes.append(str(definition))
    return relaxed


def _constraint_add(cursor: Any, table: str, name: str, definition: str) -> None:
    run(cursor, f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


def _bare(quoted: str) -> str:
    return quoted.strip('"')
