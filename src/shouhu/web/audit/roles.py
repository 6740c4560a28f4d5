"""PostgreSQL: the application runs as a role that may append to the audit log but not change it.

`shouhu audit app-role NAME` (run by the database owner after every `migrate`) grants NAME what
the platform needs on every table — and on the audit entries only SELECT and INSERT. Run the
server with that role in SHOUHU_DATABASE_URL, and migrations with the owner. Together with the
append-only trigger and the keyed chain, no one holding the application's credentials can
rewrite the log; the owner's credentials belong to the database administrator alone.
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from psycopg import sql

APPEND_ONLY = frozenset({"audit_auditentry"})

# 审计记录只能追加：任何角色改或删都由触发器拒绝（迁移 audit 0006 装上）
GUARD = """
CREATE OR REPLACE FUNCTION shouhu_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '审计日志只能追加，不能修改或删除';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS audit_append_only ON audit_auditentry;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION shouhu_audit_append_only();
"""
UNGUARD = """
DROP TRIGGER IF EXISTS audit_append_only ON audit_auditentry;
DROP FUNCTION IF EXISTS shouhu_audit_append_only();
"""


def append_only_guard(apps: object, schema_editor: Any) -> None:
    """迁移用：在 PostgreSQL 上装只能追加的触发器（SQLite 上什么也不做）。"""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(GUARD)


def append_only_unguard(apps: object, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UNGUARD)


def app_role_grant(role: str) -> list[str]:
    """Grant `role` (which must exist) the application's privileges; return the tables done."""
    if connection.vendor != "postgresql":
        raise RuntimeError("只有 PostgreSQL 需要单独的应用角色")
    tables = sorted(connection.introspection.table_names())
    name = sql.Identifier(role)
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(name))
        cursor.execute(
            sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}").format(name)
        )
        for table in tables:
            rights = "SELECT, INSERT" if table in APPEND_ONLY else "SELECT, INSERT, UPDATE, DELETE"
            cursor.execute(sql.SQL("REVOKE ALL ON {} FROM {}").format(sql.Identifier(table), name))
            cursor.execute(
                sql.SQL("GRANT {} ON {} TO {}").format(sql.SQL(rights), sql.Identifier(table), name)
            )
    return tables
