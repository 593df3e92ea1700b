"""Proposed figures from a report: rule-based, so that every proposal can be explained.

`find_quantities` (civic/quantities.py) reads the numbers, units and qualifiers;
`readers` reads report files into text; `rules` judges what a number means in its sentence (a
date, an ordinal, a phone number, a figure); `dates` resolves dates against the report's date;
`matching` matches the words around a figure against the catalogue; `proposals` puts these
together. Nothing is saved here: the editor reviews every proposal.
"""

from civic.extraction.proposals import (
    NOT_PROPOSED_KEYS,
    RECORD_KEYS,
    SKIPPED_COLUMNS,
    TABLE_COLUMNS,
    Extraction,
    NotProposed,
    ProposedFigure,
    ReportDateMissing,
    extract,
    promoted,
    proposal_table,
    proposals_to_rows,
    report_day,
    skipped_table,
)
from civic.extraction.readers import (
    MAX_REPORT_BYTES,
    MAX_REPORT_CHARS,
    Report,
    ReportError,
    ReportTooLarge,
    ReportUnzipsTooFar,
    normalize_text,
    read_report,
    read_report_bytes,
)
from civic.extraction.rules import PHRASE_MAX

__all__ = [
    "MAX_REPORT_BYTES", "MAX_REPORT_CHARS", "NOT_PROPOSED_KEYS", "PHRASE_MAX", "RECORD_KEYS",
    "SKIPPED_COLUMNS", "TABLE_COLUMNS", "Extraction", "NotProposed", "ProposedFigure", "Report",
    "ReportDateMissing", "ReportError", "ReportTooLarge", "ReportUnzipsTooFar", "extract",
    "normalize_text", "promoted", "proposal_table", "proposals_to_rows", "read_report",
    "read_report_bytes", "report_day", "skipped_table",
]
