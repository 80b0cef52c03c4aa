"""Benchmark the Sales, Accounts, Account 360 and Team pages at scale.

    python bench/bench_pages.py [--db /tmp/big.duckdb] [--repeat 3] [--skip-apptest]

Needs a database built first: ``python -m kam_metrics init-demo --db /tmp/big.duckdb --accounts 10000
--years 5`` (about 11.7 million sales rows). Filters: the app's default, "this quarter" anchored to the
latest order, compared with the previous quarter. For each page it measures:

1. **page data, cold / warm**: every kam_metrics call the page's cached loader makes (the work functions
   of kam_app.data.sales), in a fresh process: the first call after opening the database (cold) and the
   median of the next ``--repeat`` calls (warm: DuckDB's buffers filled; no result cache involved),
   with that process's peak RSS.
2. **core result**: the page's main frame three ways, each checked to give the same numbers:
   kam_metrics (warm median), one hand-written DuckDB statement (warm median; goal: kam_metrics at most
   1.2x its time), and pandas over the same rows held in memory (warm median), as dashboards commonly
   do (goal: slower than DuckDB, with at least 4x DuckDB's peak memory). Peak memory is measured in
   separate processes: one DuckDB process running all four core results, one pandas process loading
   the rows and computing all four.
3. **AppTest warm**: the page run through streamlit's AppTest against the database, once to fill the
   caches, then timed (median of ``--repeat`` reruns): what a user waits for after the first view.

Writes bench/results/pages.md (replacing it).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results" / "pages.md"
PAGES = ("sales", "accounts", "account_360", "team")
PAGE_FILES = {
    "sales": "pages/02_sales.py",
    "accounts": "pages/03_accounts.py",
    "account_360": "pages/04_account_360.py",
    "team": "pages/05_team.py",
}

# --- hand-written DuckDB statements: the core result of each page, written directly ------------------

HAND_SQL = {
    # revenue by industry, this period and the comparison period (compute_revenue_by 'industry')
    "sales": """
select coalesce(a.industry, '') as segment,
       coalesce(sum(s.amount) filter (where s.order_date between $start and $end), 0) as revenue,
       coalesce(sum(s.amount) filter (where s.order_date between $cmp_start and $cmp_end), 0) as comparison_revenue
from sales as s
join accounts as a using (account_id)
where s.order_date between least($start, $cmp_start) and greatest($end, $cmp_end)
group by 1
""",
    # the account list: ABC class, period and comparison revenue, orders, last order (compute_account_list)
    "accounts": """
with r12 as (
    select account_id, sum(amount) as revenue_12m
    from sales
    where order_date > $end::date - interval 1 year and order_date <= $end
    group by 1
    having sum(amount) > 0
),
abc as (
    select account_id,
           case when (sum(revenue_12m) over w - revenue_12m) / sum(revenue_12m) over () < 0.8 then 'A'
                when (sum(revenue_12m) over w - revenue_12m) / sum(revenue_12m) over () < 0.95 then 'B'
                else 'C' end as abc_class
    from r12
    window w as (order by revenue_12m desc, account_id rows between unbounded preceding and current row)
),
per as (
    select account_id,
           sum(amount) filter (where order_date between $start and $end) as revenue,
           sum(amount) filter (where order_date between $cmp_start and $cmp_end) as comparison_revenue,
           count(distinct order_id) filter (where order_date between $start and $end) as count_orders
    from sales
    where order_date between least($start, $cmp_start) and greatest($end, $cmp_end)
    group by 1
),
last_orders as (
    select account_id, max(order_date) as last_order_date from sales where order_date <= $end group by 1
)
select a.account_id, abc.abc_class, coalesce(per.revenue, 0) as revenue,
       coalesce(per.comparison_revenue, 0) as comparison_revenue, coalesce(per.count_orders, 0) as count_orders,
       l.last_order_date
from accounts as a
left join abc using (account_id)
left join per using (account_id)
left join last_orders as l using (account_id)
""",
    # one account's monthly revenue over the 24 months to the period end (the Account 360 trend)
    "account_360": """
