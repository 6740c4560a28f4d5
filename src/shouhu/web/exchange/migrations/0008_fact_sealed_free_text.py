"""高度敏感的自由文本加密存放（议题 12 第 4 项）：放宽三列以容纳令牌，再把已有的明文按数据目录
就地加密，保存的原文件整份加密；回退时先全部解开，再收窄。分批读写原始列值，内存只随批大小增长。"""

from typing import Any

from django.db import migrations

import shouhu.web.exchange.sealing
from shouhu.web.exchange import sealing


def seal_existing(apps: Any, schema_editor: Any) -> None:
    items = sealing.item_by_code()
    for batch in sealing.raw_facts():
        for fact in batch:
            row = sealing.fact_seal_plain(fact, items)
            if row is not None:
                sealing.raw_fact_update(fact.pk, row)
    sealing.blobs_rewrite(sealing.blob_seal)


def open_existing(apps: Any, schema_editor: Any) -> None:
    for batch in sealing.raw_facts():
        for fact in batch:
            row = sealing.fact_open_all(fact)
            if row is not None:
                sealing.raw_fact_update(fact.pk, row)
    sealing.blobs_rewrite(sealing.blob_open)


class Migration(migrations.Migration):
    dependencies = [
        ("exchange", "0007_submission_invalid_ids_all_rows"),
    ]

    operations = [
        migrations.AlterField(
            model_name="fact",
            name="disease",
            field=shouhu.web.exchange.sealing.SealedCharField(blank=True, max_length=600),
        ),
        migrations.AlterField(
            model_name="fact",
            name="extra",
            field=shouhu.web.exchange.sealing.SealedJSONField(
                blank=True,
                default=dict,
                help_text="other columns (a child's ID, the court…), as written",
            ),
        ),
        migrations.AlterField(
            model_name="fact",
            name="source_record_id",
            field=shouhu.web.exchange.sealing.SealedCharField(
                max_length=600, verbose_name="来源记录号"
            ),
        ),
        migrations.AlterField(
            model_name="submissionerrors",
            name="source",
            field=shouhu.web.exchange.sealing.SealedBinaryField(blank=True, default=b""),
        ),
        migrations.AlterField(
            model_name="upload",
            name="content",
            field=shouhu.web.exchange.sealing.SealedBinaryField(default=b""),
        ),
        migrations.RunPython(seal_existing, open_existing, elidable=False),
    ]
