"""Plotly figures as PNG bytes, rendered by kaleido in the system chromium (no browser download).

Used by the Word report and by the pages' "下载图片 PNG" buttons. Chinese text renders only when the
figure asks for a CJK font installed on the server (fonts-noto-cjk), so every figure is given
"Noto Sans CJK SC" first in its font family before it is drawn.

kaleido starts a chromium per session (about 2-3 s), so `figures_to_png` draws several figures in one
session; the report uses it for its charts. The session runs on its own thread with its own event loop,
so it works the same from a Streamlit script thread, a test or the command line.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import threading
from collections.abc import Sequence
from pathlib import Path

import plotly.graph_objects as go

#: first choice for Chinese glyphs; the others keep Latin digits readable if it is missing
CJK_FONT_FAMILY = "Noto Sans CJK SC, Noto Sans SC, Source Han Sans SC, Microsoft YaHei, SimHei, sans-serif"
#: where Debian installs chromium; $BROWSER_PATH wins when set (kaleido reads it too)
SYSTEM_CHROMIUM = "/usr/bin/chromium"
DEFAULT_WIDTH, DEFAULT_HEIGHT, DEFAULT_SCALE = 900, 450, 2
#: seconds for one figure; a hung chromium must not hang a page or the report for ever
RENDER_TIMEOUT = 60.0


class ChartRenderError(RuntimeError):
    """Chromium or kaleido could not draw the figure; callers carry on without the picture."""


def chromium_path() -> str | None:
    """The chromium kaleido will use, or None when the server has none installed."""
    for candidate in (os.environ.get("BROWSER_PATH"), SYSTEM_CHROMIUM, shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def with_cjk_font(fig: go.Figure) -> go.Figure:
    """A copy of `fig` whose text is drawn with a CJK font, so 中文 does not come out as boxes."""
    out = go.Figure(fig)
    out.update_layout(font_family=CJK_FONT_FAMILY)
    if out.layout.title.font.family:
        out.update_layout(title_font_family=CJK_FONT_FAMILY)
    return out


async def _render_all(figs: Sequence[go.Figure], opts: dict[str, object]) -> list[bytes]:
    import kaleido

    out: list[bytes] = []
    async with kaleido.Kaleido(n=1, timeout=RENDER_TIMEOUT, mathjax=False) as k:
        for fig in figs:
            out.append(await k.calc_fig(fig.to_dict(), opts=dict(opts)))
    return out


def _run_in_thread(figs: Sequence[go.Figure], opts: dict[str, object]) -> list[bytes]:
    """asyncio.run on a fresh thread: safe even when the caller already runs an event loop."""
    result: dict[str, object] = {}

    def target() -> None:
        try:
            result["value"] = asyncio.run(_render_all(figs, opts))
        except BaseException as exc:  # handed to the caller's thread below
            result["error"] = exc

    worker = threading.Thread(target=target, name="kaleido-render", daemon=True)
    worker.start()
    worker.join(RENDER_TIMEOUT * max(len(figs), 1) + 30)
    if worker.is_alive():
        raise ChartRenderError("图表渲染超时。")
    if "error" in result:
        raise ChartRenderError(f"图表渲染失败：{result['error']}") from result["error"]  # type: ignore[misc]
    return result["value"]  # type: ignore[return-value]


def figures_to_png(
    figs: Sequence[go.Figure],
    *,
    width: int = DEFAULT_WIDTH,
    height: int = DEFAULT_HEIGHT,
    scale: float = DEFAULT_SCALE,
) -> list[bytes]:
    """Several figures in one chromium session. Raises ChartRenderError when none can be drawn."""
    if not figs:
        return []
    path = chromium_path()
    if path is None:
        raise ChartRenderError("服务器未安装 chromium，无法生成图片。")
    os.environ.setdefault("BROWSER_PATH", path)
    opts = {"format": "png", "width": width, "height": height, "scale": scale}
    return _run_in_thread([with_cjk_font(f) for f in figs], opts)


def figure_to_png(
    fig: go.Figure,
    *,
    width: int = DEFAULT_WIDTH,
    height: int = DEFAULT_HEIGHT,
    scale: float = DEFAULT_SCALE,
) -> bytes:
    """One figure as PNG bytes with Chinese text rendered."""
    return figures_to_png([fig], width=width, height=height, scale=scale)[0]