select date_trunc('month', order_date)::date as month, sum(amount) as revenue
from sales
where account_id = $account_id and order_date between $start24 and $end
group by 1
""",
    # per owner: revenue, comparison revenue, accounts by ABC class, active and repeat accounts, orders,
    # visits and calls (compute_team without the tiny targets join)
    "team": """
with r12 as (
    select account_id, sum(amount) as revenue_12m
    from sales
    where order_date > $end::date - interval 1 year and order_date <= $end
    group by 1
    having sum(amount) > 0
),
abc as (
    select account_id,
           case when (sum(revenue_12m) over w - revenue_12m) / sum(revenue_12m) over () < 0.8 then 'A'
                when (sum(revenue_12m) over w - revenue_12m) / sum(revenue_12m) over () < 0.95 then 'B'
                else 'C' end as abc_class
    from r12
    window w as (order by revenue_12m desc, account_id rows between unbounded preceding and current row)
),
per as (
    select account_id,
           sum(amount) filter (where order_date between $start and $end) as revenue,
           sum(amount) filter (where order_date between $cmp_start and $cmp_end) as comparison_revenue,
           count(distinct order_id) filter (where order_date between $start and $end) as count_orders
    from sales
    where order_date between least($start, $cmp_start) and greatest($end, $cmp_end)
    group by 1
),
contacts as (
    select account_id, count(*) filter (where kind = 'visit') as visits, count(*) filter (where kind = 'call') as calls
    from interactions
    where opened_at >= $start::date and opened_at < $end::date + 1
    group by 1
)
select coalesce(a.owner, '') as owner,
       coalesce(sum(per.revenue), 0) as revenue,
       coalesce(sum(per.comparison_revenue), 0) as comparison_revenue,
       count(*) filter (where abc.abc_class = 'A') as count_a,
       count(*) filter (where abc.abc_class = 'B') as count_b,
       count(*) filter (where abc.abc_class = 'C') as count_c,
       count(*) filter (where per.count_orders >= 1) as count_active_accounts,
       count(*) filter (where per.count_orders >= 2) as count_repeat_accounts,
       coalesce(sum(per.count_orders), 0) as count_orders,
       coalesce(sum(contacts.visits), 0) as count_visits,
       coalesce(sum(contacts.calls), 0) as count_calls
from accounts as a
left join abc using (account_id)
left join per using (account_id)
left join contacts using (account_id)
group by 1
""",
}
#: the columns each core result is compared on, and the key it is sorted by
CORE_COLUMNS = {
    "sales": ("segment", ["revenue", "comparison_revenue"]),
    "accounts": ("account_id", ["revenue", "comparison_revenue", "count_orders"]),
    "account_360": ("month", ["revenue"]),
    "team": ("owner", ["revenue", "comparison_revenue", "count_a", "count_b", "count_c", "count_active_accounts",
                       "count_repeat_accounts", "count_orders", "count_visits", "count_calls"]),
}


def bench_case(db: str) -> dict:
    """The filters of the benchmark and the account Account 360 shows (the largest)."""
    from kam_metrics.domain.filters import Filters, preset_period
    from kam_metrics.store.connection import open_db

    with open_db(db, read_only=True) as con:
        last = con.execute("select max(order_date) from sales").fetchone()[0]
        rows = con.execute("select count(*) from sales").fetchone()[0]
        accounts = con.execute("select count(*) from accounts").fetchone()[0]
        start, end = preset_period("this_quarter", last)
        cmp_start, cmp_end = Filters(start, end).comparison
        account = con.execute(
            "select account_id from sales where order_date > $end::date - interval 1 year and order_date <= $end "
            "group by 1 order by sum(amount) desc limit 1",
            {"end": end},
        ).fetchone()[0]
    return {
        "start": start.isoformat(), "end": end.isoformat(), "cmp_start": cmp_start.isoformat(),
        "cmp_end": cmp_end.isoformat(), "account": account, "rows": rows, "accounts": accounts,
    }


def _filters(case: dict):
    from kam_metrics.domain.filters import Filters

    return Filters(date.fromisoformat(case["start"]), date.fromisoformat(case["end"]))


def _start24(case: dict) -> date:
    from kam_metrics.domain.filters import shift_months

    return shift_months(date.fromisoformat(case["end"]), -23)


def page_work(con, page: str, case: dict) -> None:
    """Every kam_metrics call the page's loaders make on its first view (kam_app.data.sales work functions)."""
    import logging

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    from kam_app.data import sales as loaders

    filters = _filters(case)
    if page == "sales":
        loaders._sales_page(con, filters, "month")
        loaders._breakdown(con, filters, "industry")
    elif page == "accounts":
        loaders._accounts_page(con, filters)
        loaders._matrix(con, filters, "industry", "scale")
    elif page == "account_360":
        loaders._account_options(con, filters)
        loaders._account_360(con, case["account"], filters)
    else:
        loaders._team(con, filters)


