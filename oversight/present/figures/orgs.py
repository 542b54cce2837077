"""The Party organisation tree (sunburst or treemap)."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from oversight.present.figures.base import (
    CHART_ROWS,
    DISTRICT_COLOR,
    ORG_TREE_NODES,
    PALETTE,
    ROOT_LABEL,
    empty_figure,
    layout,
)


def org_tree(
    df: pl.DataFrame,
    *,
    title: str = "党组织体系（局党委 → 党委 / 党总支 / 党支部）",
    kind: str = "sunburst",
) -> go.Figure:
    """The bureau's organisation tree from queries/org_tree.sql (node_id, parent_id, label, org_type,
    members_count; the root row has an empty parent_id).

    The first ring groups the primary orgs by type (党委 / 党总支 / 党支部 …), so fifty orgs still read as
    a few slices. Sizes are members, but `members` counts subordinate orgs too (SPEC) and recorded
    figures do not always add up, so each org is drawn with its own remainder (members minus its
    children's, at least 1 so an empty branch stays visible) while the hover shows the reported count.
    """
    if df.is_empty():
        return empty_figure(title)
    type_totals: dict[str, tuple[int, int]] | None = None
    if df.height > ORG_TREE_NODES:
        df, type_totals = _largest_primary_orgs(df)
        title = f"{title}（组织较多，仅显示党员最多的 {df.height - 1} 个一级党组织）"
    nodes, primary_count = _tree_nodes([dict(r) for r in df.to_dicts()], type_totals)
    types = [t for t in dict.fromkeys(str(r["org_type"] or "") for r in nodes[1:] if not r.get("group")) if t]
    type_color = {t: PALETTE[i % len(PALETTE)] for i, t in enumerate(types)}
    values, colors, hover = _node_styles(nodes, primary_count, type_color)
    trace_cls = go.Sunburst if kind == "sunburst" else go.Treemap
    extra: dict[str, object] = (
        {"insidetextorientation": "radial", "maxdepth": 3} if kind == "sunburst" else {}
    )
    fig = go.Figure(
        trace_cls(
            ids=[r["node_id"] for r in nodes],
            labels=[str(r["label"]) for r in nodes],
            parents=[r["parent_id"] or "" for r in nodes],
            values=values,
            branchvalues="remainder",
            marker={"colors": colors, "line": {"color": "white", "width": 1}},
            customdata=hover,
            hovertemplate="%{customdata}<extra></extra>",
            **extra,
        )
    )
    for t in types:  # a legend for the org types (a sunburst has none of its own)
        fig.add_trace(
            go.Scatter(
                x=[None], y=[None], mode="markers", name=t, marker={"color": type_color[t], "size": 12}
            )
        )
    fig.update_xaxes(visible=False, showgrid=False, zeroline=False)
    fig.update_yaxes(visible=False, showgrid=False, zeroline=False)
    # a slice too small for a readable name shows none (its name and count are in the hover and in
    # the table under the chart) instead of a smear of tiny rotated text
    fig.update_layout(uniformtext={"minsize": 11, "mode": "hide"})
    return layout(fig, title, height=640)


def _tree_nodes(rows: list[dict], type_totals: dict[str, tuple[int, int]] | None) -> tuple[list[dict], int]:
    """The root first, then one group node per primary org type (its count and members), then every org
    under its group or parent; an org whose parent is not drawn hangs from the root. Returns the nodes
    and the number of primary orgs."""
    if not any(not r["parent_id"] for r in rows):
        rows.insert(
            0,
            {"node_id": "__root__", "parent_id": "", "label": ROOT_LABEL, "org_type": "", "members_count": 0},
        )
    root = next(r for r in rows if not r["parent_id"])
    ids = {r["node_id"] for r in rows}
    for r in rows:
        if r["parent_id"] and r["parent_id"] not in ids:
            r["parent_id"] = root["node_id"]
    primary = [r for r in rows if r["parent_id"] == root["node_id"]]
    groups = []
    for t in dict.fromkeys(str(r["org_type"]) for r in primary):
        members = [r for r in primary if str(r["org_type"]) == t]
        count, total = (
            type_totals[t]
            if type_totals
            else (len(members), sum(int(r["members_count"] or 0) for r in members))
        )
        groups.append(
            {
                "node_id": f"__type__{t}",
                "parent_id": root["node_id"],
                "label": f"{t}（{count}）",
                "org_type": t,
                "members_count": total,
                "group": True,
            }
        )
        for r in members:
            r["parent_id"] = f"__type__{t}"
    return [root, *groups, *[r for r in rows if r is not root]], len(primary)


def _node_styles(
    nodes: list[dict], primary_count: int, type_color: dict[str, str]
) -> tuple[list[int], list[str], list[str]]:
    """Each node's drawn size (its own remainder of members), colour (its org type) and hover text."""
    child_sum: dict[str, int] = {}
    for r in nodes:
        if r["parent_id"] and not r.get("group"):
            child_sum[r["parent_id"]] = child_sum.get(r["parent_id"], 0) + int(r["members_count"] or 0)
    values, colors, hover = [], [], []
    for i, r in enumerate(nodes):
        members = int(r["members_count"] or 0)
        if i == 0:
            values.append(0)
            colors.append("#eeeeee")
            hover.append(f"{r['label']}<br>一级党组织：{primary_count} 个<br>党员人数：{members}")
        elif r.get("group"):
            values.append(0)
            colors.append(type_color.get(str(r["org_type"]), DISTRICT_COLOR))
            hover.append(f"一级{r['label']}<br>党员人数：{members}")
        else:
            values.append(max(members - child_sum.get(r["node_id"], 0), 1))
            colors.append(type_color.get(str(r["org_type"]), DISTRICT_COLOR))
            hover.append(f"{r['label']}<br>组织类型：{r['org_type']}<br>党员人数：{members}")
    return values, colors, hover


def _largest_primary_orgs(df: pl.DataFrame) -> tuple[pl.DataFrame, dict[str, tuple[int, int]]]:
    """The root and the CHART_ROWS primary orgs with most members (sub-branches dropped; `members`
    already counts them), plus every type's true primary-org count and members for the type ring."""
    is_root = pl.col("parent_id").fill_null("") == ""
    roots = df.filter(is_root)
    primary = df.filter(pl.col("parent_id").is_in(roots["node_id"].implode()))
    totals = primary.group_by("org_type").agg(pl.len(), pl.col("members_count").fill_null(0).sum())
    type_totals = {str(t): (int(n), int(m)) for t, n, m in totals.iter_rows()}
    largest = primary.sort("members_count", descending=True, nulls_last=True).head(CHART_ROWS)
    return pl.concat([roots, largest], how="vertical_relaxed"), type_totals
