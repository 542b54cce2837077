"""Writes docs/数据格式.md from the schema, so the documented file formats can never drift from the code.

`python -m oversight.docs` rewrites it; a test fails when the committed file differs.
"""

from __future__ import annotations

import sys
from pathlib import Path

from oversight.schema import TABLES, TYPE_HINTS, ProblemKind

DOC_PATH = Path("docs") / "数据格式.md"


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


def main() -> int:
    DOC_PATH.parent.mkdir(parents=True, exist_ok=True)
    DOC_PATH.write_text(render(), encoding="utf-8")
    print(f"已写出 {DOC_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
