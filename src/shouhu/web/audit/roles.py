"""PostgreSQL: the application runs as a role that may append to the audit log but not change it.

`shouhu audit app-role NAME` (run by the database owner after every `migrate`) grants NAME what
the platform needs on every table — and on the audit entries only SELECT and INSERT. Run the
server with that role in SHOUHU_DATABASE_URL, and migrations with the owner. Together with the
append-only trigger and the keyed chain, no one holding the application's credentials can
rewrite the log; the owner's credentials belong to the database administrator alone.
"""

from __future__ import annotations

from django.db import connection
from psycopg import sql

APPEND_ONLY = frozenset({"audit_auditentry"})


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
