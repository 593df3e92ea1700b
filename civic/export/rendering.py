"""The HTML documents' Jinja2 templates (templates/, with their CSS), autoescaped: every data
string reaches the page as text."""

from __future__ import annotations

import functools

import jinja2


@functools.cache
def template(name: str) -> jinja2.Template:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("civic.export", "templates"),
        autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    return environment.get_template(name)
