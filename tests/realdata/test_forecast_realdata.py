"""Superstore (../shared/realdata/superstore_sample.csv, a real export) imported as sales with the
command-line importer; the company-level back-test is checked against a seasonal-naive baseline computed
here independently from the CSV with pandas, and the model must beat it."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from kam_metrics.cli.main import main
from kam_metrics.forecast.engine import forecast_company
from kam_metrics.store.connection import open_db

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT.parent / "shared" / "realdata" / "superstore_sample.csv"
if not SOURCE.exists():
    print(f"skipping the Superstore forecast test: {SOURCE} is not present")
pytestmark = pytest.mark.skipif(not SOURCE.exists(), reason=f"real data file {SOURCE} is not present")

MAP = ["Order ID=order_id", "Order Date=order_date", "Customer ID=account_id", "Sales=amount", "Quantity=quantity",
       "Category=product_line", "Product Name=product"]


def test_superstore_company_forecast_beats_seasonal_naive(tmp_path, capsys):
    db = tmp_path / "superstore.duckdb"
    args = ["import", "sales", str(SOURCE), "--db", str(db), "--create-accounts", "--json"]
    for item in MAP:
        args += ["--map", item]
    assert main(args) == 0
    assert json.loads(capsys.readouterr().out)["rows_inserted"] == 9994
    with open_db(db, read_only=True) as con:
        run = forecast_company(con)
    assert run is not None
    company = run.series[0]
    # independent seasonal naive from the CSV: monthly Sales of 2021 against the same month of 2020
    raw = pd.read_csv(SOURCE, encoding="latin-1")
    monthly = raw.groupby(pd.to_datetime(raw["Order Date"], format="%m/%d/%Y").dt.to_period("M"))["Sales"].sum()
    actual = monthly[monthly.index.year == 2021].to_numpy()
    naive = monthly[monthly.index.year == 2020].to_numpy()
    expected_naive = float((abs(actual - naive) / actual).mean())
    assert str(run.history_end) == "2021-12-01"  # 30 Dec is within the month-end grace
    assert [r.actual for r in company.backtest] == pytest.approx(list(actual))
    assert company.baseline_mape == pytest.approx(expected_naive)
    assert company.n_months == 12 and company.n_zero_months == 0
    assert company.method == "holt_winters"
    assert company.mape_backtest < company.baseline_mape
    print(f"Superstore company back-test MAPE {company.mape_backtest:.4f} vs seasonal naive {company.baseline_mape:.4f}")
