"""The documents a subscription delivers, by key: the two-page leader's brief (`brief`), the
full briefing PDF (`briefing`), the figures workbook (`xlsx`) and a short text of the view's
headline indicators (`digest`, which is the message itself rather than an attachment).

Each file is made by a function of `civic.export`, found by name when it is built: a document
whose function this version of civic lacks is refused when subscribed, with the reason.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from civic.channels import Attachment
    from civic.view import View


class DocumentError(ValueError):
    """A document that does not exist or cannot be made by this version of civic."""


@dataclass(frozen=True)
class Document:
    key: str
    extension: str | None
    """The attached file's extension; None for the digest, which is the message's text."""
    builder: str | None
    """The function of `civic.export` that makes the file from a view."""


DOCUMENTS = {
    "brief": Document("brief", "pdf", "brief_pdf"),
    "briefing": Document("briefing", "pdf", "briefing_pdf"),
    "xlsx": Document("xlsx", "xlsx", "figures_xlsx"),
    "digest": Document("digest", None, None),
}
DIGEST = "digest"


def _export():
    return importlib.import_module("civic.export")  # plotly and kaleido: only when needed


def available(key: str) -> bool:
    document = DOCUMENTS.get(key)
    if document is None:
        return False
    return document.builder is None or hasattr(_export(), document.builder)


def require(key: str) -> Document:
    """The document of `key`; `DocumentError` when there is none or it cannot be made here."""
    if key not in DOCUMENTS:
        raise DocumentError(f"the document is one of {', '.join(DOCUMENTS)}, not {key!r}")
    if not available(key):
        raise DocumentError(f"the document {key!r} is not available in this version of civic; "
                            "choose another (briefing, xlsx or digest)")
    return DOCUMENTS[key]


def build(key: str, view: View) -> Attachment | None:
    """The file to attach for a view, named as the dashboard names its downloads; None for the
    digest. A browser that is missing or fails is a `DocumentError` saying so."""
    from civic.channels import Attachment

    document = require(key)
    if document.builder is None or document.extension is None:
        return None
    export = _export()
    try:
        data = getattr(export, document.builder)(view)
    except (export.BrowserMissing, export.ExportFailed) as error:
        raise DocumentError(f"the {key} could not be made: {error}") from None
    name = f"{export.file_stem(view, f'civic-{key}')}.{document.extension}"
    return Attachment(name, export.MIME[document.extension], data)
