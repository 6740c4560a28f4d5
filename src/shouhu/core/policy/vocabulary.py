"""政策用到的词汇，每份清单只在这里写一次，带中文名称：主体、事实类型、事实字段、认定结论、
孤儿类别、§8 标签、残疾类别和等级、在校学段，以及决定所需的字段、条款出处和证明材料。

Django 的 choices、模板、导出和说明都从这里取；原因代码的中文说法、字段取值的中文说法见
wording.py（它们要用到 thresholds.py 的阈值）。中文用语以规格（docs/rules.md）为准：
“宣告死亡”“宣告失踪”“撤销监护资格”“防止返贫监测对象/脱贫户”。

条款写法沿用 docs/formats/assess.md 的示例：`bayannur §3(二)2(5)` 指巴彦淖尔通知
第三部分（二）2.(5)；种子文件没有规定、由 docs/rules.md 补充的，写作 `policy §4.6` 之类。
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final


def _labels(codes: tuple[str, ...], labels: tuple[str, ...]) -> MappingProxyType[str, str]:
    return MappingProxyType(dict(zip(codes, labels, strict=True)))


SUBJECTS: Final = ("child", "father", "mother")
PARENTS: Final = ("father", "mother")
SUBJECT_LABELS: Final = MappingProxyType({"child": "儿童", "father": "父亲", "mother": "母亲"})

# 父母一方“死亡或失踪”（D）的事实类型
ABSENCE_TYPES: Final = ("deceased", "declared_dead", "declared_missing")
# 父母一方“符合重残、重病……情形之一”（C）的事实类型
CONDITION_TYPES: Final = (
    "severe_disability",
    "severe_illness",
    "imprisoned",
    "compulsory_rehab",
    "other_restriction",
    "lost_contact",
    "guardianship_revoked",
    "deported",
)
PARENT_FACT_TYPES: Final = ABSENCE_TYPES + CONDITION_TYPES
# 服刑在押、强制隔离戒毒、其他限制人身自由：期限须在6个月以上
RESTRICTION_TYPES: Final = ("imprisoned", "compulsory_rehab", "other_restriction")
CHILD_FACT_TYPES: Final = (
    "deceased",
    "adopted",
    "parents_unknown",
    "institutional_care",
    "hiv_infected",
    "severe_disability",
    "severe_illness",
    "in_school",
    "low_income",
    "extreme_poverty",
    "poverty_monitoring",
)
DISABILITY_CATEGORIES: Final = (
    "visual",
    "hearing",
    "speech",
    "physical",
    "intellectual",
    "mental",
    "multiple",
)
DISABILITY_CATEGORY_LABELS: Final = _labels(
    DISABILITY_CATEGORIES,
    ("视力残疾", "听力残疾", "言语残疾", "肢体残疾", "智力残疾", "精神残疾", "多重残疾"),
)
# 残疾等级：事实里存成字符串 "1"—"4"（数据文件里是整数，见 model.Fact）
DISABILITY_LEVELS: Final = ("1", "2", "3", "4")
DISABILITY_LEVEL_LABELS: Final = _labels(DISABILITY_LEVELS, ("一级", "二级", "三级", "四级"))
# 在校就读的学段（in_school 的 level）。bayannur §4(一) 教育部门：义务教育、普通高中、高职高专、
# 普通高校本专科。数据目录的代码表 school_level 由此生成（catalog/loader.py）。
SCHOOL_LEVELS: Final = (
    "preschool",
    "primary",
    "junior_secondary",
    "senior_secondary",
    "secondary_vocational",
    "higher_vocational",
    "undergraduate",
    "special",
)
SCHOOL_LEVEL_LABELS: Final = _labels(
    SCHOOL_LEVELS,
    ("学前教育", "小学", "初中", "普通高中", "中等职业教育", "高职高专", "本科", "特殊教育"),
)
FACT_FIELDS: Final = (
    "date",
    "start",
    "end",
    "valid_until",
    "level",
    "category",
    "disease",
    "qualifying",
    "life",
    "consent",
)
DATE_FIELDS: Final = frozenset({"date", "start", "end", "valid_until"})
BOOL_FIELDS: Final = frozenset({"qualifying", "life", "consent"})

_DATED = ("date", "end")
_SPAN = ("start", "end")
# 各类型允许的字段（不含 type）。docs/rules.md §2 的表。
PARENT_FIELDS: Final = MappingProxyType(
    {
        "deceased": ("date",),
        "declared_dead": _DATED,
        "declared_missing": _DATED,
        "severe_disability": ("category", "level", "start", "valid_until"),
        "severe_illness": ("disease", "qualifying", "start", "end"),
        "imprisoned": ("start", "end", "life"),
        "compulsory_rehab": _SPAN,
        "other_restriction": _SPAN,
        "lost_contact": _SPAN,
        "guardianship_revoked": _DATED,
        "deported": _DATED,
    }
)
CHILD_FIELDS: Final = MappingProxyType(
    {
        "deceased": ("date",),
        "adopted": ("date",),
        "parents_unknown": ("date",),
        "institutional_care": _SPAN,
        "hiv_infected": ("date", "consent"),
        "severe_disability": PARENT_FIELDS["severe_disability"],
        "severe_illness": PARENT_FIELDS["severe_illness"],
        "in_school": ("level", "start", "end"),
        "low_income": _SPAN,
        "extreme_poverty": _SPAN,
        "poverty_monitoring": _SPAN,
    }
)
# 决定需要、缺了就无法判断的字段（docs/rules.md §4 第6步“incomplete facts”）。
# 缺这些字段的事实按“符合”和“不符合”各判一次；结果不同才需要核实。
NEEDED_FIELDS: Final = MappingProxyType(
    {
        "deceased": ("date",),
        "declared_dead": ("date",),
        "declared_missing": ("date",),
        "adopted": ("date",),
        "parents_unknown": ("date",),
        "guardianship_revoked": ("date",),
        "deported": ("date",),
        "severe_disability": ("level", "category"),
        "severe_illness": ("disease",),
        "imprisoned": ("start", "end"),
        "compulsory_rehab": ("start", "end"),
        "other_restriction": ("start", "end"),
        "lost_contact": ("start",),
        "institutional_care": ("start",),
        "in_school": ("start", "level"),
        "low_income": ("start",),
        "extreme_poverty": ("start",),
        "poverty_monitoring": ("start",),
        "hiv_infected": (),
    }
)
MISSING_FIELDS: Final = ("category", "date", "disease", "end", "level", "start")

FACT_TYPES: Final = PARENT_FACT_TYPES + tuple(t for t in CHILD_FACT_TYPES if t not in PARENT_FIELDS)
# 事实类型的中文名称（docs/rules.md §2 的用语）。句子里的说法（“父亲被宣告死亡”）见 wording.py。
FACT_LABELS: Final = MappingProxyType(
    {
        "deceased": "死亡",
        "declared_dead": "宣告死亡",
        "declared_missing": "宣告失踪",
        "severe_disability": "重残",
        "severe_illness": "重病",
        "imprisoned": "服刑在押",
        "compulsory_rehab": "强制隔离戒毒",
        "other_restriction": "被执行其他限制人身自由的措施",
        "lost_contact": "失联",
        "guardianship_revoked": "撤销监护资格",
        "deported": "被遣送（驱逐）出境",
        "adopted": "被收养",
        "parents_unknown": "查找不到生父母",
        "institutional_care": "儿童福利机构集中养育",
        "hiv_infected": "感染艾滋病病毒",
        "in_school": "在校就读",
        "low_income": "低保",
        "extreme_poverty": "特困",
        "poverty_monitoring": "防止返贫监测对象/脱贫户",
    }
)
FIELD_LABELS: Final = MappingProxyType(
    {
        "date": "日期",
        "start": "开始日期",
        "end": "结束日期",
        "valid_until": "有效期至",
        "level": "等级",
        "category": "类别",
        "disease": "病种",
        "qualifying": "是否属于重病",
        "life": "是否无期徒刑",
        "consent": "监护人是否同意",
    }
)
# 某类事实的字段有更贴切的叫法时（wording.field_label 先查这里）
FIELD_LABELS_BY_TYPE: Final = MappingProxyType(
    {
        ("deceased", "date"): "死亡日期",
        ("declared_dead", "date"): "宣告日期",
        ("declared_missing", "date"): "宣告日期",
        ("adopted", "date"): "收养登记日期",
        ("parents_unknown", "date"): "登记日期",
        ("severe_disability", "level"): "残疾等级",
        ("severe_disability", "category"): "残疾类别",
        ("imprisoned", "start"): "刑期起始日期",
        ("imprisoned", "end"): "刑期截止日期",
        ("lost_contact", "start"): "最后联系日期",
        ("lost_contact", "end"): "恢复联系日期",
        ("in_school", "level"): "学段",
        ("in_school", "start"): "入学日期",
        ("in_school", "end"): "离校日期",
    }
)

# 认定结论、类别、孤儿类别（docs/formats/assess.md 的取值）
STATUSES: Final = ("eligible", "not_eligible", "needs_review")
STATUS_LABELS: Final = _labels(STATUSES, ("符合", "不符合", "需人工核实"))
CATEGORIES: Final = ("orphan", "de_facto_unsupported")
CATEGORY_LABELS: Final = _labels(CATEGORIES, ("孤儿", "事实无人抚养儿童"))
# 个案（一人一档）的类别：认定的两类，加上按地区参数补贴的艾滋病病毒感染儿童（§8：章丘、泗县按
# 散居孤儿标准补贴监护人同意的感染儿童，他们也按月领补贴、进补贴名册）
CASE_CATEGORIES: Final = (*CATEGORIES, "hiv_infected")
CASE_CATEGORY_LABELS: Final = _labels(
    CASE_CATEGORIES, ("孤儿", "事实无人抚养儿童", "艾滋病病毒感染儿童")
)
# 说出敏感事实的个案类别 → 它说出的事实类型（艾滋病病毒感染：健康信息）。看不到这类事实的人
# 看到的类别（web/access 的 category_text）和审计日志里记的（只写“敏感类别”：真实类别在个案上，
# 连同类别变更的记录）都从这里定（issue 11）。
SENSITIVE_CASE_CATEGORIES: Final = MappingProxyType({"hiv_infected": "hiv_infected"})


def category_for_log(category: str) -> str:
    """审计日志里记的个案类别。"""
    return "敏感类别" if category in SENSITIVE_CASE_CATEGORIES else category


ORPHAN_TYPES: Final = ("scattered", "institutional")
ORPHAN_TYPE_LABELS: Final = _labels(ORPHAN_TYPES, ("散居孤儿", "集中养育孤儿"))
# §8 的困境儿童标签：类别之外都来自儿童本人的事实，名称与事实类型相同
SUPPORT_LABELS: Final = (
    "de_facto_unsupported",
    "extreme_poverty",
    "hiv_infected",
    "low_income",
    "orphan",
    "poverty_monitoring",
    "severe_disability",
    "severe_illness",
)
SUPPORT_LABEL_NAMES: Final = MappingProxyType(
    {c: CATEGORY_LABELS[c] if c in CATEGORY_LABELS else FACT_LABELS[c] for c in SUPPORT_LABELS}
)

# 各事实类型在种子文件里的条款
FACT_CLAUSES: Final = MappingProxyType(
    {
        "deceased": "bayannur §3(二)2(1)",
        "declared_dead": "bayannur §3(二)2(1)",
        "declared_missing": "bayannur §3(二)2(2)",
        "severe_illness": "bayannur §3(二)2(3)",
        "severe_disability": "bayannur §3(二)2(4)",
        "imprisoned": "bayannur §3(二)2(5)",
        "compulsory_rehab": "bayannur §3(二)2(5)",
        "other_restriction": "bayannur §3(二)2(5)",
        "lost_contact": "bayannur §3(二)2(6)",
        "guardianship_revoked": "bayannur §3(二)2(7)",
        "deported": "bayannur §3(二)2(8)",
        "parents_unknown": "bayannur §3(一)、§3(二)1(2)",
        "adopted": "policy §4.4",
        "institutional_care": "policy §4.7",
        "in_school": "policy §4.3",
    }
)

# 能核实各类事实的证明材料（bayannur §3(二)）
FACT_DOCUMENTS: Final = MappingProxyType(
    {
        "deceased": (
            "医疗机构或公安机关出具的《居民死亡医学证明（推断）书》",
            "殡仪馆出具的遗体火化证明",
        ),
        "declared_dead": ("人民法院出具的宣告死亡法律文书",),
        "declared_missing": ("人民法院出具的宣告失踪法律文书",),
        "severe_illness": ("医保部门、卫生健康部门核实的重病诊断材料",),
        "severe_disability": ("有效期内的残疾人证（注明类别和等级）",),
        "imprisoned": ("司法部门出具的服刑在押证明", "人民法院判决书"),
        "compulsory_rehab": ("《强制隔离戒毒决定书》",),
        "other_restriction": ("公安机关出具的羁押、拘留证明", "人民法院判决（决定）书"),
        "lost_contact": (
            "公安部门出具的《儿童父母失联查找情况回执单》",
            "民政部门出具的《儿童父母失联情况认定表》",
        ),
        "guardianship_revoked": ("人民法院出具的撤销监护人资格判决书",),
        "deported": ("公安部门出具的依法遣送（驱逐）出境证明",),
        "adopted": ("收养登记证",),
        "parents_unknown": ("弃婴相关证明材料（公安机关出具的捡拾报案证明等）",),
        "institutional_care": ("儿童福利机构出具的集中养育证明",),
        "in_school": ("学校出具的在读证明",),
        "hiv_infected": ("卫生健康部门出具的感染证明",),
        "low_income": ("低保证明",),
        "extreme_poverty": ("特困人员救助供养证明",),
        "poverty_monitoring": ("乡村振兴部门的监测对象/脱贫户认定材料",),
    }
)
BIRTH_DOCUMENTS: Final = ("居民身份证或户口簿（公安户籍登记信息）", "出生医学证明")

# 申请材料（bayannur §3(二)）：每一项材料一个代码和中文名。一份申请需要哪些材料，由它所依据的
# 事实类型定（FACT_DOCUMENT_NEEDS，能用哪些文书证明见上面的 FACT_DOCUMENTS），户口簿和监护人
# 身份证每份申请都要（COMMON_DOCUMENTS）。申请页面、缺件拦截和审批表都从这里取。
DOCUMENT_LABELS: Final = MappingProxyType(
    {
        "household_register": "户口簿",
        "guardian_id_card": "监护人居民身份证",
        "death_certificate": "死亡证明（死亡医学证明书或遗体火化证明）",
        "death_judgment": "宣告死亡判决书",
        "missing_judgment": "宣告失踪判决书",
        "illness_diagnosis": "重病诊断证明",
        "disability_card": "残疾人证（重残）",
        "custody_proof": "服刑判决书或在押证明",
        "rehab_decision": "强制隔离戒毒决定书",
        "detention_proof": "羁押、拘留证明或判决（决定）书",
        "lost_contact_proof": "失联查找情况回执单或失联情况认定表",
        "guardianship_judgment": "撤销监护资格判决书",
        "deportation_proof": "遣送（驱逐）出境证明",
        "abandonment_proof": "弃婴相关证明",
        "adoption_certificate": "收养登记证",
        "institution_proof": "儿童福利机构集中养育证明",
        "school_proof": "在读证明",
        "hiv_proof": "感染艾滋病病毒的证明",
        "low_income_proof": "低保证明",
        "extreme_poverty_proof": "特困人员救助供养证明",
        "poverty_monitoring_proof": "监测对象或脱贫户认定材料",
        "change_proof": "情况变化的证明材料（如刑满释放证明、恢复联系的说明）",
    }
)
COMMON_DOCUMENTS: Final = ("household_register", "guardian_id_card")
FACT_DOCUMENT_NEEDS: Final = MappingProxyType(
    {
        "deceased": "death_certificate",
        "declared_dead": "death_judgment",
        "declared_missing": "missing_judgment",
        "severe_illness": "illness_diagnosis",
        "severe_disability": "disability_card",
        "imprisoned": "custody_proof",
        "compulsory_rehab": "rehab_decision",
        "other_restriction": "detention_proof",
        "lost_contact": "lost_contact_proof",
        "guardianship_revoked": "guardianship_judgment",
        "deported": "deportation_proof",
        "adopted": "adoption_certificate",
        "parents_unknown": "abandonment_proof",
        "institutional_care": "institution_proof",
        "in_school": "school_proof",
        "hiv_infected": "hiv_proof",
        "low_income": "low_income_proof",
        "extreme_poverty": "extreme_poverty_proof",
        "poverty_monitoring": "poverty_monitoring_proof",
    }
)


# 终止保障要的材料，按终止原因（书面说明理由，bayannur §4(三)）：情形消失的要证明它消失了，收养、
# 儿童死亡各有证书；年满 18 周岁看户籍登记的出生日期，“其他”以申请上写明的理由为据，不另要材料。
TERMINATION_DOCUMENT_NEEDS: Final = MappingProxyType(
    {
        "no_qualifying_condition": ("change_proof",),
        "adopted": ("adoption_certificate",),
        "child_deceased": ("death_certificate",),
        "aged_out": (),
        "other": (),
    }
)


def termination_documents_needed(reason_code: str) -> tuple[str, ...]:
    """终止保障的申请需要的材料代码；原因还没定（核查建议终止、由县级批准时选定）时为空。"""
    return TERMINATION_DOCUMENT_NEEDS.get(reason_code, ())


def documents_needed(fact_types: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """一份申请需要的材料代码：每份都要的两项，再加所依据的每类事实的一项（去重，保持次序）。"""
    needs = [*COMMON_DOCUMENTS, *(FACT_DOCUMENT_NEEDS[t] for t in fact_types)]
    return tuple(dict.fromkeys(needs))
