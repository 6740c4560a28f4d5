"""On PostgreSQL, audit entries can be appended but never updated or deleted (a trigger), whatever
the role; the separate application role of `shouhu db app-role` also lacks the privileges."""

from __future__ import annotations

from django.db import migrations

from shouhu.web.audit.roles import append_only_guard, append_only_unguard


class Migration(migrations.Migration):
    dependencies = [("audit", "0005_registry_merge_and_keyed_chain")]

    operations = [migrations.RunPython(append_only_guard, append_only_unguard)]
