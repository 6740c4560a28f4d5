"""`shouhu query ask|log`：民政平台就个案儿童的父母向部门平台查询；两边查看查询记录。

ask 以一个民政账号的身份运行（个案须是该账号看得到的），对方地址和令牌取自 SHOUHU_QUERY_PEERS；
log 列出本平台的查询记录（部门平台上即“谁、为什么、就哪些个案、问了多少人”），不含姓名和号码；
ask 的输出给经办人员看：父母姓名、脱敏号码和结果。
"""

from __future__ import annotations

import sys
from collections.abc import Iterable

import click

from shouhu.web import django_setup


def _fail(message: str) -> None:
    click.echo(f"错误：{message}", err=True)
    sys.exit(2)


def _labels(codes: Iterable[str]) -> str:
    """命令行上要照着输入代码，所以代码连同中文名：review（定期核查）。"""
    from shouhu.core.catalog import purpose_label

    return "、".join(f"{c}（{purpose_label(c)}）" for c in codes)


@click.group("query")
def query() -> None:
    """查询服务（只查询的数据项）。"""


@query.command("ask")
@click.option(
    "--case", "case_ids", required=True, multiple=True, type=int, help="个案编号，可多次给出。"
)
@click.option("--item", "item_code", required=True, help="数据项代码（如 justice_custody）。")
@click.option(
    "--purpose", default="review", show_default=True,
    help="用途代码（core/catalog/purposes.toml，如 review 定期核查、determination 资格确认）。",
)  # fmt: skip
@click.option("--user", "username", required=True, help="以哪个民政账号的身份查询。")
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), default=None)
def ask(
    case_ids: tuple[int, ...], item_code: str, purpose: str, username: str, as_of: object
) -> None:
    """向部门平台查询这些个案儿童的父母是否在执行。"""
    django_setup()
    from shouhu.core.catalog import catalog_load, purpose_label
    from shouhu.core.errors import DomainError
    from shouhu.core.identity import mask_id_number
    from shouhu.web import access
    from shouhu.web.accounts.models import User
    from shouhu.web.audit.context import RequestContext
    from shouhu.web.queries.client import peer_for, peer_name
    from shouhu.web.queries.services import query_ask, reply_status

    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        _fail(f"没有账号 {username}")
    ctx = RequestContext(user=user, client_ip="", purpose=purpose)
    try:
        item = catalog_load(user.division_id[:6]).item(item_code)
        if purpose not in item.purposes:
            _fail(f"数据项“{item.name}”不能用于该用途，允许的用途：{_labels(item.purposes)}")
        cases = access.access_query_cases(ctx, list(case_ids))
        _, send = peer_for(item.code)
        day = as_of.date() if as_of else None  # type: ignore[attr-defined]
        answers = query_ask(ctx=ctx, cases=cases, item=item, purpose=purpose, send=send,
                            peer=peer_name(item), as_of=day)  # fmt: skip
    except DomainError as exc:
        _fail(exc.message)
    click.echo(f"向{peer_name(item)}查询“{item.name}”，用途：{purpose_label(purpose)}")
    for a in answers:
        r = a.reply
        status = reply_status(r)
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

    from shouhu.web.queries.log_pages import log_rows
    from shouhu.web.queries.models import QueryLog

    since = timezone.now() - timedelta(days=days)
    logs = QueryLog.objects.filter(at__gte=since).select_related("agency", "user")
    chosen = list(logs.order_by("at", "pk"))
    for log, row in zip(chosen, log_rows(chosen), strict=True):
        when = timezone.localtime(row.at).strftime("%Y-%m-%d %H:%M")
        cases = "、".join(str(c) for c in log.case_refs)
        click.echo(
            f"{when}  {row.direction}  {row.party}  {row.purpose}  {row.item}  个案 {cases}  "
            f"询问 {row.persons} 人，在名单中 {row.found}，在执行 {row.in_force}"
        )


@query.command("import-pprl")
@click.argument("response_path", metavar="RESPONSE", type=click.Path(exists=True, dir_okay=False))
@click.argument("persons_path", metavar="FILE", type=click.Path(exists=True, dir_okay=False))
@click.option("--agency", required=True, help="答复的部门：部门编号，或 区划代码:部门类型。")
@click.option("--signing-key", required=True, type=click.Path(exists=True, dir_okay=False),
              help="民政私钥文件（解开答复包）。")  # fmt: skip
@click.option("--trust", required=True, type=click.Path(exists=True, dir_okay=False),
              help="该部门的公钥文件（验签）。")  # fmt: skip
def import_pprl(
    response_path: str, persons_path: str, agency: str, signing_key: str, trust: str
) -> None:
    """把部门内部比对的答复包入库：对上的人成为该部门该月的事实，进入每月比对。"""
    django_setup()
    from pathlib import Path

    from shouhu.core.errors import DomainError
    from shouhu.core.exchange import read_table
    from shouhu.core.exchange.package import PackageRefused, package_open
    from shouhu.core.exchange.package_keys import (
        TrustStore,
        private_keys_load,
        public_keys_load,
    )
    from shouhu.core.pprl import RESPONSE_FILENAME, response_load
    from shouhu.core.pprl.files import persons_errors, persons_item, persons_read
    from shouhu.web.audit.context import RequestContext
    from shouhu.web.exchange.commands import _agency
    from shouhu.web.exchange.items import item_for_agency
    from shouhu.web.queries.services import pprl_answers_store

    department = _agency(agency)
    try:
        trusted = public_keys_load(Path(trust).read_bytes())
        if trusted.agency.agency_type != department.agency_type:
            _fail(f"公钥属于{trusted.agency.label}，不是{department.name}")
        opened = package_open(
            Path(response_path).read_bytes(), trust=TrustStore([trusted]),
            recipient=private_keys_load(Path(signing_key).read_bytes()), seen=lambda _: False,
        )  # fmt: skip
        if opened.header.filename != RESPONSE_FILENAME:
            _fail(f"{response_path} 不是部门内部比对的答复包")
        response = response_load(opened.content)
        item = item_for_agency(department, response.item_code)
        table = read_table(Path(persons_path).read_bytes(), filename=Path(persons_path).name,
                           item=persons_item(item))  # fmt: skip
        if table.rejected_whole or persons_errors(table):
            _fail(f"{persons_path} 有错误，请用生成请求时的同一份待核查人员表")
        ctx = RequestContext(user=None, client_ip="", purpose="comparison")
        outcome = pprl_answers_store(
            ctx=ctx, agency=department, item=item, response=response,
            persons=persons_read(table),
        )  # fmt: skip
    except PackageRefused as exc:
        _fail(f"{response_path}：拒收——{exc.message}")
    except DomainError as exc:
        _fail(exc.message)
    if outcome.submission is None:
        _fail(outcome.rejected_whole or "答复无法入库")
    state = "已入库过，未重复入库" if outcome.duplicate else "已入库"
    click.echo(
        f"{state}：回执 {outcome.submission.receipt_number}，对上 {outcome.rows_accepted} 人，"
        f"新增事实 {outcome.facts_created} 条。下次比对时据此发现儿童。"
    )
