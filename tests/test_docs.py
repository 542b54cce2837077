from pathlib import Path

from oversight.present import docs


def test_committed_format_doc_matches_the_schema() -> None:
    committed = (Path(__file__).parent.parent / docs.DOC_PATH).read_text(encoding="utf-8")
    assert committed == docs.render(), "docs/数据格式.md 已过期：运行 python -m oversight.docs"


def test_committed_indicator_doc_matches_the_catalog() -> None:
    committed = (Path(__file__).parent.parent / docs.INDICATOR_DOC_PATH).read_text(encoding="utf-8")
    assert committed == docs.render_indicators(), "docs/指标与阈值.md 已过期：运行 python -m oversight.docs"
