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

from civic.i18n import t
from civic.text import printable

MAX_MEMBER = 64 * 2**20
"""Bytes one member may expand to: a 50,000-row sheet or a long report's XML is well under."""
MAX_TOTAL = 128 * 2**20
"""Bytes all members together may expand to."""
MAX_MEMBERS = 10_000


class TooLarge(ValueError):
    """A member (or all of them) would expand past its bound, or the archive holds too many
    members; nothing was parsed. `code` names which (`archive.<code>` in the catalogue)."""

    def __init__(self, code: str, size: int, limit: int, member: str = ""):
        self.code, self.size, self.limit = code, size, limit
        self.member = printable(member)[:100]
        super().__init__(self.message("en"))

    def values(self) -> dict[str, object]:
        return {"member": self.member, "size": self.size, "limit": self.limit}

    def message(self, lang: str) -> str:
        return t(f"archive.{self.code}", lang, **self.values())


def check(source: str | Path | IO[bytes], max_member: int = MAX_MEMBER,
          max_total: int = MAX_TOTAL) -> None:
    """Raise `TooLarge` when a member of the zip, or all of them, would expand past the bounds
    (or it holds more than MAX_MEMBERS members); `zipfile.BadZipFile` when it is no zip."""
    with zipfile.ZipFile(source) as archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise TooLarge("too_many_members", len(members), MAX_MEMBERS)
        total = 0
        for member in members:
            if member.file_size > max_member:
                raise TooLarge("member_too_large", member.file_size, max_member,
                               member.filename)
            total += member.file_size
        if total > max_total:
            raise TooLarge("total_too_large", total, max_total)
