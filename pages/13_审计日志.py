"""审计日志 (administrators): who did what and when; filter, read and export. The section is
oversight.app.audit_log; nothing here edits or deletes an entry."""

from __future__ import annotations

from oversight.app import audit_log, page

ctx = page.page_setup("审计日志", "audit", filters=False)
audit_log.audit_page(ctx)
