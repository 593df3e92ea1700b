"""The store's one writer: every change of the records goes through here, validated, all or
nothing, audited, in a transaction queued behind other writers.

- `writer`: `write` and `write_in`, records upserted and deleted by the rules' verdict;
- `checks`: the part of the store a write touches, and the rules' problems there;
- `transactions`: the write lock, the audit rows and the data version;
- `undo`: a batch put back; `bulk`: many new figures at once; `folders`: a data folder and
  the seed.

Callers use the names below (`store.write`, `store.Refused`…). The engines are in
`civic.database`, the tables in `civic.schema`, reading in `civic.reads`.
"""

from civic.loading import Origin
from civic.store.bulk import BULK_COLUMNS, bulk_frame, write_figures
from civic.store.checks import Held
from civic.store.folders import SEED, is_empty, load_folder, prepare
from civic.store.transactions import (
    Busy,
    Change,
    audit_changes,
    locked_transaction,
    transaction,
)
from civic.store.undo import undo, undo_in
from civic.store.writer import DIRECT, Guard, Refused, Written, cli_user, write, write_in

__all__ = [
    "BULK_COLUMNS", "DIRECT", "SEED", "Busy", "Change", "Guard", "Held", "Origin", "Refused",
    "Written", "audit_changes", "bulk_frame", "cli_user", "is_empty", "load_folder",
    "locked_transaction", "prepare", "transaction", "undo", "undo_in", "write", "write_figures",
    "write_in",
]