def core_kam_metrics(con, page: str, case: dict):
    from kam_metrics.domain.filters import Filters
    from kam_metrics.metrics import accounts, sales, team

    filters = _filters(case)
    if page == "sales":
        return sales.compute_revenue_by(con, filters, "industry")
    if page == "accounts":
        return accounts.compute_account_list(con, filters)
    if page == "account_360":
        one = Filters(_start24(case), filters.end, accounts=(case["account"],))
        return sales.compute_monthly_revenue(con, one)
    return team.compute_team(con, filters)


def core_hand_sql(con, page: str, case: dict):
    params = {
        "start": date.fromisoformat(case["start"]), "end": date.fromisoformat(case["end"]),
        "cmp_start": date.fromisoformat(case["cmp_start"]), "cmp_end": date.fromisoformat(case["cmp_end"]),
        "account_id": case["account"], "start24": _start24(case),
    }
    from kam_metrics.sql.segments import bind

    return con.execute(HAND_SQL[page], bind(HAND_SQL[page], params)).df()


# --- pandas over the rows in memory ------------------------------------------------------------------


def load_rows_into_pandas(db: str) -> dict:
    """Every sales, accounts and interactions row the pages need, as pandas frames (then the file is closed)."""
    import duckdb

    con = duckdb.connect(db, read_only=True)
    try:
        frames = {
            "sales": con.execute("select account_id, order_id, order_date, amount, quantity from sales").df(),
            "accounts": con.execute("select account_id, owner, industry from accounts").df(),
            "interactions": con.execute("select account_id, kind, opened_at from interactions").df(),
        }
    finally:
        con.close()
    return frames


def _pandas_abc(sales_df, end):
    import pandas as pd

    window = sales_df[(sales_df["order_date"] > pd.Timestamp(end) - pd.DateOffset(years=1))
                      & (sales_df["order_date"] <= pd.Timestamp(end))]
    r12 = window.groupby("account_id", as_index=False)["amount"].sum()
    r12 = r12[r12["amount"] > 0].sort_values(["amount", "account_id"], ascending=[False, True])
    before = (r12["amount"].cumsum() - r12["amount"]) / r12["amount"].sum()
    r12["abc_class"] = ["A" if b < 0.8 else "B" if b < 0.95 else "C" for b in before]
    return r12[["account_id", "abc_class"]]


def _pandas_per_account(sales_df, case):
    import pandas as pd

    start, end = pd.Timestamp(case["start"]), pd.Timestamp(case["end"])
    cmp_start, cmp_end = pd.Timestamp(case["cmp_start"]), pd.Timestamp(case["cmp_end"])
    d = sales_df["order_date"]
    current = sales_df[(d >= start) & (d <= end)]
    comparison = sales_df[(d >= cmp_start) & (d <= cmp_end)]
    per = pd.DataFrame({
        "revenue": current.groupby("account_id")["amount"].sum(),
        "comparison_revenue": comparison.groupby("account_id")["amount"].sum(),
        "count_orders": current.groupby("account_id")["order_id"].nunique(),
    }).fillna(0).reset_index().rename(columns={"index": "account_id"})
    return per


