"""发布在前的推送名单行里存的是类别的中文（`ShareEntry.data["category"]`），其中有“艾滋病病毒
感染儿童”。按接收部门现在的授权重写：看不到感染情况的部门（`access.category_text` 的规则），
每一行的类别都是“保障对象”。

看得到的只有卫生健康部门、且其部门用户有感染情况数据项的授权（监护人同意与否不影响类别，
见 web/access/disclosure.py）；其他部门（医保、教育、财政、妇联、残联、公安）看不到。
规则在这里按当时的表写一遍（迁移不用现行模型），与 `categories_shown` 一致；反向不恢复。

每份名单一条 UPDATE（JSON 函数就地改 category 键，PostgreSQL 的 jsonb_set、SQLite 的
json_set），不经 Python 对象：百万人口的县一年的名单约 72 万行，逐行读出再 bulk_update
要十几分钟（bench/migrations/README.md）。
"""

from __future__ import annotations

from typing import Any

from django.db import connection, migrations
from django.db.models import Q
from django.utils import timezone

from shouhu.core.catalog import catalog_load

UNIFORM = "保障对象"
CATEGORY_FACT = "hiv_infected"
DEPARTMENT_USER = "department_user"
# 类别是空、null 或没有这个键的行不动（JSON 取值为 NULL，NOT IN 不成立）
UPDATE = {
    "postgresql": """UPDATE shares_shareentry SET data = jsonb_set(data, '{category}', to_jsonb(%s::text))
        WHERE share_list_id = %s AND data->>'category' NOT IN ('', %s)""",
    "sqlite": """UPDATE shares_shareentry SET data = json_set(data, '$.category', %s)
        WHERE share_list_id = %s AND json_extract(data, '$.category') NOT IN ('', %s)""",
}


def _agency_sees(agency: Any, grant_model: Any) -> bool:
    if agency.agency_type != "health":
        return False
    items = [i.code for i in catalog_load().items if CATEGORY_FACT in i.fact_types]
    today = timezone.localdate()
    grants = grant_model.objects.filter(
        Q(agency__isnull=True) | Q(agency_id=agency.pk), agency_type=agency.agency_type,
        item_code__in=items, revoked_at__isnull=True,
    ).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))  # fmt: skip
    return any(DEPARTMENT_USER in g.roles for g in grants)


def rows_rewrite(apps: Any, schema_editor: Any) -> None:
    share_list = apps.get_model("shares", "ShareList")
    grant_model = apps.get_model("grants", "Grant")
    update = UPDATE[connection.vendor]
    for lst in share_list.objects.select_related("agency").order_by("pk").iterator():
        if "category" not in lst.fields or _agency_sees(lst.agency, grant_model):
            continue
        with connection.cursor() as cursor:
            cursor.execute(update, [UNIFORM, lst.pk, UNIFORM])


class Migration(migrations.Migration):
    dependencies = [
        ("shares", "0002_feedback_history"),
        ("grants", "0001_initial"),
    ]

    operations = [migrations.RunPython(rows_rewrite, migrations.RunPython.noop)]
