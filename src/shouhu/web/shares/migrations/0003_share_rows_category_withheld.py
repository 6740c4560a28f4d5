"""发布在前的推送名单行里存的是类别的中文（`ShareEntry.data["category"]`），其中有“艾滋病病毒
感染儿童”。按接收部门现在的授权重写：看不到感染情况的部门（`access.category_text` 的规则），
每一行的类别都是“保障对象”。

看得到的只有卫生健康部门、且其部门用户有感染情况数据项的授权（监护人同意与否不影响类别，
见 web/access/disclosure.py）；其他部门（医保、教育、财政、妇联、残联、公安）看不到。
规则在这里按当时的表写一遍（迁移不用现行模型），与 `categories_shown` 一致；反向不恢复。
"""

from __future__ import annotations

from typing import Any

from django.db import migrations
from django.db.models import Q
from django.utils import timezone

from shouhu.core.catalog import catalog_load

UNIFORM = "保障对象"
CATEGORY_FACT = "hiv_infected"
DEPARTMENT_USER = "department_user"
CHUNK = 2000


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
    entry_model = apps.get_model("shares", "ShareEntry")
    grant_model = apps.get_model("grants", "Grant")
    for lst in share_list.objects.select_related("agency").order_by("pk").iterator():
        if "category" not in lst.fields or _agency_sees(lst.agency, grant_model):
            continue
        changed = []
        for entry in entry_model.objects.filter(share_list=lst).order_by("pk").iterator(CHUNK):
            if entry.data.get("category") not in ("", None, UNIFORM):
                entry.data = {**entry.data, "category": UNIFORM}
                changed.append(entry)
        entry_model.objects.bulk_update(changed, ["data"], batch_size=CHUNK)


class Migration(migrations.Migration):
    dependencies = [
        ("shares", "0002_feedback_history"),
        ("grants", "0001_initial"),
    ]

    operations = [migrations.RunPython(rows_rewrite, migrations.RunPython.noop)]
