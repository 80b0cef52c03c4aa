"""The ``churn`` command of the command line (docs/cli.md).

``churn backtest --transactions FILE [--map "Source header=column" ...] --cutoff DATE [--horizon-days 180]
[--json]`` reads FILE through the importer (kam_metrics.ingest.stage: the same reading, header mapping, date and
amount parsing; amount = quantity × unit price when the file has no amount; a file without order ids
treats an account's purchases on one day as one order; missing accounts are created) into a temporary
database, then back-tests the churn model there (kam_metrics.churn.scoring.backtest). Nothing is written to the
product's database. ``churn score [--as-of DATE] [--json]`` scores the database.

Exit status: 0 done; 2 wrong usage (no such file, a cutoff the data cannot test); 3 the file is rejected
by the importer; 1 anything else.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from kam_metrics.cli.common import EXIT_OK, EXIT_REJECTED, UsageError, iso_date, positive_int, print_json


def add_commands(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> dict[str, Callable[[argparse.Namespace], int]]:
    """Register this module's sub-commands; returns command name -> handler."""

    churn = commands.add_parser("churn", parents=[common], help="churn risk: back-test a transactions file, score the database")
    actions = churn.add_subparsers(dest="churn_command", required=True, metavar="ACTION")

    backtest = actions.add_parser("backtest", parents=[common], help="back-test the churn model on a transactions file")
    backtest.add_argument("--transactions", required=True, metavar="FILE", help="CSV, TSV or workbook of order lines")
    backtest.add_argument("--map", action="append", default=[], metavar='"Source header=column"')
    backtest.add_argument("--cutoff", type=iso_date, required=True, help="score as of the day before; outcome from it")
    backtest.add_argument("--horizon-days", type=positive_int, default=180)
    backtest.add_argument("--sheet")
    backtest.add_argument("--encoding")
    backtest.add_argument("--date-order", choices=("dmy", "mdy"))
    backtest.add_argument("--json", action="store_true")

    score = actions.add_parser("score", parents=[common], help="score every account of the database")
    score.add_argument("--as-of", type=iso_date, help="default: the latest order date")
    score.add_argument("--limit", type=positive_int, help="list only the first N accounts (highest revenue at risk)")
    score.add_argument("--json", action="store_true")
    return {"churn": _cmd_churn}


def _cmd_churn(args: argparse.Namespace) -> int:
    if args.churn_command == "backtest":
        return _cmd_backtest(args)
    return _cmd_score(args)


def _cmd_backtest(args: argparse.Namespace) -> int:
    from kam_metrics.churn.scoring import backtest
    from kam_metrics.ingest.stage import ImportRejected, import_file, parse_map_options
    from kam_metrics.store.connection import open_db
    from kam_metrics.store.settings import DEFAULTS

    try:
        mapping = parse_map_options(args.map)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    if not os.path.isfile(args.transactions):
        raise UsageError(f"{args.transactions}: no such file")
    with tempfile.TemporaryDirectory(prefix="kam_churn_") as folder:
        db = Path(folder) / "transactions.duckdb"
        try:
            staged, _record = import_file(
                db, args.transactions, "sales", mode="append", mapping=mapping, sheet=args.sheet,
                encoding=args.encoding, date_order=args.date_order, create_accounts=True,
            )
        except ImportRejected as exc:
            _say_rejected(args, exc.file_name, [p.as_dict("en") for p in exc.problems])
            return EXIT_REJECTED
        if not staged.ok:
            _say_rejected(args, staged.file_name, staged.problem_rows("en"))
            return EXIT_REJECTED
        with open_db(db, read_only=True) as con:
            try:
                result = backtest(con, args.cutoff, args.horizon_days, dict(DEFAULTS["churn_weights"]))
            except ValueError as exc:
                raise UsageError(str(exc)) from exc
    payload = result.metrics()
    if args.json:
        print_json(payload)
    else:
        training = result.training
        print(f"Churn back-test of {staged.file_name}: scored as of {result.scored_as_of}, outcome to {result.outcome_to} "
              f"(horizon {args.horizon_days} days)")
        print(f"  method                {result.method}")
        print(f"  training              features as of {training.features_as_of}, labels {training.labels_from} .. "
              f"{training.labels_to} ({training.n_train} accounts, {training.n_churned} churned)")
        for key in ("auc", "baseline_recency_auc", "pr_auc", "brier", "top_decile_lift", "base_rate"):
            value = payload[key]
            print(f"  {key:<21} {'—' if value is None else f'{value:.3f}'}")
        print(f"  n_accounts            {payload['n_accounts']}")
        for btyd in (result.btyd, result.pareto_nbd):
            if btyd:
                print(f"  benchmark {btyd.method}: auc {btyd.auc:.3f}, pr_auc {btyd.pr_auc:.3f}, brier {btyd.brier:.3f}")
    return EXIT_OK


def _say_rejected(args: argparse.Namespace, file_name: str, problems: list[dict]) -> None:

    if args.json:
        print_json({"status": "rejected", "file_name": file_name, "problems": problems[:100], "problem_count": len(problems)})
        return
    print(f"{file_name}: the transactions file was rejected ({len(problems)} problems):", file=sys.stderr)
    for p in problems[:20]:
        where = f"row {p['row']} " if p.get("row") else ""
        column = f"column {p['column']}: " if p.get("column") else ""
        print(f"  {where}{column}{p['problem']} {p['fix']}", file=sys.stderr)


def _cmd_score(args: argparse.Namespace) -> int:
    from kam_metrics.churn.scoring import score_accounts, scores_json
    from kam_metrics.store.connection import open_db

    with open_db(args.db, read_only=True) as con:
        result = score_accounts(con, args.as_of)
    payload = scores_json(result, args.limit)
    if args.json:
        print_json(payload)
        return EXIT_OK
    print(f"Churn risk as of {payload['as_of']} ({payload['method']}): {payload['n_accounts']} accounts, "
          f"{payload['n_alert']} early warnings; bands {payload['bands']}")
    for row in payload["accounts"] if args.limit else [a for a in payload["accounts"] if a["is_alert"]]:
        score = "—" if row["health_score"] is None else f"{row['health_score']:.0f}"
        print(f"  {row['account_id']:<12} {row['band'] or '—':<6} health {score:>3}  p={row['probability']:.2f}  "
              f"at risk {row['revenue_at_risk']:>14,.0f}  {'; '.join(row['reasons']['en'])}")
    return EXIT_OK
