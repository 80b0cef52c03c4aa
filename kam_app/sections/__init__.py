"""Streamlit blocks used by several pages: churn risk, the import flow, settings forms.

May import: ``kam_metrics``, every other ``kam_app`` package.
"""
