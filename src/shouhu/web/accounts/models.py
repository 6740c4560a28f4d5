"""部门、用户、接口凭证和儿童主任、督导员名册，各在一个行政区划。"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from shouhu.core.catalog import AGENCY_LABELS
from shouhu.web.accounts.permissions import Role

# 部门类型：代码和中文名都来自 core 的 AGENCY_LABELS（一处定义）。
AgencyType = models.TextChoices(  # type: ignore[misc]
    "AgencyType", [(code.upper(), (code, label)) for code, label in AGENCY_LABELS.items()]
)


class Agency(models.Model):
    """A department (部门) at a division: the civil-affairs bureau of 临河区, its court, …"""

    name = models.CharField("名称", max_length=100)
    agency_type = models.CharField("部门类型", max_length=32, choices=AgencyType.choices)
    division = models.ForeignKey(
        "registry.Division", on_delete=models.PROTECT, related_name="agencies", verbose_name="区划"
    )
    # 本部门报送的数据项：空（None）为部门类型在数据目录中的全部数据项；系统管理员可以收窄。
    item_codes = models.JSONField("报送的数据项", null=True, blank=True, default=None)
    # 逾期催报的短信发到这里（部门的联系人；短信只有部门名和逾期项数，见 notify.py）
    contact_phone = models.CharField("联系电话（催报短信）", max_length=20, blank=True)

    class Meta:
        verbose_name = "部门"
        constraints = [
            models.UniqueConstraint(
                fields=["agency_type", "division"], name="agency_one_per_type_division"
            )
        ]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who signs in. Sees only the subtree of `division`, with the rights of `role`."""

    full_name = models.CharField("姓名", max_length=50, blank=True)
    role = models.CharField("角色", max_length=32, choices=Role.choices)
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name="所属部门",
    )
    division = models.ForeignKey(
        "registry.Division", on_delete=models.PROTECT, related_name="users", verbose_name="管辖区划"
    )
    # 同一账户名从各处的失败次数达到上限时（分散猜密码）记下到何时为止，供管理员查看、解除；
    # 登录页对所有人的答复都一样，不因此透露账户是否存在（accounts.signin）。
    locked_until = models.DateTimeField("锁定至", null=True, blank=True)
    # 管理员开设账户或重置密码后为真：下次登录须先改密码，改好之前打不开别的页面。
    must_change_password = models.BooleanField("须修改密码", default=False)
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)

    REQUIRED_FIELDS = ["role", "division"]

    class Meta:
        verbose_name = "用户"

    def __str__(self) -> str:
        return self.username


class SystemCredential(models.Model):
    """A department system's API credential (系统接口凭证), scoped to its agency and some items.

    The token is shown once, at creation; only its SHA-256 is stored, with a short random prefix
    to find it. Tokens are 256-bit random, so a fast hash is enough (a slow one would only cost
    every API call). Each credential acts through its own service account (`account`), a user
    who cannot sign in, so that audit entries and receipts name the system like any other actor.
    """

    name = models.CharField("名称", max_length=100)
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="credentials", verbose_name="所属部门"
    )
    item_codes = models.JSONField("可报送的数据项", default=list)
    # 接收推送名单的凭证：可取哪些用途的名单、报反馈（只限所属部门、部门所在区划的名单）
    share_purposes = models.JSONField("可接收的推送名单用途", default=list, blank=True)
    account = models.OneToOneField(
        User, on_delete=models.PROTECT, related_name="credential", verbose_name="服务账户"
    )
    token_prefix = models.CharField("令牌前缀", max_length=16, unique=True)
    token_sha256 = models.CharField("令牌哈希", max_length=64)
    # 绑定的客户端证书（SHA-256 指纹，小写十六进制）：非空时，请求须经受信任的代理带来这张
    # 经校验的证书，令牌被盗而没有证书私钥也用不了（shouhu credential bind）
    client_cert_sha256 = models.CharField("绑定的客户端证书指纹", max_length=64, blank=True)
    created_at = models.DateTimeField("签发时间", auto_now_add=True)
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    expires_at = models.DateTimeField("有效期至")

    class Meta:
        verbose_name = "系统接口凭证"

    def __str__(self) -> str:
        return f"{self.name}（{self.token_prefix}）"


