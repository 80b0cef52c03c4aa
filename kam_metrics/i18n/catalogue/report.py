"""Messages of the report area, both languages; merged into ``i18n.CATALOGUE``.

Titles state the finding."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # page and shell
    "page.report": {"zh": "汇报", "en": "Review report"},
    "report.heading": {"zh": "大客户管理汇报", "en": "Key-account review report"},
    "report.title": {"zh": "大客户管理汇报 · {period}", "en": "Key-account review · {period}"},
    "report.footer": {
        "zh": "汇报期间 {start} 至 {end} · 数据截至 {data_date}",
        "en": "Period {start} to {end} · data as of {data_date}",
    },
    "report.alias": {"zh": "客户{letters}", "en": "Customer {letters}"},
    "report.and_more": {"zh": "(另 {n} 个)", "en": " and {n} more"},
    "report.unit.days": {"zh": "{n} 天", "en": "{n} days"},
    "report.unit.hours": {"zh": "{n} 小时", "en": "{n} h"},
    # section headings
    "report.section.scope": {"zh": "1 汇报目标与范围", "en": "1 Goals and scope"},
    "report.section.accounts": {"zh": "2 大客户名单及分类", "en": "2 Key accounts and their classes"},
    "report.section.sales": {"zh": "3 工作成果 · 销售业绩", "en": "3 Results · Sales"},
    "report.section.top": {"zh": "3 工作成果 · 大客户贡献", "en": "3 Results · Largest accounts"},
    "report.section.satisfaction": {"zh": "3 工作成果 · 客户满意度", "en": "3 Results · Customer satisfaction"},
    "report.section.projects": {"zh": "3 工作成果 · 合作项目进展", "en": "3 Results · Projects"},
    "report.section.loyalty": {"zh": "3 工作成果 · 客户忠诚度", "en": "3 Results · Loyalty"},
    "report.section.churn": {"zh": "4 存在问题 · 客户流失风险", "en": "4 Problems · Churn risk"},
    "report.section.service": {"zh": "4 存在问题 · 服务质量", "en": "4 Problems · Service quality"},
    "report.section.communication": {"zh": "4 存在问题 · 沟通协调", "en": "4 Problems · Communication"},
    "report.section.causes": {"zh": "5 原因分析", "en": "5 Causes"},
    "report.section.improvements": {"zh": "6 改进措施", "en": "6 Improvements"},
    "report.section.plan": {"zh": "7 未来工作计划", "en": "7 Plan"},
    "report.section.summary": {"zh": "8 总结与展望", "en": "8 Summary and outlook"},
    "report.section.since": {"zh": "自上次汇报以来", "en": "Since the last review"},
    "report.section.actions": {"zh": "汇报商定的行动", "en": "Actions agreed at reviews"},
    # 1 scope
    "report.scope.all": {"zh": "全部客户", "en": "all accounts"},
    "report.scope.owner": {"zh": "客户经理 {values} 的客户", "en": "the accounts of {values}"},
    "report.scope.region": {"zh": "{values} 区域的客户", "en": "the accounts in {values}"},
    "report.scope.chosen": {"zh": "选定客户:{values}", "en": "chosen accounts: {values}"},
    "report.scope.title": {
        "zh": "汇报期间 {start} 至 {end},覆盖 {n} 家客户,其中重点客户 {key_n} 家",
        "en": "{start} to {end}: {n} accounts covered, {key_n} of them key accounts",
    },
    "report.scope.goal": {
        "zh": "目标:总结工作成果,分析存在的问题,制定下一阶段的策略。",
        "en": "Goals: review the results, analyse the problems, and set the strategy for the next period.",
    },
    "report.scope.period": {
        "zh": "汇报期间:{start} 至 {end};对比期间:{cmp_start} 至 {cmp_end}({compare})。",
        "en": "Period: {start} to {end}; compared with {cmp_start} to {cmp_end} ({compare}).",
    },
    "report.scope.accounts": {
        "zh": "范围:{scope},共 {n} 家客户,其中重点客户 {key_n} 家,本期有订单 {active} 家。",
        "en": "Scope: {scope}; {n} accounts, {key_n} key accounts, {active} with an order in the period.",
    },
    "report.scope.areas": {
        "zh": "内容:销售业绩、客户满意度、合作项目、客户忠诚度、流失风险、服务质量与沟通。",
        "en": "Covers: sales, satisfaction, projects, loyalty, churn risk, service quality and communication.",
    },
    "report.fig.accounts": {"zh": "覆盖客户", "en": "Accounts covered"},
    "report.fig.key_accounts": {"zh": "重点客户", "en": "Key accounts"},
    "report.fig.active_accounts": {"zh": "有订单客户", "en": "Active accounts"},
    # 2 accounts
    "report.accounts.title": {
        "zh": "A 类 {n} 家客户贡献了近 12 个月销售额的 {share}",
        "en": "{n} class-A accounts bring {share} of the last 12 months' revenue",
    },
    "report.accounts.title_none": {
        "zh": "近 12 个月没有销售额,无法分类",
        "en": "No revenue in the last 12 months: no account can be classified",
    },
    "report.accounts.group": {"zh": "{label} {n} 家({names})", "en": "{label} {n} ({names})"},
    "report.accounts.by_industry": {"zh": "按行业:{groups}", "en": "By industry: {groups}"},
    "report.accounts.by_scale": {"zh": "按合作规模:{groups}", "en": "By scale: {groups}"},
    "report.accounts.by_tenure_band": {"zh": "按合作年限:{groups}", "en": "By tenure: {groups}"},
    "report.accounts.no_key": {"zh": "范围内没有重点客户。", "en": "No key account in scope."},
    "report.abc.none": {"zh": "无分类(近12个月无销售)", "en": "No class (no revenue in 12 months)"},
    "report.table.key_accounts": {"zh": "重点客户名单", "en": "Key accounts"},
    "report.table.abc_summary": {"zh": "ABC 分类汇总", "en": "ABC classes"},
    "report.col.count_accounts": {"zh": "客户数", "en": "Accounts"},
    "report.series.revenue_12m": {"zh": "近12个月销售额", "en": "Revenue, last 12 months"},
    # 3.1 sales
    "report.sales.title_up": {
        "zh": "销售额 {revenue},较对比期增长 {growth}",
        "en": "Revenue {revenue}, up {growth} on the comparison period",
    },
    "report.sales.title_down": {
        "zh": "销售额 {revenue},较对比期下降 {growth}",
        "en": "Revenue {revenue}, down {growth} on the comparison period",
    },
    "report.sales.title_flat": {"zh": "销售额 {revenue}(对比期无数据)", "en": "Revenue {revenue} (no comparison data)"},
    "report.sales.title_target": {"zh": ",完成目标的 {completion}", "en": ", {completion} of target"},
    "report.sales.revenue": {
        "zh": "汇报期内销售额 {revenue},销售量 {volume},销售增长率 {growth}。",
        "en": "Revenue {revenue}, volume {volume}, revenue growth {growth}.",
    },
    "report.sales.target": {
        "zh": "销售目标 {target},完成目标的 {completion},超出比例 {over}。",
        "en": "Target {target}: {completion} reached, {over} against it.",
    },
    "report.sales.no_target": {
        "zh": "本范围没有设定销售目标(可在设置页录入)。",
        "en": "No sales target is set for this scope (enter it on the Settings page).",
    },
    "report.sales.volume_target": {"zh": "销售量较目标 {over}。", "en": "Volume {over} against its target."},
    "report.sales.vs_previous": {
        "zh": "与对比期({compare})相比,销售额变化 {change}({growth}),销售量变化 {volume}。",
        "en": "Against the comparison period ({compare}) revenue changed by {change} ({growth}), volume by {volume}.",
    },
    "report.fig.gross_margin": {"zh": "毛利率", "en": "Gross margin"},
    "report.table.monthly": {"zh": "月度销售额", "en": "Monthly revenue"},
    # top accounts
    "report.top.title": {
        "zh": "前十大客户贡献 {share} 的销售额,{name} 居首",
        "en": "The top 10 accounts bring {share} of revenue; {name} leads",
    },
    "report.top.title_none": {"zh": "本期没有销售额", "en": "No revenue in the period"},
    "report.top.share": {
        "zh": "前十大客户占销售额 {share};赫芬达尔指数 {herfindahl}(越接近 1 越集中)。",
        "en": "The top 10 accounts hold {share} of revenue; Herfindahl index {herfindahl} (closer to 1 = more concentrated).",
    },
    "report.top.movers": {
        "zh": "前十大中增长最快:{up}({up_growth});下降最多:{down}({down_growth})。",
        "en": "Among the top 10, fastest growing: {up} ({up_growth}); largest fall: {down} ({down_growth}).",
    },
    # 3.2 satisfaction
    "report.sat.title": {
        "zh": "综合满意度 {index}(批次 {wave}):{best}最高,{worst}最低",
        "en": "Overall satisfaction {index} (wave {wave}): {best} highest, {worst} lowest",
    },
    "report.sat.title_none": {"zh": "汇报期末之前没有满意度调查", "en": "No satisfaction survey before the period end"},
    "report.sat.none": {
        "zh": "尚无可用的满意度调查数据(请在数据导入页导入问卷)。",
        "en": "No satisfaction survey data yet (import questionnaires on the Data import page).",
    },
    "report.sat.overall": {
        "zh": "批次 {wave} 综合满意度 {index}(有效问卷 {n} 份);满意客户率 {satisfied},目标 {target}。",
        "en": "Wave {wave}: overall index {index} ({n} valid questionnaires); satisfied-customer rate {satisfied}, target {target}.",
    },
    "report.sat.dim": {"zh": "{dim} {index}", "en": "{dim} {index}"},
    "report.sat.strength": {"zh": "优势在{best},不足在{worst}。", "en": "Strength: {best}; weakness: {worst}."},
    "report.sat.response": {"zh": "反馈率 {rate},有效率 {validity}。", "en": "Response rate {rate}, validity rate {validity}."},
    "report.sat.company_wide": {
        "zh": "满意度为全部受访客户的结果(不按汇报范围筛选)。",
        "en": "Satisfaction covers every surveyed account (it is not narrowed to the scope).",
    },
    "report.fig.response_rate": {"zh": "反馈率", "en": "Response rate"},
    "report.table.items": {"zh": "调查项目满意度(差距最大者在前)", "en": "Survey items (largest gap to target first)"},
    "report.col.item": {"zh": "项目", "en": "Item"},
    "report.col.dimension": {"zh": "维度", "en": "Dimension"},
    "report.col.gap_target": {"zh": "与目标差距", "en": "Gap to target"},
    "report.series.satisfaction": {"zh": "满意度", "en": "Satisfaction"},
    "report.series.target": {"zh": "目标", "en": "Target"},
    "report.axis.index": {"zh": "满意度指数(0-100)", "en": "Index (0-100)"},
    # 3.3 projects
    "report.projects.title": {
        "zh": "{n} 个合作项目:已完成 {completed} 个(准时率 {on_time}),{at_risk} 个有风险",
        "en": "{n} projects: {completed} completed ({on_time} on time), {at_risk} at risk",
    },
    "report.projects.title_none": {"zh": "范围内没有合作项目", "en": "No projects in scope"},
    "report.projects.none": {
        "zh": "尚无合作项目数据(请在数据导入页导入项目表)。",
        "en": "No project data yet (import the projects table on the Data import page).",
    },
    "report.projects.completed": {
        "zh": "{name}({account})已完成,项目收益 {value},客户反馈 {feedback} 分。",
        "en": "{name} ({account}) is complete: contract value {value}, feedback {feedback}.",
    },
    "report.projects.running": {
        "zh": "{name}({account})正在推进,已完成 {progress},预计 {end} 交付。",
        "en": "{name} ({account}) is in progress: {progress} done, delivery expected {end}.",
    },
    "report.projects.risk": {
        "zh": "{name}({account})状态:{status};问题:{note}。",
        "en": "{name} ({account}) is {status}; issue: {note}.",
    },
    "report.projects.revenue": {
        "zh": "已完成项目收益合计 {value},平均客户反馈 {feedback} 分({n} 个项目有反馈)。",
        "en": "Completed projects' value {value}; mean feedback {feedback} ({n} projects rated).",
    },
    "report.table.projects_at_risk": {"zh": "有风险的项目", "en": "Projects at risk"},
    "report.table.projects_completed": {"zh": "已完成项目", "en": "Completed projects"},
    "report.series.projects": {"zh": "项目数", "en": "Projects"},
    "report.axis.projects": {"zh": "项目数(个)", "en": "Projects"},
    # 3.4 loyalty
    "report.loyalty.title": {
        "zh": "重复购买率 {repeat},客户留存率 {retention},净收入留存 {nrr}",
        "en": "Repeat purchase rate {repeat}, retention {retention}, net revenue retention {nrr}",
    },
    "report.loyalty.repeat_purchase_rate": {"zh": "重复购买率", "en": "Repeat purchase"},
    "report.loyalty.retention_rate": {"zh": "客户留存率", "en": "Retention"},
    "report.loyalty.net_revenue_retention": {"zh": "净收入留存", "en": "Net revenue retention"},
    "report.loyalty.gross_revenue_retention": {"zh": "总收入留存", "en": "Gross revenue retention"},
    "report.loyalty.repeat": {
        "zh": "重复购买率 {repeat};每个客户平均下单 {frequency} 次,平均每 {days} 天下一单。",
        "en": "Repeat purchase rate {repeat}; {frequency} orders per active account, one every {days} days.",
    },
    "report.loyalty.retention": {
        "zh": "对比期客户留存率 {retention}(流失率 {churn}),净收入留存 {nrr}。",
        "en": "Retention of the comparison period's accounts {retention} (churn {churn}); net revenue retention {nrr}.",
    },
    "report.loyalty.referrals": {
        "zh": "转介绍客户 {n} 家(本期新增 {new} 家);NPS {nps}。",
        "en": "{n} referred accounts ({new} new this period); NPS {nps}.",
    },
    "report.fig.referrals": {"zh": "转介绍客户", "en": "Referred accounts"},
    "report.axis.percent": {"zh": "比率(%)", "en": "Rate (%)"},
    # 4.1 churn
    "report.churn.title": {
        "zh": "{red} 家客户高风险、{amber} 家需关注,风险销售额 {revenue}",
        "en": "{red} accounts at high risk and {amber} to watch; revenue at risk {revenue}",
    },
    "report.churn.title_lost": {
        "zh": "{n} 家客户已流失或本期未复购,对比期销售额 {revenue}",
        "en": "{n} accounts lost or not reordering, {revenue} of comparison-period revenue",
    },
    "report.churn.lost": {
        "zh": "已流失或本期未复购的客户 {n} 家(对比期销售额 {revenue}):{names}。",
        "en": "{n} accounts lost or without a repeat order ({revenue} in the comparison period): {names}.",
    },
    "report.churn.unavailable": {
        "zh": "流失风险评分(健康度与流失概率)尚未上线,本页暂不显示风险评分。",
        "en": "The churn-risk score (health score and churn probability) is not available yet; no risk score is shown.",
    },
    "report.churn.bands": {
        "zh": "健康度:高风险 {red} 家,关注 {amber} 家,健康 {green} 家;高风险:{names}。",
        "en": "Health: {red} red, {amber} amber, {green} green; red: {names}.",
    },
    "report.band.red": {"zh": "高风险", "en": "Red"},
    "report.band.amber": {"zh": "关注", "en": "Amber"},
    "report.band.green": {"zh": "健康", "en": "Green"},
    "report.lost.marked_churned": {"zh": "已标记流失", "en": "Marked churned"},
    "report.lost.no_repeat_order": {"zh": "本期未复购", "en": "No order this period"},
    "report.table.lost": {"zh": "已流失或未复购的客户", "en": "Lost or lapsed accounts"},
    "report.table.early_warning": {"zh": "流失预警名单", "en": "Early-warning list"},
    "report.col.reason": {"zh": "原因", "en": "Reason"},
    "report.col.last_order_date": {"zh": "最近订单日期", "en": "Last order"},
    "report.col.band": {"zh": "风险等级", "en": "Band"},
    "report.col.probability": {"zh": "流失概率", "en": "Churn probability"},
    "report.col.revenue_at_risk": {"zh": "风险销售额", "en": "Revenue at risk"},
    "report.col.reasons": {"zh": "主要原因", "en": "Drivers"},
    "report.series.accounts": {"zh": "客户数", "en": "Accounts"},
    # 4.2 service
    "report.service.title": {
        "zh": "{hours} 小时内响应率 {sla};投诉 {complaints} 起,{unanswered} 个请求未响应",
        "en": "{sla} answered within {hours} h; {complaints} complaints, {unanswered} tickets unanswered",
    },
    "report.service.title_none": {"zh": "本期没有服务记录", "en": "No service tickets in the period"},
    "report.service.none": {
        "zh": "本期没有投诉或服务请求记录(或尚未导入服务与回访表)。",
        "en": "No complaints or service requests in the period (or the interactions table is not imported yet).",
    },
    "report.service.response": {
        "zh": "首次响应中位 {median},90% 分位 {p90};SLA 达标率 {sla}。",
        "en": "First response: median {median}, 90th percentile {p90}; SLA compliance {sla}.",
    },
    "report.service.complaints": {
        "zh": "投诉 {n} 起,每个活跃客户 {per} 起。",
        "en": "{n} complaints, {per} per active account.",
    },
    "report.service.open": {
        "zh": "未响应 {unanswered} 个,未解决 {unresolved} 个;解决时间中位 {resolution}。",
        "en": "{unanswered} unanswered, {unresolved} unresolved; median resolution {resolution}.",
    },
    "report.fig.sla": {"zh": "SLA 达标率", "en": "SLA compliance"},
    "report.fig.median_response": {"zh": "首次响应中位数", "en": "Median first response"},
    "report.col.complaints": {"zh": "投诉", "en": "Complaints"},
    "report.col.unanswered": {"zh": "未响应", "en": "Unanswered"},
    "report.col.median_response": {"zh": "响应中位(小时)", "en": "Median response (h)"},
    "report.table.complaints": {"zh": "投诉客户", "en": "Accounts with complaints"},
    "report.series.sla": {"zh": "SLA 达标率", "en": "SLA compliance"},
    # 4.3 communication
    "report.comm.title": {
        "zh": "{n} 家重点客户中 {overdue} 家未按期回访或拜访(达标率 {compliance})",
        "en": "{overdue} of {n} key accounts are overdue for a call or visit ({compliance} on schedule)",
    },
    "report.comm.title_none": {"zh": "范围内没有重点客户", "en": "No key accounts in scope"},
    "report.comm.none": {"zh": "范围内没有重点客户,无法检查回访频率。", "en": "No key account in scope: no cadence to check."},
    "report.comm.rule": {
        "zh": "要求:每个重点客户每月一次电话回访、每季度一次面对面拜访。",
        "en": "Rule: every key account gets a call each month and a visit each quarter.",
    },
    "report.comm.overdue": {
        "zh": "回访逾期 {call} 家,拜访逾期 {visit} 家:{names}。",
        "en": "{call} overdue for a call, {visit} for a visit: {names}.",
    },
    "report.fig.cadence": {"zh": "回访达标率", "en": "Cadence compliance"},
    "report.fig.overdue": {"zh": "逾期客户", "en": "Overdue accounts"},
    "report.table.cadence": {"zh": "回访/拜访逾期的重点客户", "en": "Key accounts overdue for contact"},
    "report.col.days_since_call": {"zh": "距上次回访(天)", "en": "Days since call"},
    "report.col.days_since_visit": {"zh": "距上次拜访(天)", "en": "Days since visit"},
    # 5-8 editable
    "report.causes.title": {"zh": "原因分析", "en": "Why: causes"},
    "report.improvements.title": {"zh": "改进措施", "en": "What we will change"},
    "report.plan.title": {"zh": "未来工作计划", "en": "Plan for the next 12 months"},
    "report.summary.title": {"zh": "总结与展望", "en": "Summary and outlook"},
    "report.plan.title_forecast": {
        "zh": "预计未来 3 个月销售额 {value}",
        "en": "Revenue expected in the next 3 months: {value}",
    },
    "report.plan.title_pipeline": {
        "zh": "在手商机加权金额 {weighted},是下一阶段的增长来源",
        "en": "A weighted pipeline of {weighted} feeds the next period",
    },
    "report.plan.short": {"zh": "短期(未来 1-3 个月):", "en": "Short term (next 1-3 months):"},
    "report.plan.mid": {"zh": "中期(未来 3-6 个月):", "en": "Mid term (next 3-6 months):"},
    "report.plan.long": {"zh": "长期(未来 6-12 个月):", "en": "Long term (next 6-12 months):"},
    "report.forecast.unavailable": {
        "zh": "销售预测尚未上线,暂不显示未来 1-3、3-6、6-12 个月的预测值。",
        "en": "The revenue forecast is not available yet; no 1-3, 3-6 or 6-12 month forecast is shown.",
    },
    "report.forecast.window": {
        "zh": "未来 {window} 个月({start}-{end})预计销售额 {value}(80% 区间 {lower}-{upper})",
        "en": "Months {window} ({start}-{end}): {value} expected (80 % interval {lower}-{upper})",
    },
    "report.forecast.window_target": {
        "zh": "未来 {window} 个月({start}-{end})预计销售额 {value}(80% 区间 {lower}-{upper}),目标 {target},预计完成 {completion}",
        "en": "Months {window} ({start}-{end}): {value} expected (80 % interval {lower}-{upper}) against a target of {target}: {completion}",
    },
    "report.plan.title_forecast_target": {
        "zh": "预计未来 3 个月销售额 {value},可完成目标的 {completion}",
        "en": "Revenue expected in the next 3 months: {value}, {completion} of target",
    },
    "report.series.actual": {"zh": "实际", "en": "Actual"},
    "report.churn.warning": {
        "zh": "预警客户 {n} 家,风险销售额(流失概率 × 近12个月销售额){revenue};模型:{method}。",
        "en": "{n} accounts on the early-warning list, revenue at risk (probability × 12-month revenue) {revenue}; model: {method}.",
    },
    "report.forecast.1_3": {"zh": "预测未来 1-3 个月销售额 {value}", "en": "Forecast, months 1-3: {value}"},
    "report.forecast.3_6": {"zh": "预测未来 4-6 个月销售额 {value}", "en": "Forecast, months 4-6: {value}"},
    "report.forecast.6_12": {"zh": "预测未来 7-12 个月销售额 {value}", "en": "Forecast, months 7-12: {value}"},
    "report.forecast.method": {
        "zh": "预测方法:{method};回测 MAPE {mape}(季节性朴素基准 {baseline})",
        "en": "Method: {method}; back-test MAPE {mape} (seasonal-naive baseline {baseline})",
    },
    "report.series.forecast": {"zh": "预测", "en": "Forecast"},
    "report.series.lower": {"zh": "下限(80%)", "en": "Lower (80%)"},
    "report.series.upper": {"zh": "上限(80%)", "en": "Upper (80%)"},
    "report.series.amount": {"zh": "金额", "en": "Amount"},
    "report.axis.amount": {"zh": "金额(元)", "en": "Amount (CNY)"},
    "report.axis.revenue": {"zh": "销售额(元)", "en": "Revenue (CNY)"},
    "report.hint.none": {"zh": "数据中没有明显的问题线索。", "en": "The data shows no obvious lead here."},
    "report.hint.weak_items": {
        "zh": "满意度最低的项目(与目标差距):{items}",
        "en": "Weakest survey items (gap to target): {items}",
    },
    "report.hint.fix_first": {"zh": "重要但表现差、应优先改进:{items}", "en": "Important but weak, fix first: {items}"},
    "report.hint.blocked": {"zh": "{n} 个项目受阻:{items}", "en": "{n} blocked projects: {items}"},
    "report.hint.service": {
        "zh": "服务:SLA 达标率 {sla},首次响应中位 {median},{unanswered} 个请求未响应",
        "en": "Service: SLA compliance {sla}, median first response {median}, {unanswered} tickets unanswered",
    },
    "report.hint.decline": {"zh": "销售额较对比期 {growth}", "en": "Revenue {growth} against the comparison period"},
    "report.hint.overdue": {
        "zh": "{n} 家重点客户回访/拜访逾期,安排本月回访:{names}",
        "en": "{n} key accounts overdue for contact; schedule calls or visits this month: {names}",
    },
    "report.hint.unanswered": {"zh": "{n} 个服务请求仍未响应,指定责任人跟进", "en": "{n} tickets still unanswered; assign an owner"},
    "report.hint.at_risk": {"zh": "{n} 个项目有风险,逐一制定补救计划:{names}", "en": "{n} projects at risk, each needs a recovery plan: {names}"},
    "report.hint.stale": {
        "zh": "{n} 个商机超过 {days} 天没有进展",
        "en": "{n} opportunities have not moved for more than {days} days",
    },
    "report.hint.win_back": {"zh": "{n} 家客户流失或未复购,制定挽回计划:{names}", "en": "{n} lost or lapsed accounts to win back: {names}"},
    "report.hint.pipeline": {
        "zh": "在手商机 {n} 个,金额 {amount},加权 {weighted};赢单率 {win}",
        "en": "{n} open opportunities worth {amount}, weighted {weighted}; win rate {win}",
    },
    "report.hint.late_stage": {
        "zh": "招投标与商务谈判阶段 {n} 个商机,金额 {amount},是短期签约重点",
        "en": "{n} opportunities in bidding or negotiation worth {amount}: the short-term signings",
    },
    "report.hint.deliver": {"zh": "{n} 个进行中的项目需按期交付:{names}", "en": "{n} projects in progress to deliver: {names}"},
    "report.hint.summary_sales": {
        "zh": "销售额 {revenue}(增长 {growth}),目标完成率 {completion}",
        "en": "Revenue {revenue} ({growth}), {completion} of target",
    },
    "report.hint.summary_sat": {"zh": "综合满意度 {index}", "en": "Overall satisfaction {index}"},
    "report.hint.summary_projects": {
        "zh": "项目准时率 {on_time},{at_risk} 个项目有风险",
        "en": "Projects {on_time} on time, {at_risk} at risk",
    },
    "report.hint.summary_retention": {"zh": "客户留存率 {retention}", "en": "Retention {retention}"},
    # since the last review
    "report.since.title": {
        "zh": "自上次汇报({period})以来:{abc} 家客户分类变化,{slipped} 个项目延期,新增高风险 {red} 家",
        "en": "Since the last review ({period}): {abc} class changes, {slipped} projects slipped, {red} newly red",
    },
    "report.since.title_first": {
        "zh": "首次汇报:与对比期相比 {up} 家客户增长最多、{down} 家下降最多",
        "en": "First review: the {up} biggest risers and {down} biggest fallers against the comparison period",
    },
    "report.since.basis_comparison": {
        "zh": "还没有保存过的上一次汇报;变化与对比期相比。保存本次汇报后,下次汇报将与之比较。",
        "en": "No earlier review was saved; changes are against the comparison period. Save this report and the next one compares with it.",
    },
    "report.since.basis_report": {
        "zh": "与上次保存的汇报({period})相比。",
        "en": "Compared with the last saved review ({period}).",
    },
    "report.since.up": {"zh": "增长最多:{names}", "en": "Biggest risers: {names}"},
    "report.since.down": {"zh": "下降最多:{names}", "en": "Biggest fallers: {names}"},
    "report.since.abc": {"zh": "ABC 分类变化的客户:{n} 家", "en": "Accounts that changed ABC class: {n}"},
    "report.since.slipped": {"zh": "完成日期推迟的项目:{n} 个", "en": "Projects whose end date moved later: {n}"},
    "report.since.red": {"zh": "新增高风险客户:{n} 家", "en": "Newly red accounts: {n}"},
    "report.since.red_unavailable": {
        "zh": "新增高风险客户:流失风险评分尚未上线。",
        "en": "Newly red accounts: the churn-risk score is not available yet.",
    },
    "report.since.red_no_previous": {
        "zh": "新增高风险客户:上次汇报没有风险评分,下次汇报起可比较。",
        "en": "Newly red accounts: the last review had no risk score; comparable from the next review.",
    },
    "report.since.kind.abc": {"zh": "分类变化", "en": "Class change"},
    "report.since.kind.red": {"zh": "新增高风险", "en": "Newly red"},
    "report.since.kind.up": {"zh": "增长", "en": "Riser"},
    "report.since.kind.down": {"zh": "下降", "en": "Faller"},
    "report.since.kind.slipped": {"zh": "项目延期", "en": "Project slipped"},
    "report.table.since": {"zh": "自上次汇报以来的变化", "en": "Changes since the last review"},
    "report.col.change_kind": {"zh": "类型", "en": "Kind"},
    "report.col.name": {"zh": "客户 / 项目", "en": "Account / project"},
    "report.col.before": {"zh": "之前", "en": "Before"},
    "report.col.after": {"zh": "现在", "en": "Now"},
    "report.col.change": {"zh": "变化", "en": "Change"},
    "report.series.change": {"zh": "销售额变化", "en": "Revenue change"},
    # actions
    "report.actions.title": {
        "zh": "{n} 项行动:{carried} 项由上次汇报延续,{done} 项已完成",
        "en": "{n} actions: {carried} carried from earlier reviews, {done} done",
    },
    "report.actions.title_none": {"zh": "还没有商定的行动", "en": "No actions agreed yet"},
    "report.actions.explain": {
        "zh": "汇报中商定的行动(事项、负责人、截止日期、状态)保存在数据库中,未关闭的行动会带入下次汇报。",
        "en": "Actions agreed at a review (what, owner, due date, status) are kept; open ones carry into the next review.",
    },
    "report.actions.overdue": {"zh": "{n} 项行动已过截止日期。", "en": "{n} actions are past their due date."},
    "report.table.actions": {"zh": "行动清单", "en": "Actions"},
    "report.col.what": {"zh": "事项", "en": "What"},
    "report.col.action_owner": {"zh": "负责人", "en": "Owner"},
    "report.col.due_date": {"zh": "截止日期", "en": "Due"},
    "report.col.status": {"zh": "状态", "en": "Status"},
    "report.status.open": {"zh": "未开始", "en": "Open"},
    "report.status.in_progress": {"zh": "进行中", "en": "In progress"},
    "report.status.done": {"zh": "已完成", "en": "Done"},
    "report.status.dropped": {"zh": "已取消", "en": "Dropped"},
    # speaker notes
    "report.notes.scope": {
        "zh": "开场:说明汇报期间、覆盖的客户范围和本次汇报的三个目标。",
        "en": "Open with the period, the accounts covered and the three goals of this review.",
    },
    "report.notes.accounts": {
        "zh": "说明分类方法:按近 12 个月销售额累计占比,80% 以内为 A 类,95% 以内为 B 类,其余为 C 类。",
        "en": "Explain the classes: by cumulative share of the last 12 months' revenue, A up to 80 %, B up to 95 %, the rest C.",
    },
    "report.notes.sales": {
        "zh": "强调与目标和上一周期的对比;未达标时说明原因。",
        "en": "Stress the comparison with target and the previous period; if short of target, say why.",
    },
    "report.notes.top": {
        "zh": "点名前几位大客户的变化,说明集中度风险。",
        "en": "Name the movers among the largest accounts; mention concentration risk.",
    },
    "report.notes.satisfaction": {
        "zh": "先讲优势,再讲最低的维度和项目,引出改进措施。",
        "en": "Start with the strength, then the weakest dimension and items, leading to the improvements.",
    },
    "report.notes.projects": {
        "zh": "逐一说明有风险项目的问题和补救计划。",
        "en": "Go through each project at risk: the issue and the recovery plan.",
    },
    "report.notes.loyalty": {
        "zh": "重复购买和留存说明客户粘性;净收入留存高于 100% 表示老客户在扩大合作。",
        "en": "Repeat purchase and retention show stickiness; net revenue retention above 100 % means existing accounts buy more.",
    },
    "report.notes.churn": {
        "zh": "说明流失客户和预警客户,以及各自的挽回负责人。",
        "en": "Name the lost and at-risk accounts and who owns winning each back.",
    },
    "report.notes.service": {
        "zh": "响应速度是客户最常抱怨的问题;说明未响应请求的跟进安排。",
        "en": "Response speed is the most common complaint; say how unanswered tickets are followed up.",
    },
    "report.notes.communication": {
        "zh": "逾期客户需在本月内安排回访或拜访。",
        "en": "Overdue accounts need a call or visit scheduled this month.",
    },
    "report.notes.causes": {
        "zh": "从内部(流程、团队能力、制度)和外部(市场、客户需求、政策)两方面分析。",
        "en": "Analyse internal causes (process, team, rules) and external ones (market, customer needs, policy).",
    },
    "report.notes.improvements": {
        "zh": "每条措施要有负责人和截止日期,并记入行动清单。",
        "en": "Every measure needs an owner and a due date; record it in the action list.",
    },
    "report.notes.plan": {
        "zh": "按 1-3、3-6、6-12 个月分别说明重点客户、重点项目和目标。",
        "en": "Give the key accounts, projects and targets for months 1-3, 3-6 and 6-12.",
    },
    "report.notes.summary": {
        "zh": "总结成绩和问题,表达信心,请与会者确认行动清单。",
        "en": "Sum up results and problems, show confidence, and ask the room to confirm the action list.",
    },
    "report.notes.since": {
        "zh": "先回顾上次汇报以来的变化,再进入本期内容。",
        "en": "Review what changed since the last review before the period's results.",
    },
    "report.notes.actions": {
        "zh": "逐项确认上次行动的完成情况,记录新的行动。",
        "en": "Confirm each earlier action's status; record the new ones.",
    },
    # page
    "report.scope": {"zh": "汇报范围", "en": "Scope"},
    "report.scope_kind.all": {"zh": "全部客户", "en": "All accounts"},
    "report.scope_kind.owner": {"zh": "按客户经理", "en": "An account manager"},
    "report.scope_kind.region": {"zh": "按区域", "en": "A region"},
    "report.scope_kind.accounts": {"zh": "选定客户", "en": "Chosen accounts"},
    "report.scope_values": {"zh": "选择", "en": "Choose"},
    "report.period_note": {
        "zh": "期间与对比方式取自侧边栏;侧边栏的其他筛选不用于汇报,范围在此选择。",
        "en": "Period and comparison come from the sidebar; the sidebar's other filters do not apply, choose the scope here.",
    },
    "report.saved": {"zh": "已保存的汇报", "en": "Saved reports"},
    "report.saved.new": {"zh": "新汇报(未保存)", "en": "New report (not saved)"},
    "report.saved.option": {"zh": "#{id} · {period} · {scope} · 保存于 {at}", "en": "#{id} · {period} · {scope} · saved {at}"},
    "report.saved.reopened": {
        "zh": "已打开保存的汇报 #{id}({period});期间和范围取自该汇报。",
        "en": "Reopened saved report #{id} ({period}); its period and scope are used.",
    },
    "report.data_changed": {
        "zh": "保存此汇报后数据已有变化(有新的导入或撤销):数字按当前数据重新计算,可能与当时汇报的不同;编辑的文字和行动项保持不变。再次保存即以当前数据为准。",
        "en": "The data changed after this report was saved (imports committed or undone since): the figures are computed from the data as it is now and may differ from those presented; edited text and actions are kept. Saving it again makes the current data its basis.",
    },
    "report.mask": {"zh": "隐藏客户名称(客户A、客户B…)", "en": "Mask account names (Customer A, B…)"},
    "report.mask_help": {
        "zh": "屏幕共享时使用:页面和所有导出文件中的客户名称都会替换为代号。",
        "en": "For screen sharing: account names become aliases on screen and in every export.",
    },
    "report.presenter": {"zh": "演示模式", "en": "Presenter mode"},
    "report.presenter_help": {
        "zh": "隐藏侧边栏,放大字号,用 ← → 键或 PageUp/PageDown 翻页。",
        "en": "Hides the sidebar, larger type; page with ← → or PageUp / PageDown.",
    },
    "report.presenter.next": {"zh": "下一页", "en": "Next"},
    "report.presenter.previous": {"zh": "上一页", "en": "Previous"},
    "report.presenter.exit": {"zh": "退出演示", "en": "Exit presenter mode"},
    "report.presenter.position": {"zh": "第 {n} / {total} 页", "en": "Slide {n} of {total}"},
    "report.edit_label": {"zh": "汇报内容(可编辑)", "en": "Text (editable)"},
    "report.hints": {"zh": "数据提示", "en": "What the data says"},
    "report.actions_editor": {"zh": "编辑行动清单", "en": "Edit the actions"},
    "report.save": {"zh": "保存汇报", "en": "Save report"},
    "report.save_done": {"zh": "已保存为汇报 #{id}。", "en": "Saved as report #{id}."},
    "report.save_masked": {
        "zh": "已保存(保存的内容不受“隐藏客户名称”影响)。",
        "en": "Saved (what is stored is not affected by masking).",
    },
    "report.actions_invalid": {"zh": "行动清单有误:{error}", "en": "The action list has an error: {error}"},
    "report.export": {"zh": "导出", "en": "Export"},
    "report.export.pptx": {"zh": "下载 PowerPoint", "en": "Download PowerPoint"},
    "report.export.html": {"zh": "下载 HTML(可打印为 PDF)", "en": "Download HTML (prints to PDF)"},
    "report.export.xlsx": {"zh": "下载 Excel", "en": "Download Excel"},
    "report.export.prepare": {"zh": "生成导出文件", "en": "Prepare the exports"},
    "report.unavailable": {"zh": "尚未提供", "en": "Not available yet"},
    "report.no_sales": {
        "zh": "所选期间没有销售数据,汇报无法生成。请在侧边栏选择其他期间。",
        "en": "No sales in the chosen period, so there is nothing to report. Choose another period in the sidebar.",
    },
    "report.figures": {"zh": "关键指标", "en": "Key figures"},
    "report.talking_points": {"zh": "讲解要点", "en": "Talking points"},
    "report.contents": {"zh": "目录", "en": "Contents"},
    "report.slide_of": {"zh": "{n} / {total}", "en": "{n} / {total}"},
    "report.masked_badge": {"zh": "客户名称已隐藏", "en": "Account names masked"},
    "report.vs": {"zh": "对比期 {value}", "en": "comparison {value}"},
    "report.summary_sheet": {"zh": "关键指标", "en": "Key figures"},
    "report.col.section": {"zh": "章节", "en": "Section"},
    "report.col.figure": {"zh": "指标", "en": "Figure"},
    "report.col.value": {"zh": "本期", "en": "This period"},
    "report.col.comparison": {"zh": "对比期", "en": "Comparison"},
    "report.col.category": {"zh": "类别", "en": "Category"},
    "report.table_slide": {"zh": "{title}(共 {n} 项)", "en": "{title} ({n})"},
    "report.table_slide_first": {
        "zh": "{title}(共 {n} 项,列出前 {shown} 项,全部见 Excel)",
        "en": "{title} ({n}; the first {shown} shown, all in the Excel export)",
    },
    "report.more_rows": {
        "zh": "另有 {n} 行,见 Excel 导出。",
        "en": "{n} more rows in the Excel export.",
    },
    "report.sheet.text": {"zh": "汇报文字", "en": "Text"},
}
