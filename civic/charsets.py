"""Bytes read as text the way Chinese offices write it: UTF-8 (a BOM dropped), else what Excel
and WPS write in China (GB18030, which holds GBK and GB2312), found by charset detection."""

from __future__ import annotations

from charset_normalizer import from_bytes


def decoded(content: bytes) -> str | None:
    """The text of `content`, or None when it is binary or reads as text in neither."""
    if b"\x00" in content[:4096]:
        return None
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    best = from_bytes(content, cp_isolation=["gb18030"]).best()
    return None if best is None else str(best)
