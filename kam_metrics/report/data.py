"""What a report reads from the metrics: one call per area for the report's period and scope, gathered
into a :class:`ReportContext` that the section builders share. Churn and forecast results are optional
(absent data gives an unavailable section, never an invented one)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Any

import duckdb

from kam_metrics.domain.filters import Filters
from kam_metrics.forecast.results import ForecastPoint, ForecastSeries, ForecastWindow
from kam_metrics.i18n import t
from kam_metrics.report.model import format_value, join_words, to_date

if TYPE_CHECKING:
    from kam_metrics.churn.results import ChurnScores


def load_churn_scores(con: duckdb.DuckDBPyConnection, filters: Filters, account_ids: list[str],
                      result: ChurnScores | None = None) -> dict[str, Any]:
    """The churn-risk scores of the report's accounts from kam_metrics.churn.scoring, as of the same
    day the Churn risk page scores (the latest order up to the period end; ``result`` is that page's
    cached score_accounts result when the caller has it): {"method", "method_text", "fallback_reason",
    "scores" (account_id, account_name, owner, band, probability, revenue_12m, revenue_at_risk, is_alert,
    reasons_zh, reasons_en)}."""
    from kam_metrics.churn import scoring as churn

    if result is None:
        as_of = churn.scoring_day(con, filters.end)
        result = (churn.score_accounts(con, as_of=as_of, with_backtest=False) if as_of is not None
                  else churn.unscored(con, None))
    scores = result.scores
    scores = scores[scores["account_id"].isin(set(account_ids))].reset_index(drop=True)
    labels = {lang: churn.method_label(result.method, lang) for lang in ("zh", "en")}
    return {"method": result.method, "method_text": labels, "fallback_reason": result.fallback_reason,
            "scores": scores}


@dataclass(frozen=True)
class ReportForecast:
    """The report's forecast (:func:`load_forecast`): the scope's company series with its history, the
    windows of section 7 and the method in the report's languages."""

    #: the company series of the report's scope, with history and back-test months
    series: ForecastSeries
    #: the first day of the last complete month
    history_end: date
    #: months 1-3, 4-6 and 7-12 (engine.WINDOWS names) against the scope's pro-rated target; a window
    #: with a month without forecast is left out
    windows: dict[str, ForecastWindow]
    #: the method in words per language ("zh", "en"; kam_metrics.i18n.catalogue.forecast)
    method_text: dict[str, str]


def load_forecast(con: duckdb.DuckDBPyConnection, filters: Filters) -> ReportForecast | None:
    """The scope's monthly revenue forecast for the 12 months after the period end, from
    kam_metrics.forecast.engine, with the windows of section 7 (months 1-3, 4-6, 7-12) against
    the pro-rated target; None without history."""
    from kam_metrics.churn import scoring as churn
    from kam_metrics.forecast import engine as module

    # as of the latest order up to the period end (as the Sales page, which forecasts as of the latest
    # order): a period end after the data would otherwise count a partial month as complete
    as_of = churn.scoring_day(con, filters.end)
    if as_of is None:  # no order up to the period end: nothing to forecast from
        return None
    out = module.forecast_series(con, "company", horizon_months=12, filters=filters if filters.has_segments else None,
                                 include_history=True, as_of=as_of)
    series = out.first()
    if series is None or out.history_end is None:
        return None
    windows = {}
    for name, (first, last) in module.WINDOWS.items():
        window = _forecast_window(con, filters, series, series.forecast[first - 1 : last])
        if window is not None:
            windows[name] = window
    settings = out.settings or {}
    # the method named in the report's language (kam_metrics.i18n.catalogue.forecast)
    method_text = {lang: t(f"forecast.method.{series.method}", lang, n=series.history_months,
                           model=settings.get("forecast_min_months_model"),
                           seasonal=settings.get("forecast_min_months_seasonal"),
                           stopped=settings.get("forecast_stopped_months")) for lang in ("zh", "en")}
    return ReportForecast(series=series, history_end=out.history_end, windows=windows, method_text=method_text)


