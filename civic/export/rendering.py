"""The HTML documents' Jinja2 templates (templates/, with their CSS), autoescaped: every data
string reaches the page as text."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import jinja2


@functools.cache
def template(name: str) -> jinja2.Template:
    import jinja2  # here: the dashboard's first page opens without it

    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("civic.export", "templates"),
        autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    return environment.get_template(name)
