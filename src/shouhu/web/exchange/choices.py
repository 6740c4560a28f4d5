"""报送的代码表：事实类型、报送方式、回执状态、上传状态。

放在模型之外，是为了让页面和接口用得到这些代码而不必导入含个人信息的模型（见 pyproject 的
import-linter 约定）。事实类型及其中文名来自 core 的规则词汇表，只定义一次。
"""

from __future__ import annotations

from django.db import models

from shouhu.core.policy.vocabulary import FACT_LABELS

FactType = models.TextChoices(  # type: ignore[misc]
    "FactType", [(code.upper(), (code, label)) for code, label in FACT_LABELS.items()]
)


class Channel(models.TextChoices):
    UPLOAD = "upload", "网页上传"
    API = "api", "系统接口"
    PACKAGE = "package", "离线交换包"
    DEMO = "demo", "演示数据"
    CLI = "cli", "命令行导入"


class SubmissionStatus(models.TextChoices):
    ACCEPTED = "accepted", "全部接收"
    PARTIAL = "partial", "部分接收"
    REJECTED = "rejected", "全部退回"


class UploadStatus(models.TextChoices):
    RECEIVED = "received", "已收到，待校验"
    CHECKED = "checked", "已校验，待确认"
    STORED = "stored", "已报送"
    DISCARDED = "discarded", "已放弃"
    REJECTED = "rejected", "整份拒收"


class Acceptance(models.TextChoices):
    """部门报送了本部门辖区以外的人的事实：先由当地民政接收，才用于认定和比对（安全测试 M5）。"""

    NOT_NEEDED = "", "无需接收"
    PENDING = "pending", "待当地民政接收"
    ACCEPTED = "accepted", "已接收"
    REFUSED = "refused", "未接收"


# 用于认定和比对的事实：当前版本，且不是待接收或未接收的外地事实
UNUSABLE_ACCEPTANCE = (Acceptance.PENDING, Acceptance.REFUSED)
