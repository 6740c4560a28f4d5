"""已批准的补贴名册由数据库锁定：触发器拒绝对它和它的行的 UPDATE，以及往里 INSERT 行；
PostgreSQL 上 DELETE 也拒绝。ORM 之外的原始 SQL 也绕不过去（有测试用原始 SQL 验证）。

SQLite 上不装 DELETE 触发器：Django 清空测试库（flush）在 SQLite 上是逐表 DELETE，在
PostgreSQL 上是 TRUNCATE（不触发行级触发器）——与审计日志只在 PostgreSQL 上“只增不删”同一
取舍。SQLite 上删除名册和行仍由外键（PROTECT）挡住 ORM。迁移 0001 调用 `install`。
"""

from __future__ import annotations

from typing import Any, Final

LOCKED: Final = "补贴名册已批准锁定，不能修改；更正请进下一个月的名册"

_SQLITE: Final = [
    f"""CREATE TRIGGER subsidy_roster_locked_{op.lower()} BEFORE {op} ON subsidies_subsidyroster
    WHEN OLD.state = 'approved' BEGIN SELECT RAISE(ABORT, '{LOCKED}'); END"""
    for op in ("UPDATE",)
] + [
    f"""CREATE TRIGGER subsidy_line_locked_{op.lower()} BEFORE {op} ON subsidies_rosterline
    WHEN EXISTS (SELECT 1 FROM subsidies_subsidyroster r WHERE r.state = 'approved'
                 AND r.id IN ({refs}))
    BEGIN SELECT RAISE(ABORT, '{LOCKED}'); END"""
    for op, refs in (
        ("INSERT", "NEW.roster_id"),
        ("UPDATE", "OLD.roster_id, NEW.roster_id"),
    )
]

# PostgreSQL：名册表逐行检查；名册行按语句检查（转移表），COPY 几千行只查一次。
_POSTGRES: Final = [
    f"""CREATE OR REPLACE FUNCTION subsidy_roster_locked() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF OLD.state = 'approved' THEN RAISE EXCEPTION '{LOCKED}'; END IF;
      RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END $$""",
    """CREATE TRIGGER subsidy_roster_locked BEFORE UPDATE OR DELETE ON subsidies_subsidyroster
    FOR EACH ROW EXECUTE FUNCTION subsidy_roster_locked()""",
    *(
        f"""CREATE OR REPLACE FUNCTION subsidy_line_locked_{op}() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
          IF EXISTS (SELECT 1 FROM subsidies_subsidyroster r
                     WHERE r.state = 'approved' AND r.id IN ({rows})) THEN
            RAISE EXCEPTION '{LOCKED}';
          END IF;
          RETURN NULL;
        END $$"""
        for op, rows in (
            ("insert", "SELECT roster_id FROM new_rows"),
            ("update", "SELECT roster_id FROM old_rows UNION SELECT roster_id FROM new_rows"),
            ("delete", "SELECT roster_id FROM old_rows"),
        )
    ),
    """CREATE TRIGGER subsidy_line_locked_insert AFTER INSERT ON subsidies_rosterline
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION subsidy_line_locked_insert()""",
    """CREATE TRIGGER subsidy_line_locked_update AFTER UPDATE ON subsidies_rosterline
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION subsidy_line_locked_update()""",
    """CREATE TRIGGER subsidy_line_locked_delete AFTER DELETE ON subsidies_rosterline
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION subsidy_line_locked_delete()""",
]


def install(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": _SQLITE, "postgresql": _POSTGRES}.get(vendor)
    if statements is None:
        raise RuntimeError(f"补贴名册的锁定触发器不支持数据库 {vendor}")
    for sql in statements:
        schema_editor.execute(sql)
