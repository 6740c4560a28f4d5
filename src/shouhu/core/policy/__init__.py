"""认定规则（docs/rules.md）：纯 Python，不依赖 Django 或数据库。

对外接口：
- `case_from_json(obj, *, default_as_of, default_region, case_label) -> CaseInput`
- `assess_case(case, *, params=None) -> Assessment`
- `assessment_to_json(a) -> dict`（docs/formats/assess.md 的结果对象，另加 next_change、subsidy）
- `load_params() -> PolicyParams`（params/*.toml）；`ruleset() -> RuleSet`（供引擎编译成 SQL）

模块：
- dates（日历月、周岁）· vocabulary（各清单的代码和中文名称、条款、材料）
- thresholds（重残等级、6个月、18周岁等门槛，只写一次）· wording（日期、取值、原因代码的中文说法）
- expr（表达式语言）· predicates（事实级谓词）· rules（决定规则，只写一次；开头是常见情形索引）
- interpret（单个儿童求值）· params（参数载入与取值）· explain（中文说明）
- assess（认定、下一次变化、JSON）· parse（输入校验）
- reviews（§5 核查到期日）· visits（§6 探访频次、重大变故）· subsidy（§9 补贴月份、补发、多发）

DECISIONS —— 规格未说清、此处的取舍（依据种子文件，尽量照字面）：

1. 缺字段的事实（“incomplete facts”）不止 docs/rules.md 括号里列的三种：凡决定需要的字段缺失
   （vocabulary.NEEDED_FIELDS，如死亡事实缺 date、重残 3/4 级缺 category、重病既无 qualifying
   也无 disease），都按“符合/不符合”各判一次，原因代码为 `missing_<字段>`。缺字段不是输入错误。
2. 多条不完整事实：决定对每个变量单调，只比较“全部朝不符合取”和“全部朝符合取”两种极端；
   相同则忽略全部不完整事实（ign 世界），不同则 needs_review，列出会影响结论的不完整事实。
   结论未定而忽略后的结论本身是 needs_review（矛盾、另一方不明）时，这些原因也一并列出。
3. 矛盾（§4 第6步）：父母一方的情形事实（死亡、宣告死亡、宣告失踪以外的类型）的起始日
   （start，没有时取 date；两者都没有则不算）晚于该方最早的死亡日期，即 needs_review、
   conflict_<父母>——不论情形事实、死亡事实在 as_of 是否有效（规格如此：死亡之后的服刑记录
   说明死亡记录可能有误，核实之前不能据此保障）。因此“添加一条在 as_of 不生效的事实不改变结论”
   只对这一步不成立；矛盾只比较事实之间的日期，与 as_of 无关，不产生“下一次变化”。
4. 核查次数（§5）：事实无人抚养儿童取父母双方所有在 as_of 生效的“死亡/失踪”事实和符合条件的
   情形事实的次数最大值——已死亡一方身上仍生效的服刑记录也算（照字面：“a parent's qualifying
   condition is imprisoned”）。孤儿（含查找不到生父母）取 reviews_per_year.orphan（0）。
5. 父母双方都未登记且没有 parents_unknown 事实：照字面落到第10步，not_eligible
   （§4 第9步只说“只登记了一方”）。
6. 出生日期：身份证号先按 identity.normalize_id_number 清洗；“合格”按 identity.is_valid_id_number，
   出生日期上限取 as_of（而不是今天，使结论可复现）。既无出生日期也无合格号码是输入错误。
7. 事实的日期区间：start 省略（重残、重病允许）视为自始有效；hiv_infected 的 date 省略视为已生效。
   残疾人证 valid_until 当天仍有效，次日失效。
8. 艾滋病病毒感染儿童（§8）：不改变 status/category；在开启参数的地区（370114 章丘、341324 泗县），
   监护人同意（consent: true）、儿童在世且未满18周岁、又不属孤儿/事实无人抚养儿童时，结果的
   subsidy 为 {"basis": "hiv_infected", ...}，按 hiv_infected.rate 的标准。
   收养不排除（种子未规定）。
9. 年满18周岁仍在校就读继续保障：参数 past_18_in_school.*，种子地区全部关闭（泗县“成年后仍在
   公办学校就读……享受相应政策”在教育资助一节，不是生活保障的延续）。
10. 地区未给出（也无 --region）时用全国默认参数；未知的区划代码依次退到地市、省、全国。
11. 下一次变化只看 (status, category)；候选日期为事实的起止日、证件到期次日、失联满6个月之日、
    18周岁生日、参数调整日。
12. 未知字段（个案、人、事实各层）、未知事实类型、错误日期是输入错误；父母对象另允许 birth_date
    （不参与决定）。JSON 中字段值为 null 视同未给。
13. 参数：全国默认（000000.toml）的核查次数引 bayannur §4(三) 和 docs/rules.md §5；补贴金额、
    重病目录、在校延续的年龄和学段种子未给，一律 example = true。泗县的事实无人抚养儿童标准
    “参照散居孤儿标准”，金额仍是示例值。
14. 批量接口另输出 subsidy_basis / subsidy_rate / subsidy_monthly_fen；单个结果另有 next_change、
    subsidy、param_region 三个字段（assess-format 允许新增字段），原因对象另有 documents。
15. 核查到期日（§5）：12 不能被每年次数整除时，间隔月数向下取整（宁早勿晚）；立案前记录的
    核查不算。探访（§6）：还没有走访记录时从立案之日起算；“每周”为7天，“每月”“每季度”
    为1个、3个日历月。
16. 补贴（§9）：发放口径（首月、补发、末月）是 subsidy.SubsidyTerms，默认即规格的 decision；
    尚未进入地区参数文件（引擎的参数表只认数值、开关和标准名）。多发按当月实发金额；
    实发为0的月份不算多发。补发月份按各月1日的标准，类别按当时（变更确认之月的次月起才换）。
"""

from shouhu.core.policy.assess import assess_case, assessment_to_json, decide
from shouhu.core.policy.model import (
    Assessment,
    CaseInput,
    Fact,
    NextChange,
    Person,
    Reason,
    Subsidy,
)
from shouhu.core.policy.params import InvalidPolicyParams, PolicyParams, load_params
from shouhu.core.policy.parse import case_from_json, cases_from_json
from shouhu.core.policy.rules import RuleSet, ruleset

__all__ = [
    "Assessment",
    "CaseInput",
    "Fact",
    "InvalidPolicyParams",
    "NextChange",
    "Person",
    "PolicyParams",
    "Reason",
    "RuleSet",
    "Subsidy",
    "assess_case",
    "assessment_to_json",
    "case_from_json",
    "cases_from_json",
    "decide",
    "load_params",
    "ruleset",
]
