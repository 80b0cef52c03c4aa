"""Messages of the forecast area, both languages; merged into ``i18n.CATALOGUE``."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # methods (kam_metrics.forecast.engine; fields: n, model, seasonal, stopped)
    "forecast.method.holt_winters": {
        "zh": "加法 Holt-Winters 指数平滑(阻尼趋势 + 季节项)",
        "en": "additive Holt-Winters exponential smoothing (damped trend + season)",
    },
    "forecast.method.holt": {
        "zh": "Holt 指数平滑(阻尼趋势,无季节项:历史不足 {seasonal} 个月)",
        "en": "Holt exponential smoothing (damped trend, no season: history under {seasonal} months)",
    },
    "forecast.method.mean": {
        "zh": "兜底方法:{n} 个月历史的平均值(历史不足 {model} 个月)",
        "en": "fallback: mean of the {n} months of history (history under {model} months)",
    },
    "forecast.method.stopped": {
        "zh": "已停止采购:最近 {stopped} 个月无销售,预测为 0",
        "en": "stopped buying: no revenue in the last {stopped} months, forecast 0",
    },
    "forecast.method.none": {"zh": "无预测:尚无完整月份的历史", "en": "no forecast: no complete month of history yet"},
    # Sales page section
    "forecast.heading": {"zh": "销售预测", "en": "Revenue forecast"},
    "forecast.caption": {
        "zh": "预测起点 {history_end}(最新订单 {as_of});方法:{method};区间为 80% 预测区间,来自回测误差。",
        "en": "Forecast from {history_end} (latest order {as_of}); method: {method}; the band is the 80% interval, from the back-test errors.",
    },
    "forecast.segments_caption": {
        "zh": "预测为侧栏所选客户的合计。",
        "en": "The forecast sums the accounts selected in the sidebar.",
    },
    "forecast.kpi.next_month": {"zh": "下月预测({month})", "en": "Next month ({month})"},
    "forecast.kpi.next_3": {"zh": "未来 3 个月预测", "en": "Next 3 months"},
    "forecast.kpi.next_12": {"zh": "未来 12 个月预测", "en": "Next 12 months"},
    "forecast.kpi.mape": {"zh": "回测误差 MAPE", "en": "Back-test MAPE"},
    "forecast.kpi.baseline": {"zh": "季节朴素法 {baseline}", "en": "seasonal naive {baseline}"},
    "forecast.kpi.bias": {"zh": "回测偏差", "en": "Back-test bias"},
    "forecast.kpi.coverage": {"zh": "80% 区间命中率", "en": "80% interval hit rate"},
    "forecast.kpi.coverage_note": {"zh": "目标 80% · {n} 个月", "en": "aim 80% · n = {n}"},
    "forecast.help.coverage": {
        "zh": "回测中每个月的实际值是否落在当时画出的 80% 区间内(区间只用该月之前的回测误差计算,至少 3 个);远低于 80% 说明区间过窄,远高于说明过宽。",
        "en": "Whether each back-test month's actual fell inside the 80% interval drawn at the time (built only from the back-test errors of earlier months, at least 3); well below 80% means the band is too narrow, well above too wide.",
    },
    "forecast.help.interval": {"zh": "80% 区间:{lower} – {upper}", "en": "80% interval: {lower} – {upper}"},
    "forecast.help.mape": {
        "zh": "过去 12 个月,每月以上月末为起点只用当时已有的数据做一步预测;平均绝对百分比误差({n} 个月,{zero} 个零销售月不计入)。对比基准:季节朴素法(去年同月)。",
        "en": "Over the last 12 months, each month forecast one month ahead from the previous month-end using only the data known then; mean absolute percentage error ({n} months; {zero} months with zero revenue left out). Baseline: seasonal naive (the same month a year earlier).",
    },
    "forecast.help.bias": {
        "zh": "Σ(预测 − 实际) / Σ 实际,回测期内;正值表示预测偏高。",
        "en": "Σ(forecast − actual) / Σ actual over the back-test; positive means the forecast ran high.",
    },
    "forecast.chart.title": {
        "zh": "未来 12 个月预计 {total},较过去 12 个月 {growth};回测误差 {mape}(季节朴素法 {baseline})",
        "en": "Next 12 months expected at {total}, {growth} on the last 12; back-test error {mape} (seasonal naive {baseline})",
    },
    "forecast.chart.title_short": {
        "zh": "未来 {h} 个月预计 {total};回测误差 {mape}",
        "en": "Next {h} months expected at {total}; back-test error {mape}",
    },
    "forecast.chart.actual": {"zh": "实际", "en": "Actual"},
    "forecast.chart.forecast": {"zh": "预测", "en": "Forecast"},
    "forecast.chart.band": {"zh": "80% 区间", "en": "80% interval"},
    "forecast.chart.backtest": {"zh": "回测预测(一步)", "en": "Back-test forecast (one month ahead)"},
    "forecast.chart.yaxis": {"zh": "销售额({unit})", "en": "Revenue ({unit})"},
    "forecast.chart.month": {"zh": "月份", "en": "Month"},
    "forecast.empty": {"zh": "没有可预测的销售数据。", "en": "No sales to forecast."},
    "forecast.col.month": {"zh": "月份", "en": "Month"},
    "forecast.col.value": {"zh": "预测", "en": "Forecast"},
    "forecast.col.lower": {"zh": "区间下限", "en": "Lower (80%)"},
    "forecast.col.upper": {"zh": "区间上限", "en": "Upper (80%)"},
    # projected completion
    "forecast.completion.heading": {"zh": "目标完成预测", "en": "Projected target completion"},
    "forecast.completion.period": {"zh": "期间", "en": "Period"},
    "forecast.period.year": {"zh": "本年 {label}", "en": "This year {label}"},
    "forecast.period.quarter": {"zh": "本季度 {label}", "en": "This quarter {label}"},
    "forecast.completion.kpi.projected": {"zh": "预计销售额", "en": "Projected revenue"},
    "forecast.completion.kpi.completion": {"zh": "预计完成率", "en": "Projected completion"},
    "forecast.completion.kpi.gap": {"zh": "预计缺口", "en": "Projected gap"},
    "forecast.completion.kpi.gap_per_month": {"zh": "每月需额外完成", "en": "Extra needed per month"},
    "forecast.completion.help.projected": {
        "zh": "截至 {as_of} 的实际 {to_date} + 到 {end} 的预测 {rest}(80% 区间 {lower} – {upper})。",
        "en": "Actual to {as_of} {to_date} + forecast to {end} {rest} (80% interval {lower} – {upper}).",
    },
    "forecast.completion.help.gap_per_month": {
        "zh": "(目标 − 预计)÷ 剩余 {months} 个月:在预测之外每月还需多完成的销售额。",
        "en": "(target − projected) ÷ the {months} months left: revenue needed each month beyond the forecast.",
    },
    "forecast.completion.no_company_target": {
        "zh": "该期间没有公司(或客户经理)目标,无法计算完成率;可在「设置」页录入目标。",
        "en": "No company (or account manager) target for this period, so no completion; enter targets on the Settings page.",
    },
    "forecast.completion.no_target": {
        "zh": "{level}在该期间没有目标;可在「设置」页录入(层级 {code})。",
        "en": "No {level} targets for this period; enter them on the Settings page (level {code}).",
    },
    "forecast.completion.all_accounts": {
        "zh": "目标完成预测按全部客户计算;侧栏的行业、规模等筛选不适用于目标。",
        "en": "Projected completion covers all accounts; sidebar filters such as industry or scale do not apply to targets.",
    },
    "forecast.completion.title": {
        "zh": "{n_on}/{n} 个{level}预计完成目标;缺口最大:{worst}(每月需额外 {per_month})",
        "en": "{n_on} of {n} {level} projected to reach target; largest gap: {worst} ({per_month} a month extra)",
    },
    "forecast.completion.title_all": {
        "zh": "全部 {n} 个{level}预计完成目标",
        "en": "All {n} {level} projected to reach target",
    },
    "forecast.completion.to_date": {"zh": "至今实际", "en": "Actual to date"},
    "forecast.completion.rest": {"zh": "剩余预测", "en": "Forecast, rest of period"},
    "forecast.completion.target": {"zh": "目标", "en": "Target"},
    "forecast.completion.xaxis": {"zh": "销售额({unit})", "en": "Revenue ({unit})"},
    "forecast.level_plural.owner": {"zh": "客户经理", "en": "account managers"},
    "forecast.level_plural.region": {"zh": "区域", "en": "regions"},
    "forecast.col.to_date": {"zh": "至今实际", "en": "Actual to date"},
    "forecast.col.rest": {"zh": "剩余预测", "en": "Forecast, rest"},
    "forecast.col.projected": {"zh": "预计", "en": "Projected"},
    "forecast.col.target": {"zh": "目标", "en": "Target"},
    "forecast.col.completion": {"zh": "预计完成率", "en": "Projected completion"},
    "forecast.col.gap": {"zh": "缺口(¥,负数为超出)", "en": "Shortfall (¥, negative = above)"},
    "forecast.col.gap_per_month": {"zh": "每月需额外(¥)", "en": "Extra per month (¥)"},
    "forecast.col.required": {"zh": "每月所需", "en": "Needed per month"},
    "forecast.col.mape": {"zh": "回测 MAPE", "en": "Back-test MAPE"},
    "forecast.col.baseline": {"zh": "季节朴素 MAPE", "en": "Seasonal naive MAPE"},
    "forecast.col.method": {"zh": "方法", "en": "Method"},
    # Account 360
    "forecast.a360.heading": {"zh": "销售预测", "en": "Revenue forecast"},
    "forecast.a360.empty": {
        "zh": "该客户尚无完整月份的销售,暂无预测。",
        "en": "This account has no complete month of sales yet, so there is no forecast.",
    },
}