def core_pandas(frames: dict, page: str, case: dict):
    import pandas as pd

    sales_df, accounts_df = frames["sales"], frames["accounts"]
    start, end = pd.Timestamp(case["start"]), pd.Timestamp(case["end"])
    if page == "sales":
        cmp_start, cmp_end = pd.Timestamp(case["cmp_start"]), pd.Timestamp(case["cmp_end"])
        d = sales_df["order_date"]
        window = sales_df[(d >= min(start, cmp_start)) & (d <= max(end, cmp_end))]
        window = window.merge(accounts_df[["account_id", "industry"]], on="account_id")
        window["segment"] = window["industry"].fillna("")
        in_period = window["order_date"].between(start, end)
        in_comparison = window["order_date"].between(cmp_start, cmp_end)
        return pd.DataFrame({
            "revenue": window[in_period].groupby("segment")["amount"].sum(),
            "comparison_revenue": window[in_comparison].groupby("segment")["amount"].sum(),
        }).fillna(0).reset_index().rename(columns={"index": "segment"})
    if page == "account_360":
        start24 = pd.Timestamp(_start24(case))
        rows = sales_df[(sales_df["account_id"] == case["account"]) & sales_df["order_date"].between(start24, end)]
        monthly = rows.groupby(rows["order_date"].dt.to_period("M"))["amount"].sum()
        return pd.DataFrame({"month": monthly.index.to_timestamp(), "revenue": monthly.values})
    abc = _pandas_abc(sales_df, end)
    per = _pandas_per_account(sales_df, case)
    if page == "accounts":
        last = sales_df[sales_df["order_date"] <= end].groupby("account_id", as_index=False)["order_date"].max()
        out = accounts_df[["account_id"]].merge(abc, how="left").merge(per, how="left").merge(last, how="left")
        return out.fillna({"revenue": 0, "comparison_revenue": 0, "count_orders": 0})
    interactions = frames["interactions"]
    contacts = interactions[(interactions["opened_at"] >= start) & (interactions["opened_at"] < end + timedelta(days=1))]
    contacts = pd.DataFrame({
        "count_visits": contacts[contacts["kind"] == "visit"].groupby("account_id").size(),
        "count_calls": contacts[contacts["kind"] == "call"].groupby("account_id").size(),
    }).fillna(0).reset_index().rename(columns={"index": "account_id"})
    rows = accounts_df[["account_id", "owner"]].merge(abc, how="left").merge(per, how="left").merge(contacts, how="left")
    rows = rows.fillna({"revenue": 0, "comparison_revenue": 0, "count_orders": 0, "count_visits": 0, "count_calls": 0})
    rows["owner"] = rows["owner"].fillna("")
    grouped = rows.groupby("owner")
    return pd.DataFrame({
        "revenue": grouped["revenue"].sum(),
        "comparison_revenue": grouped["comparison_revenue"].sum(),
        "count_a": grouped["abc_class"].agg(lambda s: (s == "A").sum()),
        "count_b": grouped["abc_class"].agg(lambda s: (s == "B").sum()),
        "count_c": grouped["abc_class"].agg(lambda s: (s == "C").sum()),
        "count_active_accounts": grouped["count_orders"].agg(lambda s: (s >= 1).sum()),
        "count_repeat_accounts": grouped["count_orders"].agg(lambda s: (s >= 2).sum()),
        "count_orders": grouped["count_orders"].sum(),
        "count_visits": grouped["count_visits"].sum(),
        "count_calls": grouped["count_calls"].sum(),
    }).reset_index()


