"""Work a page run would otherwise repeat for every session: finished figures and rendered tables, kept
once per content in this server process and shared by every session.

A warm page run is mostly drawing, not querying (the query results are cached in app.cache): building
a plotly figure validates every property and deep-copies its template (70 ms for 总览's status matrix,
0.7 s for 趋势's small multiples, on this 2-core machine), and pandas' Styler renders the coloured status
table cell by cell (44 ms for the district). None of that changes until the data or the filters do.

- Figures: the builders of `oversight.present.figures` are wrapped (`install`, once per process) so that,
  inside a page run, a call with the same arguments as before (frames compared by content) returns a new
  figure made from the first call's finished one without validating it again (3 ms instead of 70). Each
  call still gets its own figure: a page that changes its figure changes only its own.
- Anything else: `shared(tag, build, *inputs)` builds once per tag and content of `inputs`.

Keys are the content itself (a frame's row hashes, schema and height), so an upload or a rollback, which
changes the frames, makes new entries by itself; old ones leave by least-recent use (MAX_ENTRIES).
"""

from __future__ import annotations

import datetime as dt
import decimal
import functools
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

import pandas as pd
import plotly.graph_objects as go
import polars as pl
from pandas.io.formats.style import Styler
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from oversight.present import figures

#: entries kept per kind (figures: ~70 KB each for the district, up to ~1 MB at province scale)
MAX_ENTRIES = 256

T = TypeVar("T")
_SCALARS = (str, int, float, bool, type(None), dt.date, dt.datetime, dt.time, decimal.Decimal)


class Unkeyable(TypeError):
    """An argument the memo cannot compare by content: the call is simply not shared."""


def frame_digest(df: pl.DataFrame) -> str:
    """The content of a frame in 32 hex digits: schema, height and every row's hash, in order."""
    h = hashlib.blake2b(digest_size=16)
    h.update(repr(list(df.schema.items())).encode())
    h.update(str(df.height).encode())
    if df.height:
        try:
            h.update(df.hash_rows(seed=0, seed_1=1, seed_2=2, seed_3=3).to_numpy().tobytes())
        except Exception:  # a dtype hash_rows cannot take: its IPC bytes say the same
            h.update(df.write_ipc(None).getvalue())
    return h.hexdigest()


def key_of(value: object) -> object:
    """A hashable stand-in for a builder argument, equal exactly when the argument's content is."""
    if isinstance(value, pl.DataFrame):
        return ("frame", frame_digest(value))
    if isinstance(value, pl.Series):
        return ("series", value.name, frame_digest(value.to_frame()))
    if isinstance(value, _SCALARS):
        return (type(value).__name__, value)
    if isinstance(value, list | tuple):
        return (type(value).__name__, tuple(key_of(v) for v in value))
    if isinstance(value, dict):
        return ("dict", tuple((key_of(k), key_of(v)) for k, v in value.items()))
    if isinstance(value, set | frozenset):
        return ("set", tuple(sorted((key_of(v) for v in value), key=repr)))
    raise Unkeyable(type(value).__name__)


class _Store:
    """A small thread-safe LRU map."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[object, Any] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: object) -> Any:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                self.hits += 1
                return self._items[key]
            self.misses += 1
            return None

    def put(self, key: object, value: object) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


FIGURES = _Store(MAX_ENTRIES)
RENDERED = _Store(MAX_ENTRIES)


def _in_page_run() -> bool:
    return get_script_run_ctx(suppress_warning=True) is not None


def share_figures(builder: Callable[..., go.Figure]) -> Callable[..., go.Figure]:
    """`builder`, but inside a page run a repeated call is a copy of the first call's finished figure."""

    @functools.wraps(builder)
    def wrapper(*args: object, **kwargs: object) -> go.Figure:
        if not _in_page_run():
            return builder(*args, **kwargs)
        try:
            key = (builder.__module__, builder.__qualname__, key_of(args), key_of(kwargs))
        except Unkeyable:
            return builder(*args, **kwargs)
        spec = FIGURES.get(key)
        if spec is not None:
            # the stored dict came from a validated figure: no need to validate it again; plotly copies it
            return go.Figure(spec, _validate=False)
        fig = builder(*args, **kwargs)
        FIGURES.put(key, fig.to_dict())  # a deep copy: what the caller does to `fig` stays its own
        return fig

    wrapper.__shared_builder__ = builder  # type: ignore[attr-defined]
    return wrapper


def install() -> None:
    """Wrap every figure builder `oversight.present.figures` exports (pages call them through it)."""
    for name in figures.__all__:
        builder = getattr(figures, name)
        if callable(builder) and not hasattr(builder, "__shared_builder__"):
            setattr(figures, name, share_figures(builder))


def shared(tag: str, build: Callable[..., T], *inputs: object) -> T:
    """build(*inputs), computed once per `tag` and content of `inputs` and shared by every session: for
    what a widget renders from cached frames. The result must not be changed by its users."""
    try:
        key = (tag, key_of(inputs))
    except Unkeyable:
        return build(*inputs)
    found = RENDERED.get(key)
    if found is None:
        found = build(*inputs)
        RENDERED.put(key, found)
    return found  # type: ignore[no-any-return]


def prepared_styler(frame: pd.DataFrame, uuid: str, style: Callable[[Styler], Styler]) -> Styler:
    """`style(Styler(frame))`, rendered once and then frozen, so one can be shared by every session.

    st.dataframe renders a Styler on every page run: Styler._compute applies the style functions cell by
    cell and Styler._translate builds a dict per cell, and Streamlit then rewrites every cell's display
    value (80 ms for the district's status matrix on this machine when another job shares the cores).
    This one answers both with its first result (instance attributes over the two methods Streamlit
    calls: Streamlit recognises a Styler by its exact type, so no subclass); when every cell is already
    text its display value is the cell itself and the per-cell part is left out. The uuid scopes its CSS
    in the page (Streamlit would otherwise take one from the element's position).
    tests/test_serving.py holds that st.dataframe sends byte for byte what it sends for a plain Styler.
    """
    styled = style(Styler(frame, uuid=uuid))
    styled._compute()
    translated = styled._translate(False, False)
    if all(isinstance(t, pd.StringDtype) for t in frame.dtypes) and not frame.isna().to_numpy().any():
        translated = {k: v for k, v in translated.items() if k != "body"}
    plain_translate = styled._translate

    def frozen_translate(*args: Any, **kwargs: Any) -> dict[str, Any]:
        if args == (False, False) and not kwargs:
            return translated
        return plain_translate(*args, **kwargs)  # type: ignore[no-any-return]

    styled._compute = lambda: styled  # type: ignore[method-assign]
    styled._translate = frozen_translate  # type: ignore[method-assign]
    return styled


install()
