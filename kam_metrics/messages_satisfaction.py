"""Messages (简体中文 / English) of the Satisfaction page and its settings; merged into kam_metrics.i18n.CATALOGUE."""

MESSAGES: dict[str, dict[str, str]] = {
    "page.satisfaction": {"zh": "满意度", "en": "Satisfaction"},
    "sat.heading": {"zh": "客户满意度", "en": "Customer satisfaction"},
    "sat.empty": {
        "zh": "还没有满意度调查数据。请在“数据导入”页导入调查项目(survey_items)、调查批次(survey_waves)和问卷(survey_responses)。",
        "en": "There are no satisfaction surveys yet. Import survey items, survey waves and questionnaires "
        "(survey_items, survey_waves, survey_responses) on the Data import page.",
    },
    "sat.wave": {"zh": "调查批次", "en": "Survey wave"},
    "sat.caption": {
        "zh": "批次 {wave}:回收 {returned} 份,有效 {valid} 份;与上一批次 {previous} 比较。满意度指数 = 得分 × 100 / 满分;一项空白计为 {impute} 分,空白超过 {max_blanks} 项的问卷无效。本页按调查批次统计,侧边栏的期间不适用。",
        "en": "Wave {wave}: {returned} questionnaires returned, {valid} valid; compared with wave {previous}. Index = score × 100 / scale max; "
        "a blank answer counts as {impute}, more than {max_blanks} blanks make a questionnaire invalid. This page counts by survey wave; the sidebar period does not apply.",
    },
    "sat.scope.all": {
        "zh": "客户范围:全部问卷(含匿名问卷);侧边栏的客户筛选(行业、规模、合作年限、区域、客户经理、ABC 分类)未设置。",
        "en": "Accounts: every questionnaire (anonymous ones included); no sidebar account filter (industry, scale, tenure, region, "
        "account manager, ABC class) is set.",
    },
    "sat.scope.segment": {
        "zh": "客户筛选:{filters}({accounts} 家客户)。本页所有数字只计这些客户的问卷:本批次共 {n_all} 份问卷,计入 {n_segment} 份;"
        "{n_anonymous} 份匿名问卷无法归属客户,不计入。合作年限与 ABC 分类按本批次最后答卷日 {as_of} 判定,上一批次与各批次历史使用同一批客户。",
        "en": "Account filter: {filters} ({accounts} accounts). Every figure on this page counts only these accounts' questionnaires: "
        "{n_segment} of the wave's {n_all}; {n_anonymous} anonymous questionnaires cannot be attributed to an account and are left out. "
        "Tenure and ABC class are evaluated as of the wave's last survey date, {as_of}; the previous wave and the wave history use the same accounts.",
    },
    "sat.kpi.response_help_segment": {
        "zh": "按客户筛选时无法计算:问卷发放数只按批次记录,没有按客户记录,筛选后回收的问卷没有对应的发放数。清除侧边栏的客户筛选可查看反馈率。",
        "en": "Not available under an account filter: questionnaires sent are recorded per wave, not per account, so the questionnaires "
        "returned by these accounts have no matching number sent. Clear the sidebar's account filters to see the response rate.",
    },
    "sat.waves_segment": {
        "zh": "按客户筛选时“发放”和“反馈率”显示为“—”:发放数只按批次记录,没有按客户记录。回收、有效与有效率只计所选客户的问卷。",
        "en": "Under an account filter, Sent and Response rate show “—”: questionnaires sent are recorded per wave, not per account. "
        "Returned, valid and validity rate count the selected accounts' questionnaires only.",
    },
    "sat.none": {"zh": "无", "en": "none"},
    "sat.low_sample": {
        "zh": "样本量小:本批次只有 {n} 份有效问卷(少于 5 份),各项得分仅供参考。",
        "en": "Low sample: only {n} valid questionnaires in this wave (fewer than 5); treat the scores as indicative.",
    },
    "sat.kpi.overall": {"zh": "综合满意度", "en": "Overall satisfaction"},
    "sat.kpi.overall_help": {
        "zh": "Σ(项目满意度 × 权重) / Σ权重,n = {n} 份有效问卷。与上一批次的变化:{significance}",
        "en": "Σ(item satisfaction × weight) / Σ weight, n = {n} valid questionnaires. Change since the previous wave: {significance}",
    },
    "sat.kpi.satisfied_rate": {"zh": "满意客户率", "en": "Satisfied-customer rate"},
    "sat.kpi.satisfied_help": {
        "zh": "指数 ≥ {threshold} 的客户 {satisfied} / 被调查客户 {surveyed};目标 {target}",
        "en": "Accounts with an index ≥ {threshold}: {satisfied} of {surveyed} surveyed; target {target}",
    },
    "sat.kpi.response_rate": {"zh": "反馈率", "en": "Response rate"},
    "sat.kpi.response_help": {"zh": "回收 {returned} / 发放 {sent}", "en": "{returned} returned of {sent} sent"},
    "sat.kpi.validity_rate": {"zh": "有效率", "en": "Validity rate"},
    "sat.kpi.validity_help": {"zh": "有效 {valid} / 回收 {returned}", "en": "{valid} valid of {returned} returned"},
    "sat.kpi.nps": {"zh": "净推荐值 NPS", "en": "Net promoter score"},
    "sat.kpi.nps_help": {
        "zh": "0-10 分题:9-10 分占比 − 0-6 分占比,n = {n}",
        "en": "0-10 item: % scoring 9-10 − % scoring 0-6, n = {n}",
    },
    "sat.kpi.coverage": {"zh": "收入覆盖率", "en": "Revenue coverage"},
    "sat.kpi.coverage_help": {
        "zh": "被调查客户占截至 {as_of} 近 12 个月销售额的比例(要求 ≥ 80%)",
        "en": "Share of the 12 months' revenue to {as_of} from surveyed accounts (seed 004 asks for ≥ 80%)",
    },
    "sat.target_suffix": {"zh": "目标 {target}", "en": "target {target}"},
    "sat.significant": {
        "zh": "显著(自助法 bootstrap,2000 次重抽样,固定种子,95% 区间 {lower} 至 {upper})",
        "en": "significant (bootstrap, 2,000 resamples, fixed seed, 95% interval {lower} to {upper})",
    },
    "sat.not_significant": {
        "zh": "不显著(自助法 bootstrap,2000 次重抽样,固定种子,95% 区间 {lower} 至 {upper} 包含 0)",
        "en": "not significant (bootstrap, 2,000 resamples, fixed seed, 95% interval {lower} to {upper} includes 0)",
    },
    "sat.untestable": {"zh": "无法检验(某一批次有效问卷少于 2 份)", "en": "cannot be tested (fewer than 2 valid questionnaires in a wave)"},
    "sat.change_caption": {"zh": "综合满意度较上一批次 {delta} 分:{significance}。", "en": "Overall satisfaction changed by {delta} points since the previous wave: {significance}."},
    "sat.rate_untestable": {"zh": "无法检验(某一批次被调查客户少于 2 家)", "en": "cannot be tested (fewer than 2 surveyed accounts in a wave)"},
    "sat.rate_change_caption": {
        "zh": "满意客户比例较上一批次 {delta}:{significance}。",
        "en": "The satisfied-customer rate changed by {delta} since the previous wave: {significance}.",
    },
    "sat.ipa_caption_revenue": {
        "zh": "问卷没有总体满意度题:重要性 = 客户该项目得分与其调查后 {months} 个月销售额相对调查前 {months} 个月变化的相关系数;分界线为平均值。",
        "en": "The survey has no overall item: importance = correlation of the account's item score with its revenue change "
              "in the {months} months after the survey against the {months} months before; the lines are the means.",
    },
    "sat.chart.previous": {"zh": "上一批次", "en": "Previous wave"},
    "sat.dimensions": {"zh": "各维度满意度", "en": "Satisfaction by dimension"},
    "sat.items": {"zh": "各项目满意度与差距", "en": "Item satisfaction and gaps"},
    "sat.ipa": {"zh": "重要性-满意度分析", "en": "Importance-performance"},
    "sat.ipa_caption": {
        "zh": "重要性 = 该项目得分与总体满意度题 {outcome} 的相关系数(派生重要性);分界线为平均值。",
        "en": "Importance = correlation of the item with the overall item {outcome} (derived importance); the lines are the means.",
    },
    "sat.likert": {"zh": "评分分布", "en": "Answer distribution"},
    "sat.waves": {"zh": "各批次反馈率与有效率", "en": "Response and validity by wave"},
    "sat.coverage": {"zh": "调查覆盖", "en": "Survey coverage"},
    "sat.coverage_ok": {"zh": "所有 A 类客户都已被调查。", "en": "Every class A account was surveyed."},
    "sat.coverage_missing": {"zh": "未被调查的 A 类客户({n} 家):", "en": "Class A accounts not surveyed ({n}):"},
    "sat.accounts": {"zh": "各客户满意度", "en": "Satisfaction per account"},
    "sat.comments": {"zh": "客户原话", "en": "Verbatim comments"},
    "sat.no_comments": {"zh": "本批次没有文字意见(问卷文件中没有 comment 列或该列为空)。", "en": "No comments in this wave (the survey file had no comment column, or it was empty)."},
    "sat.empty.items": {
        "zh": "本批次没有有效问卷,无法计算得分。请导入该批次的问卷,或检查空白题规则(设置页)。",
        "en": "No valid questionnaires in this wave, so there are no scores. Import its questionnaires or check the blank rule on the Settings page.",
    },
    "sat.empty.ipa": {
        "zh": "无法计算派生重要性:需要一个 1-5 分的总体满意度题(维度 overall)且至少 3 份有效问卷。",
        "en": "Derived importance needs a 1-5 overall item (dimension overall) and at least 3 valid questionnaires.",
    },
    # charts
    "sat.chart.dim.title": {"zh": "“{weakest}”得分最低({score}),与目标差 {gap} 分", "en": "{weakest} scores lowest ({score}), {gap} points from target"},
    "sat.chart.dim.title_ok": {"zh": "所有维度均达到目标,最低为“{weakest}”({score})", "en": "Every dimension meets its target; lowest is {weakest} ({score})"},
    "sat.chart.index_axis": {"zh": "满意度指数(0-100)", "en": "Satisfaction index (0-100)"},
    "sat.chart.target": {"zh": "目标", "en": "Target"},
    "sat.chart.score": {"zh": "本批次", "en": "This wave"},
    "sat.chart.ipa.title": {"zh": "需重点改进 {n} 项:{items}", "en": "{n} items to fix first: {items}"},
    "sat.chart.ipa.title_none": {"zh": "没有“高重要性、低满意度”的项目", "en": "No item is both important and below average"},
    "sat.chart.importance_axis": {"zh": "派生重要性(相关系数)", "en": "Derived importance (correlation)"},
    "sat.quadrant.fix_first": {"zh": "重点改进", "en": "Fix first"},
    "sat.quadrant.keep_up": {"zh": "继续保持", "en": "Keep up"},
    "sat.quadrant.low_priority": {"zh": "次要改进", "en": "Low priority"},
    "sat.quadrant.overkill": {"zh": "可能过度", "en": "Possible overkill"},
    "sat.chart.likert.title": {"zh": "“{item}”不满意(1-2 分)占比最高:{share}", "en": "{item} has the most dissatisfied answers (1-2): {share}"},
    "sat.chart.share_axis": {"zh": "回答占比(%)", "en": "Share of answers (%)"},
    "sat.likert.1": {"zh": "1 非常不满意", "en": "1 very dissatisfied"},
    "sat.likert.2": {"zh": "2 不满意", "en": "2 dissatisfied"},
    "sat.likert.3": {"zh": "3 一般", "en": "3 neutral"},
    "sat.likert.4": {"zh": "4 满意", "en": "4 satisfied"},
    "sat.likert.5": {"zh": "5 非常满意", "en": "5 very satisfied"},
    "sat.chart.waves.title": {"zh": "最近一批反馈率 {response},有效率 {validity}", "en": "Latest wave: response {response}, validity {validity}"},
    "sat.chart.waves.title_no_response": {
        "zh": "最近一批有效率 {validity}(按客户筛选时没有反馈率)",
        "en": "Latest wave: validity {validity} (no response rate under an account filter)",
    },
    "sat.chart.rate_axis": {"zh": "比率(%)", "en": "Rate (%)"},
    "sat.chart.wave_axis": {"zh": "调查批次", "en": "Survey wave"},
    # dimensions
    "sat.dim.product": {"zh": "产品", "en": "Product"},
    "sat.dim.tech_support": {"zh": "技术支持", "en": "Tech support"},
    "sat.dim.service": {"zh": "服务", "en": "Service"},
    "sat.dim.process": {"zh": "合作流程", "en": "Process"},
    "sat.dim.price": {"zh": "价格", "en": "Price"},
    "sat.dim.overall": {"zh": "总体", "en": "Overall"},
    # columns
    "sat.col.item": {"zh": "项目", "en": "Item"},
    "sat.col.item_code": {"zh": "项目代码", "en": "Item code"},
    "sat.col.dimension": {"zh": "维度", "en": "Dimension"},
    "sat.col.weight": {"zh": "权重", "en": "Weight"},
    "sat.col.satisfaction": {"zh": "满意度", "en": "Satisfaction"},
    "sat.col.n": {"zh": "样本数 n", "en": "n"},
    "sat.col.target": {"zh": "目标", "en": "Target"},
    "sat.col.gap_target": {"zh": "与目标差", "en": "Gap to target"},
    "sat.col.competitor": {"zh": "竞争对手", "en": "Competitor"},
    "sat.col.gap_competitor": {"zh": "与竞争对手差", "en": "Gap to competitor"},
    "sat.col.gap_previous": {"zh": "较上一批次", "en": "Change since previous wave"},
    "sat.col.importance": {"zh": "派生重要性", "en": "Derived importance"},
    "sat.col.quadrant": {"zh": "象限", "en": "Quadrant"},
    "sat.col.account_index": {"zh": "客户满意度指数", "en": "Account index"},
    "sat.col.is_satisfied": {"zh": "满意客户", "en": "Satisfied"},
    "sat.col.link": {"zh": "客户详情", "en": "Account 360"},
    "sat.col.wave": {"zh": "批次", "en": "Wave"},
    "sat.col.sent": {"zh": "发放", "en": "Sent"},
    "sat.col.returned": {"zh": "回收", "en": "Returned"},
    "sat.col.valid": {"zh": "有效", "en": "Valid"},
    "sat.col.response_rate": {"zh": "反馈率", "en": "Response rate"},
    "sat.col.validity_rate": {"zh": "有效率", "en": "Validity rate"},
    "sat.col.overall_index": {"zh": "综合满意度", "en": "Overall satisfaction"},
    "sat.col.comment": {"zh": "意见", "en": "Comment"},
    "sat.col.survey_date": {"zh": "日期", "en": "Date"},
    # account 360
    "sat.a360.heading": {"zh": "满意度", "en": "Satisfaction"},
    "sat.a360.empty": {"zh": "该客户没有有效的满意度问卷。", "en": "This account has no valid satisfaction questionnaire."},
    "sat.a360.caption": {
        "zh": "客户满意度指数 = 该批次有效问卷指数的平均值;≥ {threshold} 为满意客户。",
        "en": "Account index = mean of its valid questionnaires' indexes in the wave; ≥ {threshold} is a satisfied customer.",
    },
    # settings
    "sat.settings.heading": {"zh": "满意度设置", "en": "Satisfaction settings"},
    "sat.settings.help": {
        "zh": "这些设置保存在数据库中,页面和命令行立即同时使用。",
        "en": "These settings are stored in the database; pages and the command line use them at once.",
    },
    "sat.settings.impute": {"zh": "空白题计分(1-5 分)", "en": "Score given to a blank answer (1-5)"},
    "sat.settings.max_blanks": {"zh": "允许的空白题数(超过则问卷无效)", "en": "Blank answers allowed (more make the questionnaire invalid)"},
    "sat.settings.satisfied_index": {"zh": "满意客户的最低指数", "en": "Lowest index of a satisfied customer"},
    "sat.settings.satisfied_rate_target": {"zh": "满意客户率目标(%)", "en": "Satisfied-customer rate target (%)"},
    "sat.settings.target_index": {"zh": "默认目标指数(项目未设目标时)", "en": "Default target index (items without their own)"},
    "sat.settings.save": {"zh": "保存满意度设置", "en": "Save satisfaction settings"},
    "sat.settings.saved": {"zh": "满意度设置已保存。", "en": "Satisfaction settings saved."},
    "sat.settings.items": {"zh": "调查项目:维度、权重与目标", "en": "Survey items: dimension, weight and target"},
    "sat.settings.items_empty": {"zh": "还没有调查项目,请先导入 survey_items。", "en": "No survey items yet; import survey_items first."},
    "sat.settings.items_save": {"zh": "保存调查项目", "en": "Save survey items"},
    "sat.settings.items_saved": {"zh": "已更新 {n} 个调查项目。", "en": "{n} survey items updated."},
    "sat.settings.items_invalid": {"zh": "未保存:{problem}", "en": "Not saved: {problem}"},
}
