"""Plotly figure builders shared by the dashboard and the HTML report: pure functions, frames in,
``go.Figure`` out. No share arithmetic (every number comes from ``calc``) and no Streamlit, so the
``report`` command draws the same charts without loading the dashboard."""
