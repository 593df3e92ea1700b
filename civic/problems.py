"""Problems as a code and the values it names: each language says them from its catalogue
(`civic/locales/problems.*.yaml`, `problem.<code>`), so no reader gets another language's words.

A rule inside a model or the quantity parser raises `Coded`; the loader, the store's rules and
the intake turn it, and Pydantic's own errors, into `Problem`s located by file, record and field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from civic.text import shorten

MAX_PROBLEM_TEXT = 200


def _param(value: Any) -> Any:
    """A value a message names, bounded: numbers stay numbers, the rest is clipped text."""
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int | float):
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    return shorten(str(value), MAX_PROBLEM_TEXT)


def number(value: float) -> str:
    """A value as a message names it: 488, 2.5, never 488.0."""
    return f"{value:g}"


class Coded(ValueError):
    """A rule broken, raised where it is found (a model's validator, the quantity parser); its
    `str()` is its English, so Pydantic and logs still read it."""

    def __init__(self, code: str, **params: Any):
        self.code = code
        self.params = {k: _param(v) for k, v in params.items()}
        super().__init__(code)

    def __str__(self) -> str:
        return render(self.code, self.params, "en")


@dataclass(frozen=True)
class Problem:
    """One thing wrong, located so that a person can fix it: file, record, field, and what is
    wrong as a code with its values. Every part is clipped, so no file can make it large."""

    file: str
    record: str
    field: str
    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("file", "record", "field"):
            object.__setattr__(self, name, shorten(str(getattr(self, name)), MAX_PROBLEM_TEXT))
        object.__setattr__(self, "params", {k: _param(v) for k, v in self.params.items()})

    @property
    def message(self) -> str:
        """What is wrong, in English (the command line's language)."""
        return self.say("en")

    def say(self, lang: str, names: Mapping[str, str] | None = None) -> str:
        """What is wrong in `lang`; metrics by their names where `names` (id → name) has them."""
        return render(self.code, self.params, lang, names)

    def located(self, lang: str, names: Mapping[str, str] | None = None) -> str:
        """File, record and field (where to look), and what is wrong, in `lang`."""
        from civic.i18n import t

        where = " / ".join(part for part in (self.record, self.field) if part)
        return t("intake.located" if where else "intake.located_file", lang, file=self.file,
                 where=where, message=self.say(lang, names))

    def __str__(self) -> str:
        return self.located("en")


def render(code: str, params: Mapping[str, Any], lang: str,
           names: Mapping[str, str] | None = None) -> str:
    """A problem's message in `lang`: its catalogue text with the values it names, a metric by
    its name (where `names` has it), a unit by its symbol, a field by its column's header."""
    from civic.i18n import catalogue, column_name, format_unit, t

    values = {}
    for key, value in params.items():
        if key.endswith("metric") and names:
            value = names.get(str(value), value)
        elif key.endswith("unit"):
            value = format_unit(str(value), lang)
        elif key in ("column", "kind"):
            value = column_name(str(value), lang)
        elif key == "status" and f"review.status.{value}" in catalogue(lang):
            value = t(f"review.status.{value}", lang)  # a submission's, in words
        values[key] = value
    try:
        return t(f"problem.{code}", lang, **values)
    except (KeyError, IndexError, ValueError):  # a catalogue text naming a value not given
        return t(f"problem.{code}", lang)


# Pydantic's own checks, by their error type: the code each is said with, and the values of its
# context that the message names.
_PYDANTIC = {
    "missing": ("required", ()),
    "extra_forbidden": ("extra", ()),
    "string_too_short": ("empty", ()),
    "too_short": ("too_few", ("min_length",)),
    "string_too_long": ("at_most", ("max_length",)),
    "too_long": ("too_many", ("max_length",)),
    "string_type": ("text_expected", ()),
    "date_type": ("date", ()),
    "date_parsing": ("date", ()),
    "date_from_datetime_parsing": ("date", ()),
    "date_from_datetime_inexact": ("date", ()),
    "bool_parsing": ("boolean", ()),
    "bool_type": ("boolean", ()),
    "int_parsing": ("number", ()),
    "int_type": ("number", ()),
    "float_parsing": ("number", ()),
    "float_type": ("number", ()),
    "finite_number": ("number", ()),
    "enum": ("choice", ("expected",)),
    "literal_error": ("choice", ("expected",)),
    "list_type": ("list_expected", ()),
    "dict_type": ("mapping_expected", ()),
    "model_type": ("mapping_expected", ()),
    "model_attributes_type": ("mapping_expected", ()),
}


def from_pydantic(error: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """(code, values) of one of Pydantic's errors (`ValidationError.errors()`)."""
    kind = error.get("type", "")
    context = error.get("ctx") or {}
    if isinstance(context.get("error"), Coded):
        return context["error"].code, dict(context["error"].params)
    if kind == "string_pattern_mismatch":
        pattern = str(context.get("pattern", ""))
        return ("url" if "http" in pattern else "id"), {}
    if kind in _PYDANTIC:
        code, names = _PYDANTIC[kind]
        return code, {name: context.get(name, "") for name in names}
    return "invalid", {"value": repr(error.get("input"))[:60]}
