"""数据上传: analysts download templates, upload a batch, read the validation report, commit, and see the
history; administrators roll a batch back. The sections are oversight.app.upload."""

from __future__ import annotations

from oversight.app import page, upload

ctx = page.page_setup("数据上传", "upload", filters=False)
upload.intro(ctx)
upload.templates_section()
upload.upload_section(ctx)
upload.history_section(ctx)
