"""Who is signed in: an account's role and the departments it may write for."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Account:
    name: str
    role: str  # "editor" or "admin"
    departments: tuple[str, ...] = ()
    email: str | None = None
