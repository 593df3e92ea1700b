"""A page's Streamlit calls recorded, then replayed by a script that computes nothing: the floor
of the `page_*` rows (scripts/bench.py).

Every call the page makes on a Streamlit container (`st.caption(…)`, `cols[0].metric(…)`,
`with st.sidebar:` …) is recorded with its arguments as they were, already computed: texts,
tables, Plotly figures, options, keys. The replay makes the same calls in the same order on the
same containers, so it draws the same elements and widgets through the same Streamlit code, and
does nothing else: no store, no view, no cards, no filters. What a page costs beyond its replay
is its own work. `st.navigation` is recorded too and made again with the same pages (whose links
the page draws), without running one; other calls outside containers (`st.session_state`,
`st.query_params`) are not.
"""

from __future__ import annotations

import contextlib
import threading
import types
from dataclasses import dataclass, field
from typing import Any, Iterator

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

_WRAPPED = ("__enter__", "__exit__")
_local = threading.local()


@dataclass
class Call:
    target: DeltaGenerator  # the container called, kept alive so that its id stays its own
    name: str
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    made: list[DeltaGenerator] = field(default_factory=list)  # the containers it returned


def _containers(result: object) -> list[DeltaGenerator]:
    if isinstance(result, DeltaGenerator):
        return [result]
    if isinstance(result, (list, tuple)) and any(isinstance(r, DeltaGenerator) for r in result):
        return [r for r in result if isinstance(r, DeltaGenerator)]
    return []


def _public_methods() -> list[str]:
    return [name for name in dir(DeltaGenerator) if not name.startswith("_")
            and isinstance(getattr(DeltaGenerator, name, None), types.FunctionType)]


@contextlib.contextmanager
def recording() -> Iterator[list[Call]]:
    """While open, the outermost container calls of any script thread are appended to the list
    yielded (the calls Streamlit makes inside them are its own)."""
    calls: list[Call] = []
    saved_class = {name: DeltaGenerator.__dict__.get(name) for name in
                   [*_public_methods(), *_WRAPPED]}
    saved_module = {name: value for name, value in vars(st).items()
                    if isinstance(value, types.MethodType) and value.__self__ is st._main}

    def wrap(name: str, original):
        def recorded(self, *args, **kwargs):
            depth = getattr(_local, "depth", 0)
            _local.depth = depth + 1
            try:
                result = original(self, *args, **kwargs)
            finally:
                _local.depth = depth
            if not depth:
                kept = () if name == "__exit__" else args
                calls.append(Call(self, name, kept, kwargs, _containers(result)))
            return result
        return recorded

    for name in saved_class:
        setattr(DeltaGenerator, name, wrap(name, getattr(DeltaGenerator, name)))
    for name in saved_module:  # `st.caption` is bound to the main container at import
        setattr(st, name, getattr(st._main, name))
    navigation = st.navigation

    def navigated(*args, **kwargs):
        calls.append(Call(st._main, "navigation", args, kwargs))
        return navigation(*args, **kwargs)

    st.navigation = navigated
    try:
        yield calls
    finally:
        for name, original in saved_class.items():
            if original is None:
                delattr(DeltaGenerator, name)
            else:
                setattr(DeltaGenerator, name, original)
        for name, original in saved_module.items():
            setattr(st, name, original)
        st.navigation = navigation


def replay(calls: list[Call]) -> None:
    """The recorded calls again, in the script thread that runs this."""
    made: dict[int, DeltaGenerator] = {id(st._main): st._main, id(st.sidebar): st.sidebar}
    for call in calls:
        target = made[id(call.target)]  # a container the replay has not made: a bug here
        if call.name == "__exit__":
            target.__exit__(None, None, None)
            continue
        if call.name == "navigation":  # the pages registered, none run
            st.navigation(*call.args, **call.kwargs)
            continue
        result = getattr(target, call.name)(*call.args, **call.kwargs)
        for old, new in zip(call.made, _containers(result)):
            made[id(old)] = new
