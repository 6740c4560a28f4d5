"""演示的联席会议任务：取自 sixian 附件“重点任务分工表”的八项任务（牵头、配合单位换成临河区的
对应部门），有的已完成、有的进行中、有的已逾期——领导登录就有逾期任务待督办，医保局等部门的
待办里有本单位牵头或配合的任务。经由真实的服务（审计照记）。另给各部门填一个联系电话（演示号段），
逾期催报的短信（默认只记日志，号码脱敏）就有去处。"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from shouhu.web.accounts.models import Agency, User
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import Purpose
from shouhu.web.meetings.models import TaskStatus
from shouhu.web.meetings.services import joint_task_create, joint_task_note

# (工作任务, 牵头, 配合, 完成时限距今天数, 状态, 进展)
TASKS = (
    ("对事实无人抚养儿童、艾滋病病毒感染儿童，参照社会散居孤儿保障标准发放基本生活补贴。",
     "civil_affairs", ("finance",), -60, TaskStatus.DONE, "补贴已按月随名册发放，财政资金已落实。"),
    ("对符合条件的困境儿童实施医疗救助，通过降低大病保险起付线、提高报销比例等方式提升保障水平。",
     "medical_insurance", ("health",), 20, TaskStatus.IN_PROGRESS,
     "起付线调整方案已报区政府审定。"),
    ("落实残疾儿童康复救助制度，将符合条件的困境儿童和农村留守儿童纳入救助范围。",
     "disabled_federation", ("civil_affairs", "health"), -10, TaskStatus.IN_PROGRESS,
     "已摸排残疾儿童名单，定点康复机构待确定。"),
    ("完善义务教育控辍保学工作机制，依法保障困境儿童完成义务教育。",
     "education", ("public_security", "civil_affairs"), 45, TaskStatus.NOT_STARTED, ""),
    ("推动儿童福利机构转型升级，积极拓展儿童福利机构服务功能。",
     "civil_affairs", ("human_resources",), 90, TaskStatus.NOT_STARTED, ""),
    ("健全发现报告机制，做好定期走访、重点时段巡查和强制报告。",
     "civil_affairs", ("education", "public_security", "health", "youth_league",
                       "womens_federation", "elders_committee"), 30, TaskStatus.IN_PROGRESS,
     "各村儿童主任每月走访已纳入平台记录；学校、医院强制报告渠道已公布。"),
    ("健全应急处置机制，制止正在发生的侵害行为并迅速进行调查，依法追究失职父母或侵害人的法律责任。",
     "public_security", ("civil_affairs", "justice", "court", "health", "womens_federation"), -5,
     TaskStatus.NOT_STARTED, ""),
    ("加快培育发展社会工作专业服务机构、公益慈善类社会组织和志愿服务组织。",
     "civil_affairs", ("finance", "human_resources", "youth_league"), 120, TaskStatus.NOT_STARTED,
     ""),
)  # fmt: skip


def demo_meetings(*, caseworker: User) -> None:
    agencies = {a.agency_type: a for a in Agency.objects.filter(division=caseworker.division)}
    for n, agency in enumerate(agencies.values()):
        agency.contact_phone = f"1380000{n:04d}"
        agency.save(update_fields=["contact_phone"])
    ctx = RequestContext(user=caseworker, client_ip="", purpose=Purpose.STATISTICS)
    today = timezone.localdate()
    for title, lead, cooperating, days, status, note in TASKS:
        task = joint_task_create(
            ctx=ctx, title=title, lead=agencies[lead], due_on=today + timedelta(days=days),
            cooperating=[agencies[c] for c in cooperating if c in agencies],
        )  # fmt: skip
        if note:
            joint_task_note(ctx=ctx, task=task, text=note, evidence="", status=status)
