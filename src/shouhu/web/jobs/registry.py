"""Which code runs each kind of job. A kind is looked up here, never imported from the row."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any, Protocol

from django.utils.module_loading import import_string

from shouhu.web.jobs.models import Job

Progress = Callable[[int, str], None]


class Handler(Protocol):
    def __call__(self, job: Job, progress: Progress) -> dict[str, Any]: ...


class JobKind(StrEnum):
    """每种后台任务的代码，只在这里写一次；任务行里存的就是它。"""

    UPLOAD_CHECK = "exchange.upload_check"
    UPLOAD_STORE = "exchange.upload_store"
    COMPARISON_RUN = "comparison.run"
    AUDIT_VERIFY = "audit.verify"
    COMPARISON_MONTHLY = "comparison.monthly"
    SUBMISSION_REMINDERS = "exchange.reminders"
    CASE_PLANS = "cases.plans"
    SHARE_PUBLISH = "shares.publish"
    NOTIFICATIONS_CLEAN = "notifications.clean"
    RULE_SIMULATION = "comparison.simulation"


JOB_LABELS: dict[str, str] = {
    JobKind.UPLOAD_CHECK: "上传文件校验",
    JobKind.UPLOAD_STORE: "上传文件入库",
    JobKind.COMPARISON_RUN: "比对运行",
    JobKind.AUDIT_VERIFY: "审计日志校验",
    JobKind.COMPARISON_MONTHLY: "每月比对",
    JobKind.SHARE_PUBLISH: "每月发布推送名单",
    JobKind.NOTIFICATIONS_CLEAN: "清理过期的站内通知",
    JobKind.RULE_SIMULATION: "规则变更模拟",
}

# 按名字查找处理函数（不从任务行导入任何东西）；这样 jobs 不必导入各个应用。
HANDLERS: dict[str, str] = {
    JobKind.UPLOAD_CHECK: "shouhu.web.exchange.jobs.handle_upload_check",
    JobKind.UPLOAD_STORE: "shouhu.web.exchange.jobs.handle_upload_store",
    JobKind.COMPARISON_RUN: "shouhu.web.comparison.jobs.handle_comparison_run",
    JobKind.AUDIT_VERIFY: "shouhu.web.audit.jobs.handle_audit_verify",
    JobKind.COMPARISON_MONTHLY: "shouhu.web.comparison.jobs.handle_comparison_monthly",
    JobKind.SUBMISSION_REMINDERS: "shouhu.web.exchange.jobs.handle_submission_reminders",
    JobKind.CASE_PLANS: "shouhu.web.cases.plans.handle_case_plans",
    JobKind.SHARE_PUBLISH: "shouhu.web.shares.jobs.handle_share_publish",
    JobKind.NOTIFICATIONS_CLEAN: "shouhu.web.notifications.services.handle_notifications_clean",
    JobKind.RULE_SIMULATION: "shouhu.web.comparison.jobs.handle_rule_simulation",
}


# 例行清理：worker 启动时和之后每小时做一次（不必另配定时任务）。每项可重复执行。
HOUSEKEEPING: tuple[str, ...] = (
    "shouhu.web.exchange.retention.retention_purge",
    "shouhu.web.comparison.stale.comparison_runs_stale_fail",
)


def handler_for(kind: str) -> Handler:
    handler: Handler = import_string(HANDLERS[kind])
    return handler