def same_numbers(page: str, a, b) -> bool:
    """Whether two core results agree on the compared columns (sums may differ in the last bits)."""
    import numpy as np
    import pandas as pd

    key, columns = CORE_COLUMNS[page]
    left = a.assign(**{key: a[key].astype(str)}).set_index(key).sort_index()
    right = b.assign(**{key: b[key].astype(str).str[:10] if page == "account_360" else b[key].astype(str)})
    right = right.set_index(key).sort_index()
    if page == "account_360":
        left.index = left.index.str[:10]
    if list(left.index) != list(right.index):
        return False
    return all(
        np.allclose(pd.to_numeric(left[c]).astype(float), pd.to_numeric(right[c]).astype(float), rtol=1e-9, atol=1e-6)
        for c in columns
    )


# --- subprocess entry points ------------------------------------------------------------------------


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_page(db: str, page: str, case: dict, repeat: int) -> dict:
    import logging

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    import kam_app.data.sales  # noqa: F401  (imported before timing: cold means cold data, not imports)
    from kam_metrics.store.connection import open_db

    with open_db(db, read_only=True) as con:
        started = time.perf_counter()
        page_work(con, page, case)
        cold = time.perf_counter() - started
        warm = []
        for _ in range(repeat):
            started = time.perf_counter()
            page_work(con, page, case)
            warm.append(time.perf_counter() - started)
    return {"cold": cold, "warm": statistics.median(warm), "peak_mb": _peak_mb()}


def child_duckdb_core(db: str, case: dict, repeat: int) -> dict:
    from kam_metrics.store.connection import open_db

    out = {}
    with open_db(db, read_only=True) as con:
        for page in PAGES:
            timings = {}
            for name, run in (("kam", core_kam_metrics), ("hand", core_hand_sql)):
                run(con, page, case)  # warm the buffers
                times = []
                for _ in range(repeat):
                    started = time.perf_counter()
                    result = run(con, page, case)
                    times.append(time.perf_counter() - started)
                timings[name] = statistics.median(times)
                timings[f"{name}_result"] = result
            out[page] = {
                "kam": timings["kam"],
                "hand": timings["hand"],
                "agree": same_numbers(page, timings["kam_result"], timings["hand_result"]),
                "kam_result": timings["kam_result"].to_json(orient="split", date_format="iso"),
            }
    out["peak_mb"] = _peak_mb()
    return out


def child_pandas_core(db: str, case: dict, repeat: int, kam_results: dict) -> dict:
    import io

    import pandas as pd

    started = time.perf_counter()
    frames = load_rows_into_pandas(db)
    out = {"load_s": time.perf_counter() - started}
    for page in PAGES:
        core_pandas(frames, page, case)
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            result = core_pandas(frames, page, case)
            times.append(time.perf_counter() - started)
        reference = pd.read_json(io.StringIO(kam_results[page]), orient="split")
        out[page] = {"pandas": statistics.median(times), "agree": same_numbers(page, reference, result)}
    out["peak_mb"] = _peak_mb()
    return out


