"""`shouhu query ask|log`：民政平台就个案儿童的父母向部门平台查询；两边查看查询记录。

ask 以一个民政账号的身份运行（个案须是该账号看得到的），对方地址和令牌取自 SHOUHU_QUERY_PEERS；
log 列出本平台的查询记录（部门平台上即“谁、为什么、就哪些个案、问了多少人”），不含姓名和号码；
ask 的输出给经办人员看：父母姓名、脱敏号码和结果。
"""

from __future__ import annotations

import sys

import click

from shouhu.web import django_setup


def _fail(message: str) -> None:
    click.echo(f"错误：{message}", err=True)
    sys.exit(2)


@click.group("query")
def query() -> None:
    """查询服务（只查询的数据项）。"""


@query.command("ask")
@click.option(
    "--case", "case_ids", required=True, multiple=True, type=int, help="个案编号，可多次给出。"
)
@click.option("--item", "item_code", required=True, help="数据项代码（如 justice_custody）。")
@click.option("--purpose", default="review", show_default=True, help="用途代码。")
@click.option("--user", "username", required=True, help="以哪个民政账号的身份查询。")
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), default=None)
def ask(
    case_ids: tuple[int, ...], item_code: str, purpose: str, username: str, as_of: object
) -> None:
    """向部门平台查询这些个案儿童的父母是否在执行。"""
    django_setup()
    from shouhu.core.catalog import catalog_load
    from shouhu.core.errors import DomainError
    from shouhu.core.identity import mask_id_number
    from shouhu.web import access
    from shouhu.web.accounts.models import User
    from shouhu.web.audit.context import RequestContext
    from shouhu.web.queries.client import peer_for
    from shouhu.web.queries.services import query_ask

    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        _fail(f"没有账号 {username}")
    ctx = RequestContext(user=user, client_ip="", purpose=purpose)
    try:
        item = catalog_load(user.division_id[:6]).item(item_code)
        cases = access.access_query_cases(ctx, list(case_ids))
        peer, send = peer_for(item.code)
        day = as_of.date() if as_of else None  # type: ignore[attr-defined]
        answers = query_ask(
            ctx=ctx, cases=cases, item=item, purpose=purpose, send=send, peer=peer, as_of=day
        )
    except DomainError as exc:
        _fail(exc.message)
    for a in answers:
        r = a.reply
        status = "不在部门名单中" if not r.found else ("在执行" if r.in_force else "已结束")
        dates = f"  {r.since or ''} 至 {r.until or '（无期或未定）'}" if r.found else ""
        number = mask_id_number(a.parent.id_number or "")
        click.echo(f"个案 {a.case.pk}  {a.parent.name}  {number}  {status}{dates}")


@query.command("log")
@click.option("--days", default=30, show_default=True, type=int)
def log(days: int) -> None:
    """本平台的查询记录：时间、方向、对方、用途、个案、人数、在名单中、在执行。"""
    django_setup()
    from datetime import timedelta

    from django.utils import timezone

    from shouhu.web.queries.models import QueryLog

    since = timezone.now() - timedelta(days=days)
    for row in QueryLog.objects.filter(at__gte=since).order_by("at"):
        when = timezone.localtime(row.at).strftime("%Y-%m-%d %H:%M")
        cases = "、".join(str(c) for c in row.case_refs)
        click.echo(
            f"{when}  {row.get_direction_display()}  {row.peer}  {row.get_purpose_display()}  "
            f"{row.item_code}  个案 {cases}  询问 {row.persons} 人，在名单中 {row.found}，"
            f"在执行 {row.in_force}"
        )