def _forecast_window(con: duckdb.DuckDBPyConnection, filters: Filters, series: ForecastSeries,
                     rows: tuple[ForecastPoint, ...]) -> ForecastWindow | None:
    """The forecast months ``rows`` summed against the scope's pro-rated target; None when a month has
    no forecast (or there is no month)."""
    from kam_metrics.domain.filters import month_end
    from kam_metrics.metrics.sales import compute_target

    values = [r.value for r in rows]
    if not rows or any(v is None for v in values):
        return None
    start, end = to_date(rows[0].month), month_end(to_date(rows[-1].month))
    total = float(sum(v for v in values if v is not None))
    target = compute_target(con, replace(filters, start=start, end=end, segment_end=None))["revenue_target"]
    return ForecastWindow(start=start, end=end, forecast=total,
                          lower=float(sum(r.lower or 0.0 for r in rows)),
                          upper=float(sum(r.upper or 0.0 for r in rows)),
                          target=None if target is None else float(target),
                          completion=None if not target else total / float(target),
                          method=series.method, mape_backtest=series.mape_backtest)


@dataclass
class ReportContext:
    con: duckdb.DuckDBPyConnection
    filters: Filters
    lang: str
    data: dict[str, Any]

    def t(self, key: str, **fields: Any) -> str:
        return t(key, self.lang, **fields)

    def v(self, value: Any, kind: str) -> str:
        return format_value(value, kind, self.lang)

    def names(self, items: list[str], limit: int = 5) -> str:
        shown = [str(i) for i in items[:limit]]
        more = len(items) - len(shown)
        text = join_words(shown, self.lang)
        return text + (self.t("report.and_more", n=more) if more > 0 else "")


def load_data(con: duckdb.DuckDBPyConnection, filters: Filters, churn_result: ChurnScores | None = None) -> dict[str, Any]:
    from kam_metrics.metrics import accounts, kpi, loyalty, pipeline, projects, sales, satisfaction, service

    comparison = filters.for_comparison()
    latest = satisfaction.compute_latest_overall(con, filters.end)
    wave = latest["wave"]
    cadence = service.compute_cadence(con, filters)
    account_list = accounts.compute_account_list(con, filters)
    return {
        "kpis": kpi.compute_kpis(con, filters),
        "monthly": sales.compute_monthly_revenue(con, filters),
        "monthly_comparison": sales.compute_monthly_revenue(con, comparison),
        "top": sales.compute_top_accounts(con, filters, limit=10),
        "accounts": account_list,
        "abc_summary": accounts.compute_abc_summary(con, filters),
        "key_accounts": accounts.compute_key_account_summary(con, filters),
        "intervals": loyalty.compute_order_intervals(con, filters),
        "referrals": loyalty.compute_referrals(con, filters),
        "nps": loyalty.compute_nps(con, filters),
        "lost": loyalty.compute_lost_accounts(con, filters),
        "wave": wave,
        "satisfaction": satisfaction.compute_satisfaction(con, wave=wave) if wave else None,
        "previous_wave": (latest.get("previous") or {}).get("wave"),
        "project_summary": projects.compute_project_summary(con, filters),
        "projects": projects.compute_project_list(con, filters),
        "service": service.compute_service_summary(con, filters),
        "service_monthly": service.compute_service_monthly(con, filters),
        "complaints": service.compute_complaints_by_account(con, filters),
        "cadence": cadence,
        "cadence_summary": service.summarize_cadence(cadence),
        "pipeline": pipeline.compute_pipeline_summary(con, filters),
        "funnel": pipeline.compute_funnel(con, filters),
        "stale": pipeline.compute_stale_opportunities(con, filters),
        "churn": load_churn_scores(con, filters, account_list["account_id"].tolist(), churn_result),
        "forecast": load_forecast(con, filters),
        "data_range": sales.load_data_range(con),
    }
