"""The stylesheet puts Chinese where Streamlit's own controls print English (oversight/app/style.py).

The browser tour (tests/test_browser_pages.py) reads every page's text for English; these controls appear
only at moments the tour does not catch (the Stop button only while a long run works), so the rules that
replace them are held here."""

from __future__ import annotations

from oversight.app import style


def test_the_status_widgets_stop_button_says_it_in_chinese() -> None:
    rule = '[data-testid="stStatusWidget"] button[data-testid="stBaseButton-header"]'
    assert f"{rule} {{ font-size: 0; }}" in style.STYLESHEET
    assert f'{rule}::after {{\n  content: "停止运行"' in style.STYLESHEET


def test_the_uploader_says_choose_and_drop_in_chinese_with_the_real_limit() -> None:
    assert 'content: "选择文件"' in style.STYLESHEET
    assert f'content: "或把文件拖到这里（每个不超过 {style.MAX_MB} MB；CSV、XLSX、XLS）"' in style.STYLESHEET