class RosterMember(models.Model):
    """名册上的一个人：村（居）的儿童主任，或乡镇（街道）的儿童督导员。

    有平台账户时与账户相连（`user`）；没有账户的也在名册上（很多村的儿童主任只用电话联系）。
    离任的不删除，记下离任时间。
    """

    duty = models.CharField(
        "职务",
        max_length=32,
        choices=[
            (Role.CHILD_DIRECTOR.value, Role.CHILD_DIRECTOR.label),
            (Role.SUPERVISOR.value, Role.SUPERVISOR.label),
        ],
    )
    full_name = models.CharField("姓名", max_length=50)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    division = models.ForeignKey(
        "registry.Division",
        on_delete=models.PROTECT,
        related_name="roster",
        verbose_name="负责区域",
    )
    user = models.OneToOneField(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="roster_member",
        verbose_name="平台账户",
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    left_at = models.DateTimeField("离任时间", null=True, blank=True)

    class Meta:
        verbose_name = "儿童主任和督导员名册"
        indexes = [models.Index(fields=["division", "duty"])]

    def __str__(self) -> str:
        return f"名册#{self.pk}"


class SignInStep(models.TextChoices):
    PASSWORD = "password", "密码"
    SECOND_FACTOR = "second_factor", "动态验证码"


class SignInFailure(models.Model):
    """一次失败的登录（密码或动态验证码不对）。限流按客户端地址、输入的账户名在滑动时间窗里
    数这张表（accounts.signin）：多个服务进程共用同一计数，不需要缓存服务。账户名照输入的
    记（小写），不管账户是否存在，所以限流的答复也不透露这一点。"""

    at = models.DateTimeField("时间")
    username = models.CharField("输入的用户名", max_length=150)
    client_ip = models.CharField("客户端地址", max_length=45)
    step = models.CharField("环节", max_length=16, choices=SignInStep.choices)

    class Meta:
        verbose_name = "登录失败记录"
        indexes = [
            models.Index(fields=["username", "at"]),
            models.Index(fields=["client_ip", "at"]),
        ]


class SecondFactor(models.Model):
    """本人的动态验证码（TOTP，RFC 6238）：密钥加密存放（accounts.second_factor）；
    confirmed_at 为空的是扫码后还没输对验证码的登记。"""

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="second_factor", verbose_name="用户"
    )
    secret_sealed = models.CharField("密钥（加密）", max_length=200)
    created_at = models.DateTimeField("登记时间")
    confirmed_at = models.DateTimeField("启用时间", null=True, blank=True)
    # 最近一次接受的时间步：同一个验证码（或更早的）不能再用第二次。
    last_step = models.BigIntegerField("最近使用的时间步", default=0)

    class Meta:
        verbose_name = "动态验证码"


class RecoveryCode(models.Model):
    """手机丢了时用的恢复码：每个只能用一次；库里只有带密钥的哈希（HMAC-SHA256）。"""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="recovery_codes", verbose_name="用户"
    )
    code_hmac = models.CharField("恢复码哈希", max_length=64, unique=True)
    used_at = models.DateTimeField("使用时间", null=True, blank=True)

    class Meta:
        verbose_name = "恢复码"


class RateWindow(models.Model):
    """固定时间窗里的请求计数（接口凭证等的限流）：key 为“credential:12”之类。"""

    key = models.CharField("对象", max_length=64)
    start = models.DateTimeField("时间窗开始")
    count = models.PositiveIntegerField("次数", default=0)

    class Meta:
        verbose_name = "请求计数"
        constraints = [
            models.UniqueConstraint(fields=["key", "start"], name="rate_window_one_per_key_start")
        ]
