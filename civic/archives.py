"""Zip archives (XLSX workbooks, DOCX reports) opened only within bounds.

A few kilobytes of zip can expand to gigabytes: every member's uncompressed size, and their
sum, is checked against a bound before any member is parsed. The sizes a zip declares are what
Python's `zipfile` yields at most (it stops at the declared size and fails the CRC of anything
longer), so the check holds for whatever reads the archive through `zipfile` afterwards.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import IO

from civic.text import printable

MAX_MEMBER = 64 * 2**20
"""Bytes one member may expand to: a 50,000-row sheet or a long report's XML is well under."""
MAX_TOTAL = 128 * 2**20
"""Bytes all members together may expand to."""
MAX_MEMBERS = 10_000


class TooLarge(ValueError):
    """A member (or all of them) would expand past its bound; nothing was parsed."""

    def __init__(self, member: str, size: int, limit: int, what: str = "bytes"):
        self.member, self.size, self.limit = printable(member), size, limit
        verb = "holds" if what == "members" else "expands to"
        super().__init__(f"{self.member} {verb} {size:,} {what}, more than the {limit:,} allowed")


def check(source: str | Path | IO[bytes], max_member: int = MAX_MEMBER,
          max_total: int = MAX_TOTAL) -> None:
    """Raise `TooLarge` when a member of the zip, or all of them, would expand past the bounds
    (or it holds more than MAX_MEMBERS members); `zipfile.BadZipFile` when it is no zip."""
    with zipfile.ZipFile(source) as archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise TooLarge("the archive", len(members), MAX_MEMBERS, "members")
        total = 0
        for member in members:
            if member.file_size > max_member:
                raise TooLarge(member.filename[:100], member.file_size, max_member)
            total += member.file_size
        if total > max_total:
            raise TooLarge("all members", total, max_total)
