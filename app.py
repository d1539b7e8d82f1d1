"""Streamlit dashboard (placeholder until the dashboard lands): terms and register."""

import streamlit as st

from calc.register import load_register
from calc.terms import load_terms

st.set_page_config(page_title="Lucent 8.00% preferred: dilution", layout="wide")
st.title("Lucent 8.00% Redeemable Convertible Preferred")
terms = load_terms()
st.subheader("Terms and provenance")
st.dataframe([{"field": k, "source": v} for k, v in terms.provenance.items()], width="stretch")
st.subheader("Holder register (Selling Securityholders, Aug 28, 2002 supplement)")
st.dataframe(load_register(), width="stretch")
