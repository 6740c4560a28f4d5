"""`shouhu user|agency|roster …`：在服务器上管理账户、部门和名册（与网页上的系统管理同一套服务）。

    shouhu user create --username zhangsan --name 张三 --role child_director --division 150802102201
    shouhu user reset-password zhangsan        # 打印临时密码（只此一次），本人下次登录须先改
    shouhu user reset-second-factor zhangsan   # 手机丢了：本人下次登录重新登记动态验证码
    shouhu agency create --division 150802 --type court --name 临河区人民法院
    shouhu agency items 150802:court --set court_judgment
    shouhu roster add --duty child_director --name 张三 --phone 13900001111 --division 150802102201

命令行没有辖区限制，也可以开设三员（系统管理员、安全管理员、安全审计员）的账户——这正是
三员分立的做法：网页上的系统管理员不能授予这三种角色。审计记下操作系统的用户名。
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from shouhu.web import django_setup
from shouhu.web.accounts.commands import agency_ref, cli_actor, cli_ctx

ROLE_HELP = (
    "角色代码：data_submitter 数据报送员、caseworker 民政经办、child_director 儿童主任、"
    "supervisor 儿童督导员、department_user 部门用户、leader 领导、auditor 安全审计员、"
    "security_admin 安全管理员、administrator 系统管理员"
)


def _domain(call: Callable[[], Any]) -> Any:
    """调用服务；领域错误变成一行中文、非零退出。"""
    from shouhu.core.errors import DomainError

    try:
        return call()
    except DomainError as exc:
        raise click.ClickException(exc.message) from None


def _division(code: str) -> Any:
    from shouhu.core.identity import InvalidDivisionCode, canonical_division_code
    from shouhu.web.registry.models import Division

    try:
        found = Division.objects.filter(code=canonical_division_code(code)).first()
    except InvalidDivisionCode:
        found = None
    if found is None:
        raise click.BadParameter(f"区划表中没有 {code}（乡、村两级须先用 division import 导入）")
    return found


def _user(username: str) -> Any:
    from shouhu.web.accounts.models import User

    found = User.objects.filter(username=username).select_related("division", "agency").first()
    if found is None:
        raise click.BadParameter(f"没有用户 {username}")
    return found


def _issued(issued: Any, what: str) -> None:
    user = issued.user
    click.echo(f"{what} {user.username}（{user.get_role_display()}，{user.division.name}）")
    click.echo("临时密码（只显示这一次，本人首次登录须修改）：")
    click.echo(issued.password)


# ---------------------------------------------------------------- user


@click.group()
def user() -> None:
    """平台账户（开设、变更、停用、启用、解锁、重置密码、列出）。"""


@user.command("create")
@click.option("--username", required=True)
@click.option("--name", "full_name", required=True, help="真实姓名")
@click.option("--role", required=True, help=ROLE_HELP)
@click.option("--division", required=True, help="辖区的区划代码")
@click.option("--agency", default="", help="所属部门：编号，或 区划代码:部门类型")
def user_create_command(
    username: str, full_name: str, role: str, division: str, agency: str
) -> None:
    """开设账户，打印临时密码。"""
    django_setup()
    from shouhu.web.accounts.users import account_create

    issued = _domain(
        lambda: account_create(
            ctx=cli_ctx(),
            username=username,
            full_name=full_name,
            role=role,
            division=_division(division),
            agency=agency_ref(agency) if agency else None,
            actor=cli_actor(),
        )
    )
    _issued(issued, "已开设账户")


@user.command("update")
@click.argument("username")
@click.option("--name", "full_name", default=None, help="真实姓名")
@click.option("--role", default=None, help=ROLE_HELP)
@click.option("--division", default=None, help="辖区的区划代码")
@click.option("--agency", default=None, help="所属部门；空串为无")
def user_update_command(
    username: str, full_name: str | None, role: str | None, division: str | None, agency: str | None
) -> None:
    """变更姓名、角色、辖区或所属部门（未给的不变）。"""
    django_setup()
    from shouhu.web.accounts.users import account_update

    found = _user(username)
    new_agency = found.agency
    if agency is not None:  # 给了空串即“无”
        new_agency = agency_ref(agency) if agency else None
    _domain(
        lambda: account_update(
            ctx=cli_ctx(),
            user=found,
            full_name=found.full_name if full_name is None else full_name,
            role=role or found.role,
            division=_division(division) if division else found.division,
            agency=new_agency,
            actor=cli_actor(),
        )
    )
    click.echo(f"已保存 {username}。")


def _simple(name: str, service: str, done: str) -> None:
    @user.command(name)
    @click.argument("username")
    def command(username: str) -> None:
        django_setup()
        from shouhu.web.accounts import users

        act = getattr(users, service)
        _domain(lambda: act(ctx=cli_ctx(), user=_user(username), actor=cli_actor()))
        click.echo(f"已{done}账户 {username}。")

    command.__doc__ = f"{done}账户。"


_simple("disable", "account_disable", "停用")
_simple("enable", "account_enable", "启用")
_simple("unlock", "account_unlock", "解锁")
_simple("reset-second-factor", "account_second_factor_reset", "重置动态验证码：")


@user.command("reset-password")
@click.argument("username")
def user_reset_command(username: str) -> None:
    """重置为临时密码并打印（只此一次）；本人下次登录须先改密码。"""
    django_setup()
    from shouhu.web.accounts.users import account_password_reset

    issued = _domain(
        lambda: account_password_reset(ctx=cli_ctx(), user=_user(username), actor=cli_actor())
    )
    _issued(issued, "已重置密码：")


@user.command("list")
@click.option("--division", default="", help="只列这个区划及其下级的账户")
def user_list_command(division: str) -> None:
    """列出账户（不含接口凭证的服务账户）。"""
    django_setup()
    from shouhu.web.accounts.models import User
    from shouhu.web.accounts.selectors import account_status

    users = User.objects.filter(credential__isnull=True).select_related("division", "agency")
    if division:
        users = users.filter(division__path__startswith=_division(division).path)
    for found in users.order_by("division_id", "username"):
        _, status = account_status(found)
        agency = found.agency.name if found.agency else "—"
        click.echo(
            f"{found.username}\t{found.full_name}\t{found.get_role_display()}\t"
            f"{found.division.name}（{found.division_id}）\t{agency}\t{status}"
        )


# ---------------------------------------------------------------- agency


@click.group()
def agency() -> None:
    """部门（开设、列出、设定报送的数据项）。"""


@agency.command("create")
@click.option("--division", required=True, help="所在区划代码")
@click.option("--type", "agency_type", required=True, help="部门类型代码，如 court、education")
@click.option("--name", required=True)
def agency_create_command(division: str, agency_type: str, name: str) -> None:
    django_setup()
    from shouhu.web.accounts.agencies import agency_add

    found = _domain(
        lambda: agency_add(
            ctx=cli_ctx(),
            name=name,
            agency_type=agency_type,
            division=_division(division),
            actor=cli_actor(),
        )
    )
    click.echo(f"已开设部门 {found.pk}：{found.name}")


@agency.command("list")
def agency_list_command() -> None:
    django_setup()
    from shouhu.web.accounts.agencies import agency_items
    from shouhu.web.accounts.models import Agency

    for found in Agency.objects.select_related("division").order_by("division_id", "agency_type"):
        items = "全部" if found.item_codes is None else ",".join(found.item_codes)
        count = len(agency_items(found))
        click.echo(
            f"{found.pk}\t{found.division_id}:{found.agency_type}\t{found.name}\t"
            f"报送 {count} 项（{items}）"
        )


@agency.command("items")
@click.argument("ref")
@click.option("--set", "codes", default=None, help="报送的数据项代码，逗号分隔")
@click.option("--all", "all_items", is_flag=True, help="恢复为数据目录中的全部")
def agency_items_command(ref: str, codes: str | None, all_items: bool) -> None:
    """查看或设定部门报送的数据项。"""
    django_setup()
    from shouhu.web.accounts.agencies import agency_catalog_items, agency_update

    found = agency_ref(ref)
    if codes is not None or all_items:
        chosen = None if all_items else (codes or "").split(",")
        _domain(
            lambda: agency_update(
                ctx=cli_ctx(), agency=found, name=found.name, item_codes=chosen, actor=cli_actor()
            )
        )
    provided = None if found.item_codes is None else set(found.item_codes)
    for item in agency_catalog_items(found):
        mark = "✓" if provided is None or item.code in provided else " "
        click.echo(f"{mark} {item.code}\t{item.name}")


# ---------------------------------------------------------------- roster


@click.group()
def roster() -> None:
    """儿童主任（村、居）和儿童督导员（乡镇、街道）名册。"""


@roster.command("add")
@click.option("--duty", required=True, type=click.Choice(["child_director", "supervisor"]))
@click.option("--name", "full_name", required=True)
@click.option("--phone", default="")
@click.option("--division", required=True, help="负责的村（居）或乡镇（街道）的区划代码")
@click.option("--username", default="", help="同时开通账户（打印临时密码）")
@click.option("--agency", default="", help="账户所属部门，如 150802:civil_affairs")
def roster_add_command(
    duty: str, full_name: str, phone: str, division: str, username: str, agency: str
) -> None:
    django_setup()
    from shouhu.web.accounts.roster import roster_account_create, roster_add

    member = _domain(
        lambda: roster_add(
            ctx=cli_ctx(),
            duty=duty,
            full_name=full_name,
            phone=phone,
            division=_division(division),
            actor=cli_actor(),
        )
    )
    click.echo(f"已登记，名册编号 {member.pk}。")
    if username:
        issued = _domain(
            lambda: roster_account_create(
                ctx=cli_ctx(),
                member=member,
                username=username,
                agency=agency_ref(agency) if agency else None,
                actor=cli_actor(),
            )
        )
        _issued(issued, "已开通账户")


@roster.command("list")
@click.option("--division", default="", help="只列这个区划及其下级")
@click.option("--all", "include_left", is_flag=True, help="含已离任的")
def roster_list_command(division: str, include_left: bool) -> None:
    django_setup()
    from shouhu.web.accounts.models import RosterMember

    members = RosterMember.objects.select_related("division", "user")
    if division:
        members = members.filter(division__path__startswith=_division(division).path)
    if not include_left:
        members = members.filter(left_at__isnull=True)
    for m in members.order_by("division_id", "duty", "pk"):
        account = m.user.username if m.user else "未开通"
        left = "\t已离任" if m.left_at else ""
        click.echo(
            f"{m.pk}\t{m.get_duty_display()}\t{m.full_name}\t{m.phone or '—'}\t"
            f"{m.division.name}（{m.division_id}）\t{account}{left}"
        )


@roster.command("close")
@click.argument("member_id", type=int)
def roster_close_command(member_id: int) -> None:
    """记为离任（相连的账户一并停用）。"""
    django_setup()
    from shouhu.web.accounts.models import RosterMember
    from shouhu.web.accounts.roster import roster_close

    member = RosterMember.objects.filter(pk=member_id).select_related("user").first()
    if member is None:
        raise click.BadParameter(f"名册上没有编号 {member_id}")
    roster_close(ctx=cli_ctx(), member=member, actor=cli_actor())
    click.echo(f"已记为离任：名册编号 {member_id}。")