def run_child(*args: str, stdin: str | None = None) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, "--child", *args], cwd=ROOT, input=stdin, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"child {args[0]} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def apptest_warm(db: str, page: str, repeat: int) -> tuple[float, float]:
    """(first view, warm median) seconds of the page through AppTest, app.py router included."""
    import logging

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    from streamlit.testing.v1 import AppTest

    os.environ["KAM_DB"] = db
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    at.run()
    at.switch_page(PAGE_FILES[page])
    started = time.perf_counter()
    at.run()
    first = time.perf_counter() - started
    if at.exception:
        raise RuntimeError(f"{page}: {[e.value for e in at.exception]}")
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - started)
    return first, statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="/tmp/big.duckdb")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-apptest", action="store_true")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, db, case_json, repeat = args.child[0], args.child[1], args.child[2], int(args.child[3])
        case = json.loads(case_json)
        if kind == "page":
            print(json.dumps(child_page(db, args.child[4], case, repeat)))
        elif kind == "duckdb":
            print(json.dumps(child_duckdb_core(db, case, repeat)))
        else:
            print(json.dumps(child_pandas_core(db, case, repeat, json.loads(sys.stdin.read()))))
        return 0
    if not Path(args.db).exists():
        print(f"{args.db} does not exist; build it with python -m kam_metrics init-demo --db {args.db} "
              "--accounts 10000 --years 5", file=sys.stderr)
        return 1
    case = bench_case(args.db)
    case_json = json.dumps(case)
    print(f"{args.db}: {case['rows']:,} sales rows, {case['accounts']:,} accounts; period {case['start']}..{case['end']}")
    pages = {}
    for page in PAGES:
        pages[page] = run_child("page", args.db, case_json, str(args.repeat), page)
        print(f"  {page:<12} data cold {pages[page]['cold']:.2f} s, warm {pages[page]['warm']:.2f} s, "
              f"peak {pages[page]['peak_mb']:,.0f} MB")
    duck = run_child("duckdb", args.db, case_json, str(args.repeat))
    kam_results = {page: duck[page]["kam_result"] for page in PAGES}
    pandas_run = run_child("pandas", args.db, case_json, str(args.repeat), stdin=json.dumps(kam_results))
    print(f"  core results: DuckDB process peak {duck['peak_mb']:,.0f} MB, pandas process peak "
          f"{pandas_run['peak_mb']:,.0f} MB (loading the rows took {pandas_run['load_s']:.1f} s)")
    apptests = {}
    if not args.skip_apptest:
        for page in PAGES:
            apptests[page] = apptest_warm(args.db, page, args.repeat)
            print(f"  {page:<12} AppTest first view {apptests[page][0]:.2f} s, warm {apptests[page][1]:.2f} s")

    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    import duckdb
    import pandas

    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M")
    lines = [
        "# Page benchmark: Sales, Accounts, Account 360, Team",
        "",
        f"`python bench/bench_pages.py --db {args.db} --repeat {args.repeat}` on {now} UTC, git {head}: "
        f"{case['rows']:,} sales rows, {case['accounts']:,} accounts, period {case['start']} .. {case['end']} "
        f"against {case['cmp_start']} .. {case['cmp_end']}; {len(os.sched_getaffinity(0))} CPUs, "
        f"DuckDB {duckdb.__version__}, pandas {pandas.__version__}, Python {platform.python_version()}.",
        "",
        "Page data = every kam_metrics call of the page's loaders, in a fresh process (cold: first call; warm: median).",
        "Core result = the page's main frame: Sales revenue by industry with comparison; Accounts the account list;",
        "Account 360 one account's 24 monthly revenues; Team the per-owner table. Times are warm medians;",
        "\"same\" says whether the three gave the same numbers.",
        "",
        "| page | data cold s | data warm s | data peak MB | core kam_metrics s | core hand SQL s | kam / hand | "
        "core pandas s | pandas / kam | same | AppTest first s | AppTest warm s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|",
    ]
    for page in PAGES:
        p, d, pd_ = pages[page], duck[page], pandas_run[page]
        first, warm = apptests.get(page, (None, None))
        lines.append(
            f"| {page} | {p['cold']:.2f} | {p['warm']:.2f} | {p['peak_mb']:,.0f} | {d['kam']:.3f} | {d['hand']:.3f} | "
            f"{d['kam'] / d['hand']:.2f}x | {pd_['pandas']:.3f} | {pd_['pandas'] / d['kam']:.2f}x | "
            f"{'yes' if d['agree'] and pd_['agree'] else 'NO'} | "
            f"{'' if first is None else f'{first:.2f}'} | {'' if warm is None else f'{warm:.2f}'} |"
        )
    lines += [
        "",
        f"Peak memory for the four core results: DuckDB process {duck['peak_mb']:,.0f} MB; pandas process "
        f"{pandas_run['peak_mb']:,.0f} MB ({pandas_run['peak_mb'] / duck['peak_mb']:.1f}x), of which loading the rows "
        f"took {pandas_run['load_s']:.1f} s (not in the pandas times above).",
        "",
    ]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(lines), encoding="utf-8")
    print(f"written {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
