"""The tamper-evident audit log (信息使用日志): who saw, exported or changed what, when and why.

Entries form a hash chain: `hash = SHA-256(canonical(entry) including prev_hash)`, with `seq`
numbered without gaps from 1. `AuditHead` holds the last seq and hash; appending locks it, so
entries are strictly ordered on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from django.db import models

from shouhu.core.catalog import catalog_load


class Action(models.TextChoices):
    VIEW = "view", "查看"
    SEARCH = "search", "查询"
    EXPORT = "export", "导出"
    CREATE = "create", "新增"
    UPDATE = "update", "修改"
    CLOSE = "close", "终止"
    ASSESS = "assess", "资格评估"
    DENY = "deny", "拒绝访问"
    LOGIN = "login", "登录"
    LOGIN_FAILED = "login_failed", "登录失败"
    LOCKOUT = "lockout", "账户锁定"
    LOGOUT = "logout", "退出"


# 用途：全平台一份（core/catalog/purposes.toml），审计日志、授权、推送名单、导出共用。
Purpose = models.TextChoices(  # type: ignore[misc]
    "Purpose",
    [(code.upper(), (code, p.label)) for code, p in catalog_load().purposes.items()],
)


class ObjectType(models.TextChoices):
    """审计日志里的对象类型：写日志的每个地方都用这里的值，审计员看到的是中文名。"""

    PERSON = "person", "人员"
    PERSON_LIST = "person_list", "人员查询"
    REGISTRY_LOAD = "registry_load", "户籍数据载入"
    PERSON_MERGE = "person_merge", "人员合并"
    AUDIT_LOG = "audit_log", "审计日志"
    ACCESS_REPORT = "access_report", "查看记录（给监护人）"
    ACCESS_SUPPRESSION = "access_suppression", "查看记录不告知"
    DUPLICATE_LIST = "duplicate_list", "疑似重复人员"
    FACT = "fact", "事实"
    CASE = "case", "个案"
    REGISTER_IMPORT = "register_import", "台账导入"
    REVIEW = "review", "核查"
    VISIT = "visit", "探访"
    RISK_CHANGE = "risk_change", "风险等级变化"
    MAJOR_CHANGE = "major_change", "重大变故"
    MANDATORY_REPORT = "mandatory_report", "强制报告"
    CASE_FORM = "case_form", "个案文书"
    CASE_TRANSFER = "case_transfer", "个案迁移"
    CASE_WORK_LIST = "case_work_list", "个案工作清单"
    CHILD_REGISTER = "child_register", "困境儿童和留守儿童名册"
    FIELD_PACKAGE = "field_package", "离线走访数据包"
    FIELD_SYNC = "field_sync", "离线记录同步"
    VISIT_PHOTO = "visit_photo", "探访照片"
    APPLICATION = "application", "申请（纳入或终止保障）"
    APPLICATION_LIST = "application_list", "申请列表"
    CASE_DOCUMENT = "case_document", "证明材料"
    DIVISION = "division", "区划"
    DIVISION_IMPORT = "division_import", "区划代码表导入"
    ADMINISTRATION = "administration", "系统管理"
    USER_LIST = "user_list", "用户列表"
    AGENCY = "agency", "部门"
    ROSTER = "roster", "儿童主任和督导员名册"
    ROSTER_MEMBER = "roster_member", "名册人员"
    GRANTS = "grants", "共享授权"
    DASHBOARD = "dashboard", "统计概览"
    ASSESS = "assess", "资格认定"
    FINDING = "finding", "比对发现"
    FINDING_LIST = "finding_list", "比对发现列表"
    COMPARISON_RUN = "comparison_run", "比对运行"
    COMPARISON_RUN_LIST = "comparison_run_list", "比对运行列表"
    COMPARISON_FINDINGS = "comparison_findings", "比对结果导出"
    RULE_SIMULATION = "rule_simulation", "规则变更模拟"
    OBJECTION = "objection", "疑义"
    OBJECTION_LIST = "objection_list", "疑义列表"
    OBJECTION_QUEUE = "objection_queue", "待校核疑义"
    SUBMISSION = "submission", "报送批次"
    SUBMISSION_ATTEMPT = "submission_attempt", "报送尝试"
    SUBMISSION_FORM = "submission_form", "数据报送"
    SUBMISSION_LIST = "submission_list", "报送回执列表"
    RECEIPT = "receipt", "报送回执"
    ERROR_REPORT = "error_report", "错误报告"
    UPLOAD = "upload", "上传文件"
    UPLOAD_ERROR_REPORT = "upload_error_report", "上传文件错误报告"
    DATA_ITEM = "data_item", "数据项"
    TEMPLATE = "template", "报送模板"
    TIMELINESS = "timeliness", "报送情况"
    OFFLINE_PACKAGE = "offline_package", "离线交换包"
    JOB = "job", "后台任务"
    CREDENTIAL = "credential", "接口凭证"
    STAT_REPORT = "stat_report", "统计报表"
    USER = "user", "用户"
    GRANT = "grant", "共享授权"
    DEMO = "demo", "演示数据"
    SUBSIDY_ROSTER = "subsidy_roster", "补贴名册"
    PAYMENT_RESULT = "payment_result", "补贴发放结果"
    OVERPAYMENT = "overpayment", "补贴多发追回"
    SHARE_LIST = "share_list", "推送名单"
    JOINT_TASK = "joint_task", "联席会议任务"
    DATA_QUALITY = "data_quality", "各部门数据质量"
    SHARE_FEEDBACK = "share_feedback", "推送名单反馈"
    REQUEST = "request", "网页请求"  # CSRF 等在视图之前就被拒绝的请求
    QUERY = "query", "查询服务"  # 只查询的数据项：民政提出、部门答复的查询
    NOTIFICATION = "notification", "站内通知"


class AuditEntry(models.Model):
    seq = models.BigIntegerField("序号", primary_key=True)
    at = models.DateTimeField("时间")
    actor_id = models.BigIntegerField("用户ID", null=True, blank=True)
    actor_username = models.CharField("用户名", max_length=150, blank=True)
    role = models.CharField("角色", max_length=32, blank=True)
    agency = models.CharField("部门", max_length=100, blank=True)
    division_code = models.CharField("区划", max_length=12, blank=True)
    action = models.CharField("操作", max_length=16, choices=Action.choices)
    object_type = models.CharField(
        "对象类型", max_length=32, blank=True, choices=ObjectType.choices
    )
    object_id = models.CharField("对象", max_length=64, blank=True)
    purpose = models.CharField("用途", max_length=24, choices=Purpose.choices)
    client_ip = models.CharField("客户端地址", max_length=45, blank=True)
    detail = models.JSONField("说明", default=dict, help_text="never personal data")
    prev_hash = models.CharField(max_length=64)
    key_id = models.CharField("签名密钥", max_length=16, default="")
    hash = models.CharField(max_length=64, help_text="SM3-HMAC of the entry (audit/chain.py)")

    class Meta:
        verbose_name = "审计日志"
        ordering = ["seq"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["actor_id", "at"]),
        ]


class AuditHead(models.Model):
    """A single row: the chain's tip. Locked while appending so that seq has no gaps or races."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)
    chain_id = models.CharField(
        max_length=32, default="", help_text="names this chain in the witness"
    )


class AccessSuppression(models.Model):
    """给监护人的查看记录里不列出某类机关的查看（如侦查中的公安、检察机关），到期为止。

    由安全管理员设定；审计员仍能看到全部记录。
    """

    agency_type = models.CharField("机关类型", max_length=32)
    until = models.DateField("截止日期")
    reason = models.CharField("依据", max_length=200)
    set_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "查看记录不告知"
        ordering = ["-pk"]


class ChainCheck(models.Model):
    """一次审计日志校验的结果（命令行或审计台发起）。"""

    at = models.DateTimeField(auto_now_add=True)
    ok = models.BooleanField("完整")
    checked = models.BigIntegerField("校验条数")
    first_bad_seq = models.BigIntegerField("首个问题条目", null=True, blank=True)
    message = models.CharField("说明", max_length=300, blank=True)
    by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "审计日志校验"
        ordering = ["-pk"]
