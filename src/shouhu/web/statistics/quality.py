"""各部门的数据质量（领导看，只有数字）：home 子树内每个报送部门近 12 个月的退回行数、身份证号
不合格的（退回的和已接收待更正的行都算）、没能关联到人员的记录、别人对它提出的疑义和已答复的、
逾期未答复的，以及按时报送率。

bayannur §5(二)“定期联合开展考核评估”：这张表就是考核的底稿，可以导出（exports.py）。
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q, Sum
from django.utils import timezone

from shouhu.web.accounts.models import Agency
from shouhu.web.exchange.models import Fact, Submission
from shouhu.web.exchange.selectors import timeliness_grid
from shouhu.web.objections.models import Objection, ObjectionStatus
from shouhu.web.registry.models import Division

WINDOW_DAYS = 365


@dataclass(frozen=True)
class QualityRow:
    agency: str
    division: str
    rows_total: int
    rows_rejected: int
    invalid_ids: int  # 身份证号不合格的，退回的行和已接收待更正的行都算
    unlinked: int  # 现行记录中没能关联到人员的
    objections: int  # 别的单位提出的疑义
    answered: int
    overdue: int  # 过了答复期限仍未答复
    on_time: int | None  # 按时报送率（%），没有到期的报送义务为 None

    def cells(self) -> list[object]:
        return [self.agency, self.division, self.rows_total, self.rows_rejected, self.invalid_ids,
                self.unlinked, self.objections, self.answered, self.overdue,
                "" if self.on_time is None else self.on_time]  # fmt: skip


EXPORT_HEADER = ("部门", "区划", "报送行数", "退回行数", "身份证号不合格", "未关联到人员的记录",
                 "收到的疑义", "已答复", "逾期未答复", "按时报送率（%）")  # fmt: skip


def data_quality(home: Division, *, today: date | None = None) -> tuple[QualityRow, ...]:
    today = today or timezone.localdate()
    agencies = Agency.objects.filter(division__path__startswith=home.path)
    since = timezone.now() - timedelta(days=WINDOW_DAYS)
    submissions = Submission.objects.filter(agency__in=agencies, received_at__gte=since)
    rows = {
        r["agency_id"]: r
        for r in submissions.values("agency_id").annotate(
            t=Sum("rows_total"), j=Sum("rows_rejected"), i=Sum("invalid_ids")
        )
    }  # 身份证号不合格数入库时已数好（exchange.errorlists.invalid_id_count），不再扫描事实
    unlinked = dict(
        Fact.objects.filter(agency__in=agencies, is_current=True, person__isnull=True)
        .values("agency_id").annotate(n=Count("pk")).values_list("agency_id", "n")
    )  # fmt: skip
    objections = {
        r["agency_id"]: r
        for r in Objection.objects.filter(agency__in=agencies, raised_at__gte=since)
        .exclude(status=ObjectionStatus.WITHDRAWN).values("agency_id")
        .annotate(n=Count("pk"), a=Count("pk", filter=Q(answered_at__isnull=False)),
                  o=Count("pk", filter=Q(status=ObjectionStatus.OPEN, due_on__lt=today)))
    }  # fmt: skip
    timely = {
        row.agency: row.percent for row in timeliness_grid(agencies=agencies, today=today).rows
    }
    found = []
    for agency in agencies.select_related("division").order_by("division__path", "agency_type"):
        r, o = rows.get(agency.pk, {}), objections.get(agency.pk, {})
        if not r and not o and agency.name not in timely:
            continue  # 既不报送、也没有疑义的部门（如财政）不列
        found.append(QualityRow(
            agency=agency.name, division=agency.division.name,
            rows_total=r.get("t") or 0, rows_rejected=r.get("j") or 0,
            invalid_ids=r.get("i") or 0, unlinked=unlinked.get(agency.pk, 0),
            objections=o.get("n", 0), answered=o.get("a", 0), overdue=o.get("o", 0),
            on_time=timely.get(agency.name),
        ))  # fmt: skip
    return tuple(found)
