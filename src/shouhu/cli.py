"""The `shouhu` command. Platform commands set up Django lazily; pure commands never import it."""

from __future__ import annotations

import sys

import click

from shouhu.commands.assess import assess
from shouhu.commands.compare import compare
from shouhu.commands.package import package
from shouhu.commands.pprl import pprl
from shouhu.commands.synth import synth
from shouhu.web import django_setup
from shouhu.web.accounts.commands import credential
from shouhu.web.accounts.division_commands import division
from shouhu.web.accounts.user_commands import agency, roster, user
from shouhu.web.cases.commands import register
from shouhu.web.comparison.commands import compare_db
from shouhu.web.exchange.commands import submission
from shouhu.web.exchange.package_command import import_ as package_import
from shouhu.web.exchange.sealing_commands import sealing
from shouhu.web.jobs.commands import worker
from shouhu.web.ops.commands import backup, restore
from shouhu.web.queries.commands import query
from shouhu.web.registry.commands import registry


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="shouhu")
def main() -> None:
    """守护：孤儿和事实无人抚养儿童数据共享、比对与协同保障平台。"""


@main.command(context_settings={"ignore_unknown_options": True, "help_option_names": []})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def manage(args: tuple[str, ...]) -> None:
    """Django 管理命令（migrate、createsuperuser……）。"""
    django_setup()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["shouhu manage", *args])


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--threads", default=0, type=int, help="工作线程数（默认按核数：4×核数+4）")
@click.option("--worker/--no-worker", default=True, show_default=True,
              help="本进程带一个后台任务线程（另起 `shouhu worker` 时用 --no-worker）")  # fmt: skip
def serve(host: str, port: int, threads: int, worker: bool) -> None:
    """启动平台（WSGI 服务器 waitress；线程数、连接上限见 docs/operations.md）。"""
    django_setup()
    from django.core.management import call_command
    from waitress import serve as waitress_serve

    from shouhu.web.ops.serving import server_settings
    from shouhu.web.wsgi import application

    call_command("migrate", interactive=False, verbosity=0)
    from shouhu.web.registry.divisions import division_table_sync

    division_table_sync()  # 随包的全国区划表（幂等，已同步时只读一遍）
    if worker:
        from shouhu.web.jobs.worker import worker_thread_start

        worker_thread_start()  # 后台任务（大文件校验、入库）；另开 `shouhu worker` 可再加进程
    options = server_settings(threads)
    click.echo(
        f"守护平台已启动：http://{host}:{port}/  （{options.threads} 个线程，"
        f"最多 {options.connection_limit} 个连接；Ctrl+C 停止）"
    )
    waitress_serve(application, host=host, port=port, **options.waitress())


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--web-workers", default=0, type=int, help="网页进程数（默认 2×核数，至少 2）")
@click.option("--threads", default=4, show_default=True, type=int, help="每个网页进程的线程数")
@click.option("--job-workers", default=1, show_default=True, type=int, help="后台任务进程数")
def production(host: str, port: int, web_workers: int, threads: int, job_workers: int) -> None:
    """生产运行：gunicorn 网页进程 + 后台任务进程（含定时任务），退出的自动重启。"""
    django_setup()
    from shouhu.web.ops.production import cores, production_run

    production_run(host=host, port=port, web_workers=web_workers or max(2, 2 * cores()),
                   threads=threads, job_workers=job_workers, echo=click.echo)  # fmt: skip


@main.command()
@click.option("--persons", default=20_000, show_default=True, type=int, help="演示县人口数")
@click.option("--seed", default=2026, show_default=True, type=int)
@click.option("--code", "code_for", default="", help="只显示这个演示账户当前的动态验证码")
def demo(persons: int, seed: int, code_for: str) -> None:
    """建立演示地区（幂等）：区划、部门、每个角色一个演示用户、合成人口与事实。"""
    django_setup()
    from django.core.management import call_command

    from shouhu.core.errors import DomainError
    from shouhu.web.demo import demo_build, demo_code

    if code_for:
        try:
            click.echo(demo_code(code_for))
        except DomainError as exc:
            raise click.ClickException(exc.message) from None
        return
    call_command("migrate", interactive=False, verbosity=0)
    report = demo_build(persons=persons, seed=seed, echo=click.echo)
    click.echo(report)


@main.group()
def audit() -> None:
    """安全审计日志。"""


@audit.command("verify")
def audit_verify() -> None:
    """校验审计日志哈希链；发现被修改、删除或乱序插入的条目时以非零状态退出。"""
    django_setup()
    from shouhu.web.audit.services import chain_check_run

    result = chain_check_run(by=None)
    if result.ok:
        click.echo(f"审计日志完整：共 {result.checked} 条，哈希链校验通过。")
        return
    click.echo(f"审计日志校验失败：{result.message}", err=True)
    sys.exit(1)


@audit.command("rotate-key")
def audit_rotate_key() -> None:
    """生成新的审计签名密钥（追加到密钥文件）；此后的条目用新密钥签名，旧条目仍可校验。"""
    django_setup()
    from django.conf import settings

    from shouhu.web.audit.chain import key_add

    key_id = key_add(settings.AUDIT_KEY_FILE)
    click.echo(
        f"已生成新的审计签名密钥 {key_id}，写入 {settings.AUDIT_KEY_FILE}。请同时备份该文件。"
    )


@audit.command("app-role")
@click.argument("role")
def audit_app_role(role: str) -> None:
    """PostgreSQL：授予应用角色 ROLE 所需权限（审计日志只能查询和追加）。

    每次 migrate 后由数据库属主运行；平台服务以 ROLE 连接数据库。
    """
    django_setup()
    from shouhu.web.audit.roles import app_role_grant

    try:
        tables = app_role_grant(role)
    except RuntimeError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"已授予 {role}：{len(tables)} 张表；审计日志只能查询和追加。")


main.add_command(synth)
main.add_command(assess)
main.add_command(compare)
main.add_command(credential)
main.add_command(user)
main.add_command(agency)
main.add_command(roster)
main.add_command(division)
main.add_command(submission)
main.add_command(registry)
main.add_command(worker)
package.add_command(package_import)
main.add_command(package)
main.add_command(pprl)
main.add_command(query)
main.add_command(compare_db)
main.add_command(register)
main.add_command(backup)
main.add_command(restore)
main.add_command(sealing)

if __name__ == "__main__":
    main()
