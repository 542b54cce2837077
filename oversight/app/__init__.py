"""The app layer: the only code that imports streamlit.

`page` (the one call every page makes: login, role check, sidebar), `sidebar` (the filters, kept
in the URL), `cache` (connections, snapshots and cached reads), `widgets` (tables, charts, cards, the
status matrix), `downloads` (PNG and Word, built when pressed). Pages in pages/ only draw with these.
"""
