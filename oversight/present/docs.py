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
from oversight.contract.schema import (
    DATE_YEAR_MAX,
    DATE_YEAR_MIN,
    EXCEL_ERRORS,
    FOOTER_LABELS,
    TABLES,
    TOTAL_LABELS,
    TYPE_HINTS,
    UNIT_SYNONYMS,
    ProblemKind,
)

DOC_PATH = Path("docs") / "数据格式.md"
INDICATOR_DOC_PATH = Path("docs") / "指标与阈值.md"


def render() -> str:
    lines = [
        "# 导入文件格式",
        "",
        "本文件由 `python -m oversight.docs` 根据 `oversight/schema.py` 生成，请勿手工修改。",
        "",
        "- 每个文件（CSV，或 .xlsx / 旧版 .xls 工作簿中的每个工作表）对应一张表；表头可用中文或英文列名，顺序不限。",
        "- 编码：UTF-8、带 BOM 的 UTF-8、GBK、GB18030，自动识别。",
        f"- 是/否：{TYPE_HINTS['bool']}。日期：{TYPE_HINTS['date']}，以及 Excel 日期单元格。",
        "- 多余的列只提示警告；除注明“选填”外，每列都必填。",
        "",
        "### 能读取的写法",
        "",
        "凡是读取时替使用者做了决定的（按内容读取文件、去掉撇号、按单位或必填标记读表头、合并两行表头、跳过合计行、"
        "签字栏、说明行或说明工作表），校验报告中都有一条警告，请核对。",
        "",
        "- 文件按实际内容读取：扩展名是 .csv 的 Excel 工作簿按工作簿读取，扩展名是 .xlsx / .xls 的文本文件"
        "按 CSV 读取。",
        "- CSV 的分隔符（逗号、制表符、分号）取能读出表头的那一种，单元格里有逗号的制表符分隔文件也能读；"
        "Windows、Unix 和旧版 Mac（只用 CR 换行）的换行都能读。",
        "- 表头前后的空格（含全角空格）会被忽略，全角与半角括号视为相同（金额（元） = 金额(元)）。",
        "- 表头中的必填标记和括号里的说明文字会被忽略：学校名称（必填）、学校名称*、*学校名称、是否公办（是/否）；"
        "同时有“学校名称”列时，“学校名称（旧）”这样的列不会顶替它。",
        "- 表头可以带单位，单位与本列一致即可："
        + "；".join(f"以“{u}”计的列可写 {'、'.join(same)}" for u, same in UNIT_SYNONYMS.items())
        + "（如 在校生数（人））。",
        "- 表头上方可以有标题行，系统会自动找到表头行；表头可以占两行（上面一行是合并的分组单元格）。",
        "- 模板中的“填写说明”行会被自动跳过（不提示）；旧模板表头下方的“必填/选填”说明行也会跳过。",
        f"- 表格下方的合计行（{'、'.join(TOTAL_LABELS[:3])} 等）、签字栏（{'、'.join(FOOTER_LABELS[:4])}、"
        "填报日期等）和“注：”行会被跳过；夹在数据中间的小计行不跳过，按错误报告。",
        "- 工作簿中的“填表说明”等说明工作表（没有可识别的表头）会被跳过。",
        "- 编号、代码和数字、日期等列开头的撇号（'，Excel 的“文本”标记）会被去掉；数字单元格中的整数按整数读取，"
        "不带 .0。",
        "",
        "### 会被拒绝的写法（报告中指出文件、工作表、行号和列）",
        "",
        f"- Excel 的错误值（{'、'.join(list(EXCEL_ERRORS)[:5])} 等），以及列宽不够时另存为 CSV 写进文件的 ####："
        "按“格式错误”报告，不会当作空白读取。",
        "- 被 Excel 改成科学计数法的编号（4.20106E+17），以及超过 15 位的数字单元格中的编号（末几位已丢失）："
        "请把该列设为文本后重新输入。",
        f"- 年份只写两位的日期（23.9.6），以及年份不在 {DATE_YEAR_MIN}～{DATE_YEAR_MAX} 年之间的日期。",
        "- 单位与本列不一致的表头（如 金额（万元） 对 金额（元））：报告会指出两种单位。",
        "- 网页（HTML）另存的“.xls”、压缩包、Word 文档等：请在 Excel 中另存为 .xlsx 或 CSV。",
        "",
    ]
    for t in TABLES:
        lines += [f"## {t.zh}（{t.name}）", "", "| 中文表头 | 英文列名 | 要求 |", "|---|---|---|"]
        for c in t.columns:
            unit = f"；单位：{c.unit}" if c.unit and c.unit not in c.zh else ""
            lines.append(f"| {c.zh} | {c.name} | {c.hint}{unit} |")
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
    lines += [
        "",
        "读取时做了处理的地方（去掉撇号、按单位或必填标记读取表头、按内容读取文件、合并两行表头）以“格式错误”"
        "级别为“警告”报告，跳过的合计行、签字栏和说明行以“空行”报告，跳过的说明工作表以“无法识别的表”"
        "级别为“警告”报告：这些警告不阻止导入。",
    ]
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
        if i.lower_is_better:  # a shortfall in whole people (统编三科 teachers)
            ok_n, warn_n, unit = int(i.ok_at), int(i.warn_at or i.ok_at), i.count_unit
            middle = f"{ok_n + 1} ～ {warn_n} {unit}" if warn_n > ok_n else ""
            lines.append(f"| {i.zh} | {i.description} | {ok_n} {unit} | {middle} | ≥ {warn_n + 1} {unit} |")
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
