"""The engine: the only layer that talks to DuckDB.

`connection` opens the file (sandboxed, waiting on a lock) and gives a snapshot for one piece of work;
`migrations` brings a file to the current schema and keeps the SQL rules (macros) and summary tables;
`ledger` writes and rolls back batches; `queries` runs the files of queries/; `users` keeps accounts.
Every other layer receives a connection from here and hands it back to these functions, so no other
module imports duckdb (tests/test_layers.py holds that).
"""

from __future__ import annotations

import duckdb

#: The type every other layer names a connection by, without importing duckdb itself.
Connection = duckdb.DuckDBPyConnection
#: What the database raises when it cannot answer (a table it has not got yet, a broken file): the one
#: database error other layers may catch, without importing duckdb.
DatabaseError = duckdb.Error
