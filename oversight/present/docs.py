"""Writes docs/数据格式.md from the schema, so the documented file formats can never drift from the code.

`python -m oversight.docs` rewrites it; a test fails when the committed file differs.
"""

from __future__ import annotations

import sys
from pathlib import Path

from oversight.contract.catalog import (
    INDICATORS,
    ROTATION_TARGET,
    STATUS_BAD,
    STATUS_OK,
    STATUS_STYLE,
    STATUS_WARN,
)
from oversight.contract.schema import TABLES, TYPE_HINTS, ProblemKind

DOC_PATH = Path("docs") / "数据格式.md"
INDICATOR_DOC_PATH = Path("docs") / "指标与阈值.md"


def render() -> str:
    lines = [
        "# 导入文件格式",
        "",
        "本文件由 `python -m oversight.docs` 根据 `oversight/schema.py` 生成，请勿手工修改。",
        "",
        "- 每个文件（CSV，或 .xlsx 工作簿中的每个工作表）对应一张表；表头可用中文或英文列名，顺序不限。",
        "- 表头前后的空格（含全角空格）会被忽略，全角与半角括号视为相同（金额（元） = 金额(元)）。",
        "- 表头上方可以有标题行，系统会自动找到表头行；模板中的“填写说明”行会被自动跳过。",
        "- 编码：UTF-8、带 BOM 的 UTF-8、GBK、GB18030，自动识别。",
        f"- 是/否：{TYPE_HINTS['bool']}。日期：{TYPE_HINTS['date']}，以及 Excel 日期单元格。",
        "- 多余的列只提示警告；除注明“选填”外，每列都必填。",
        "",
    ]
    for t in TABLES:
        lines += [f"## {t.zh}（{t.name}）", "", "| 中文表头 | 英文列名 | 要求 |", "|---|---|---|"]
        for c in t.columns:
            lines.append(f"| {c.zh} | {c.name} | {c.hint} |")
        key = "、".join(t.zh_of(k) for k in t.key)
        lines += ["", f"主键：{key}（同一主键再次上传时覆盖旧值，旧值保留在历史中）。"]
        for ref in t.references:
            cols = "、".join(t.zh_of(c) for c in ref.columns)
            target = next(x for x in TABLES if x.name == ref.table)
            lines.append(f"引用：{cols} 必须已存在于“{target.zh}”表（数据库中或同一批文件中）。")
        lines.append("")
    lines += ["## 校验报告中的问题类型", ""]
    for kind in ProblemKind:
        lines.append(f"- {kind.value}{'（警告，不阻止导入）' if kind.is_warning else ''}")
    return "\n".join(lines) + "\n"


def render_indicators() -> str:
    ok, warn, bad = (f"{STATUS_STYLE[s][1]} {s}" for s in (STATUS_OK, STATUS_WARN, STATUS_BAD))
    lines = [
        "# 指标与状态阈值",
        "",
        "本文件由 `python -m oversight.docs` 根据 `oversight/catalog.py` 生成，请勿手工修改。",
        "阈值只在 `oversight/catalog.py` 一处设置，看板、命令行和 Word 总结都从那里读取。",
        "",
        f"| 指标 | 说明 | {ok} | {warn} | {bad} |",
        "|---|---|---|---|---|",
    ]
    for i in INDICATORS:
        if i.ok_at is None:
            lines.append(f"| {i.zh} | {i.description} | 仅统计，不评状态 | | |")
            continue
        warn_at = i.warn_at if i.warn_at is not None else i.ok_at
        lines.append(
            f"| {i.zh} | {i.description} | ≥ {i.ok_at:.0%} | {warn_at:.0%} ～ {i.ok_at:.0%} | < {warn_at:.0%} |"
        )
    lines += [
        "",
        f"交流轮岗的目标比例为 {ROTATION_TARGET:.0%}（每所学校每学年交流轮岗教师不少于符合条件教师的 10%）。",
        "分母为 0 的比例显示为“无数据”，不算作 0。同一指标连续两期未达标的学校列入“重点关注”。",
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    for path, text in ((DOC_PATH, render()), (INDICATOR_DOC_PATH, render_indicators())):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"已写出 {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
