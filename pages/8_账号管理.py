"""账号管理: administrators list, add, reset and delete accounts (oversight.app.accounts draws it)."""

from __future__ import annotations

import streamlit as st

from oversight.app import accounts, page

ctx = page.page_setup("账号管理", "accounts", filters=False)
usernames = accounts.accounts_section(ctx)
col_add, col_reset = st.columns(2)
with col_add:
    accounts.add_form(ctx)
with col_reset:
    accounts.reset_form(ctx, usernames)
accounts.role_form(ctx, usernames)
accounts.delete_section(ctx, usernames)
