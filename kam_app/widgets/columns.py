"""The column registry: one definition per column the pages' tables share, labelled in the session's
language when the table is drawn (``st.column_config`` objects cannot be built once at import).

Use ``columns.account_id()``, ``columns.money("col.revenue")``… inside ``column_config={...}``.
"""

from __future__ import annotations

import streamlit as st

from kam_app.state import t

MONEY_FORMAT = "¥%,.0f"


def text(key: str, **options):
    return st.column_config.TextColumn(t(key), **options)


def count(key: str):
    return st.column_config.NumberColumn(t(key), format="%d")


def decimal(key: str, digits: int = 1, *, signed: bool = False):
    return st.column_config.NumberColumn(t(key), format=f"%{'+' if signed else ''}.{digits}f")


def percent(key: str):
    return st.column_config.NumberColumn(t(key), format="percent")


def money(key: str = "col.revenue"):
    return st.column_config.NumberColumn(t(key), format=MONEY_FORMAT)


def date(key: str):
    return st.column_config.DateColumn(t(key))


def account_id():
    return text("col.account_id")


def account_name():
    return text("col.account_name")


def owner():
    return text("col.owner")


def account_link(key: str = "sat.col.link"):
    """A link to the account's Account 360 page (the cell holds ``/account_360?account=ID&lang=..``)."""
    return st.column_config.LinkColumn(t(key), display_text="360 →")
