"""Schema migration 3 (the review report): saved reports, their edited sections, review actions.

Statements are plain DDL applied once by ``store.ensure_schema`` in one transaction.

- ``reports``: one row per saved review report: its period, comparison, scope (JSON), language, and a
  snapshot (JSON) of the figures the next review compares against ("since last review": ABC classes and
  revenue per account, each project's end date and slip, risk bands when the churn score exists).
- ``report_sections``: the presenter's edited text of the editable sections (5-8) of a saved report.
- ``review_actions``: actions agreed at a review (what, owner, due date, status), created in one report
  and closed (done or dropped) in a later one; open ones are carried into every next report.
"""

from __future__ import annotations

from kam_metrics.domain.enums import ACTION_STATUSES

STATEMENTS: list[str] = [
    "create sequence if not exists report_id_seq start 1",
    """
    create table if not exists reports (
        report_id     bigint primary key,
        period        varchar not null,
        start_date    date not null,
        end_date      date not null,
        compare       varchar not null check (compare in ('previous', 'yoy')),
        scope_json    varchar not null,
        lang          varchar not null check (lang in ('zh', 'en')),
        created_at    timestamp not null,
        updated_at    timestamp not null,
        user_name     varchar,
        snapshot_json varchar not null,
        check (end_date >= start_date)
    )
    """,
    """
    create table if not exists report_sections (
        report_id  bigint not null,
        section    varchar not null,
        body       varchar not null,
        updated_at timestamp not null,
        primary key (report_id, section)
    )
    """,
    "create sequence if not exists review_action_id_seq start 1",
    """
    create table if not exists review_actions (
        action_id         bigint primary key,
        what              varchar not null check (length(trim(what)) > 0),
        owner             varchar,
        due_date          date,
        status            varchar not null default 'open' check (status in ("""
    + ", ".join(repr(s) for s in ACTION_STATUSES)
    + """)),
        created_report_id bigint,
        closed_report_id  bigint,
        created_at        timestamp not null,
        updated_at        timestamp not null
    )
    """,
]
