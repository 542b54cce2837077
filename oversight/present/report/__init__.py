"""The year's 情况总结 as a Word document, written from the data: `report.build_docx(con, params)`.

Leaders take paper to meetings and send the summary upward, and the district already writes it in a fixed
style ("全区共有一级党组织49个，其中党总支8个、党支部41个，党员1715人。"). This package writes the same
sentences from the indicators, so the numbers in the document are the dashboard's numbers, never retyped,
laid out as GB/T 9704 sets out an official document, and adds what a reader upstairs asks first: which
indicators and which schools lag, what got worse, and what is to be done.

Modules: data (the one reading: overviews() of both periods, the few query files, the history), sentences
(each section's sentences), laggards (the schools named per indicator), problems (存在问题, 下一步工作),
lagging (附件1, the 需关注 list), charts (five figures, drawn in one chromium session), document (the
GB/T 9704 page, styles, page numbers, tables), build (the order of it all, build_docx).

Periods: the report is about calendar year Y. When no as-of date is given it reads the data as at the end
of Y (or today, if Y is not over), so a 2023 summary printed in 2025 still describes 2023. The school year
is the one ending in Y (2022-2023 for 2023) when the data has it, as in the district's own summary.
Without chromium the document still builds, says in one sentence that the charts could not be drawn, and
keeps every number in the text.
"""

from oversight.present.report.build import (
    DEFAULT_ISSUER,
    ISSUER_ENV,
    LAGGING_HEADING,
    SECTIONS,
    THRESHOLDS_HEADING,
    Progress,
    Section,
    build_docx,
    issue_date,
    issuer_name,
    overview_rows,
    threshold_cells,
    write,
)
from oversight.present.report.charts import CHARTS, CHARTS_MISSING, render_charts, section_charts
from oversight.present.report.data import ReportData, detail_frames, period_params, read
from oversight.present.report.document import BODY_FONT, HEADING_FONT, KAI_FONT, TITLE_FONT, title_lines
from oversight.present.report.lagging import LAGGING_ROWS, lagging_from, lagging_intro, lagging_schools
from oversight.present.report.problems import NEXT_STEPS
from oversight.present.report.sentences import DETAIL_FILES, sentences
from oversight.present.report.words import NO_DATA, pct, scope_name

__all__ = [
    "BODY_FONT",
    "CHARTS",
    "CHARTS_MISSING",
    "DEFAULT_ISSUER",
    "DETAIL_FILES",
    "HEADING_FONT",
    "ISSUER_ENV",
    "KAI_FONT",
    "LAGGING_HEADING",
    "LAGGING_ROWS",
    "NEXT_STEPS",
    "NO_DATA",
    "SECTIONS",
    "THRESHOLDS_HEADING",
    "TITLE_FONT",
    "Progress",
    "ReportData",
    "Section",
    "build_docx",
    "detail_frames",
    "issue_date",
    "issuer_name",
    "lagging_from",
    "lagging_intro",
    "lagging_schools",
    "overview_rows",
    "pct",
    "period_params",
    "read",
    "render_charts",
    "scope_name",
    "section_charts",
    "sentences",
    "threshold_cells",
    "title_lines",
    "write",
]
