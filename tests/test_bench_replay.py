"""The `page_*` rows' floor (scripts/bench_replay.py) draws what the page drew: the same
elements, in the same containers, from the recorded calls alone."""

from __future__ import annotations

import re
import sys

from servers import REPO
from streamlit.testing.v1 import AppTest

sys.path.insert(0, str(REPO / "scripts"))
import bench_replay  # noqa: E402

PAGE = """
import streamlit as st
st.session_state["runs"] = st.session_state.get("runs", 0) + 1
st.sidebar.caption("示例侧栏")
left, right = st.columns(2)
with left:
    st.metric("发现问题", 639, delta=12)
right.markdown("**已整改** 488")
with st.expander("明细"):
    st.dataframe({"区": ["芦淞区", "天元区"], "件": [3, 4]})
    with st.container(border=True):
        st.caption("示例说明")
st.checkbox("只看本部门", key="mine")
"""
REPLAY = """
import bench_replay
bench_replay.replay(bench_replay.RECORDED)
"""


def drawn(at: AppTest) -> list[str]:
    """Each element and block with what it shows, in tree order (a widget's id without the hash
of the script that made it)."""
    found = []

    def walk(node, depth: int) -> None:
        shown = re.sub(r"\$\$ID-[0-9a-f]+-", "", str(getattr(node, "proto", "")))
        found.append(f"{depth} {type(node).__name__} {shown}")
        for child in getattr(node, "children", {}).values():
            walk(child, depth + 1)

    walk(at._tree, 0)
    return found


def test_a_replay_draws_the_same_tree_without_running_the_page() -> None:
    import streamlit as st
    from streamlit.delta_generator import DeltaGenerator

    before = st.caption, DeltaGenerator.caption, DeltaGenerator.__enter__
    page = AppTest.from_string(PAGE)
    page.run()
    with bench_replay.recording() as calls:
        page.run()
    assert page.session_state["runs"] == 2
    assert any(call.name == "__enter__" for call in calls)
    bench_replay.RECORDED = calls
    floor = AppTest.from_string(REPLAY)
    floor.run()
    assert not floor.exception
    assert drawn(floor) == drawn(page)
    assert "runs" not in floor.session_state  # the page's own work is not replayed
    # Streamlit is as it was once the recording is over.
    assert before == (st.caption, DeltaGenerator.caption,
                      DeltaGenerator.__enter__)
