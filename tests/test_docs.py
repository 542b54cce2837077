from pathlib import Path

from oversight import docs


def test_committed_format_doc_matches_the_schema() -> None:
    committed = (Path(__file__).parent.parent / docs.DOC_PATH).read_text(encoding="utf-8")
    assert committed == docs.render(), "docs/数据格式.md 已过期：运行 python -m oversight.docs"
