"""The bounded store the loader and the History page keep their reads in."""

from __future__ import annotations

from civic.kept import Kept


def test_the_least_recently_used_is_given_up_first() -> None:
    kept: Kept[str] = Kept(2)
    kept.put("a", "first")
    kept.put("b", "second")
    assert "first" == kept.get("a")  # now the most recent
    kept.put("c", "third")
    assert (None, "first", "third") == (kept.get("b"), kept.get("a"), kept.get("c"))


def test_a_value_put_again_replaces_the_old_one() -> None:
    kept: Kept[int] = Kept(2)
    kept.put("a", 1)
    kept.put("a", 0)  # a count of nothing is kept too
    assert 0 == kept.get("a")
