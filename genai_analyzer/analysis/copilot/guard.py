"""The SQL Copilot's first guard: a static check of the statement before anything runs.

``check_sql`` reads the statement with sqlglot (DuckDB dialect) and refuses, with a message a user
(or the LLM's repair step) can act on, anything but one SELECT / set operation / WITH ... SELECT over
the warehouse's mart tables: writes and DDL anywhere in the tree, more than one statement, file, URL
and catalog functions, other schemas and catalogs, unknown tables and the columns it can resolve. It
returns the statement regenerated from the checked tree without comments, so what runs is what was
checked (a ``-- */`` comment trick cannot reopen). ``runner.SafeRunner`` adds the other two guards;
the module docstring there explains all three and what the copilot may read.
"""

from __future__ import annotations

import difflib
import re
from typing import TYPE_CHECKING

from genai_analyzer.core.contract import MART_TABLES
from genai_analyzer.core.errors import AnalyzerError

if TYPE_CHECKING:
    pass

ALLOWED_TABLES = MART_TABLES
# Table functions allowed in FROM: they make rows from values, never from storage.
ALLOWED_TABLE_FUNCTIONS = frozenset({"unnest", "range", "generate_series"})
MAX_SQL_CHARS = 20_000  # far above any real question's SQL; bounds parser time and memory

_FILES = "reads files or URLs"
_INTERNALS = "reads the database's internals or settings"
_RUNS_SQL = "runs SQL given as text, out of the checks' sight"
_STATE = "changes the database's state"
_WAITS = "only waits"
DENIED_FUNCTIONS: dict[str, str] = {
    "glob": _FILES,
    "sniff_csv": _FILES,
    "st_read": _FILES,
    "getenv": "reads the server's environment",
    "load_aws_credentials": "reads the server's credentials",
    "query": _RUNS_SQL,
    "query_table": _RUNS_SQL,
    "from_substrait": _RUNS_SQL,
    "get_substrait": _RUNS_SQL,
    "get_substrait_json": _RUNS_SQL,
    "current_setting": _INTERNALS,
    "which_secret": _INTERNALS,
    "sql_auto_complete": _INTERNALS,
    "summary": _INTERNALS,
    "test_all_types": _INTERNALS,
    "test_vector_types": _INTERNALS,
    "match_bm25": _INTERNALS,
    "checkpoint": _STATE,
    "force_checkpoint": _STATE,
    "enable_logging": _STATE,
    "disable_logging": _STATE,
    "enable_profiling": _STATE,
    "disable_profiling": _STATE,
    "truncate_duckdb_logs": _STATE,
    "write_log": _STATE,
    "nextval": _STATE,
    "setseed": _STATE,
    "sleep_ms": _WAITS,
    "pg_sleep": _WAITS,
}
DENIED_PREFIXES: tuple[tuple[str, str], ...] = (
    ("read_", _FILES),
    ("parquet_", _FILES),
    ("iceberg_", _FILES),
    ("delta_", _FILES),
    ("sqlite_", _FILES),
    ("postgres_", _FILES),
    ("mysql_", _FILES),
    ("duckdb_", _INTERNALS),
    ("pragma_", _INTERNALS),
    ("ducklake_", _INTERNALS),
    ("python_", _INTERNALS),
    ("hnsw_", _INTERNALS),
    ("vss_", _INTERNALS),
    ("fts_", _INTERNALS),
    ("json_execute", _RUNS_SQL),
    ("json_serialize_", _RUNS_SQL),
    ("json_deserialize_", _RUNS_SQL),
)
DENIED_SUFFIXES: tuple[tuple[str, str], ...] = (("_scan", _FILES),)


class UnsafeQuery(AnalyzerError):
    """The SQL was refused before (or, for the engine's own guards, while) running: the message says
    what and why, in words a user or the copilot's repair step can act on."""


class QueryTimeout(AnalyzerError):
    """The query ran past the time limit and was interrupted."""


class QueryFailed(AnalyzerError):
    """DuckDB raised an error on a query that passed the checks; the message carries its text."""


def _denied_reason(name: str) -> str | None:
    if name in DENIED_FUNCTIONS:
        return DENIED_FUNCTIONS[name]
    for prefix, reason in DENIED_PREFIXES:
        if name.startswith(prefix):
            return reason
    for suffix, reason in DENIED_SUFFIXES:
        if name.endswith(suffix):
            return reason
    return None


# ---------------------------------------------------------------------------------------------
# Layer 1: the statement check
# ---------------------------------------------------------------------------------------------


def check_sql(sql: str, columns: dict[str, set[str]]) -> str:
    """The single read-only statement in ``sql``, normalized (DuckDB dialect, no comments).

    ``columns`` maps each readable table to its columns (``SafeRunner.columns`` builds it from the
    warehouse); only tables in both ``columns`` and ``ALLOWED_TABLES`` may be read. Raises
    ``UnsafeQuery`` saying what was refused and why.
    """
    import sqlglot

    if not isinstance(sql, str):
        raise UnsafeQuery(f"The query must be SQL text, not {type(sql).__name__}.")
    sql = sql.strip()
    if len(sql) > MAX_SQL_CHARS:
        raise UnsafeQuery(
            f"The query is {len(sql):,} characters long; the limit is {MAX_SQL_CHARS:,}. "
            "Ask a narrower question."
        )
    tables = {
        name.lower(): {c.lower() for c in cols} for name, cols in columns.items() if name in ALLOWED_TABLES
    }
    try:
        _check_statement_count(sql)
        try:
            trees = [t for t in sqlglot.parse(sql, read="duckdb") if t is not None]
        except sqlglot.errors.ParseError as exc:
            raise UnsafeQuery(_parse_message(exc)) from None
        if len(trees) != 1:  # the token count above already said 1: sqlglot must agree
            raise UnsafeQuery(f"Only one SELECT statement can run; found {len(trees)} statements.")
        tree = trees[0]
        _check_tree(tree, tables)
        _check_columns(tree, tables)
        normalized = tree.sql(dialect="duckdb", comments=False)
        # What runs is the regenerated text: it must read back as the same kind of statement.
        again = [t for t in sqlglot.parse(normalized, read="duckdb") if t is not None]
        if len(again) != 1:
            raise UnsafeQuery("The query changed meaning when normalized; write it more plainly.")
        _check_tree(again[0], tables)
    except RecursionError:
        raise UnsafeQuery("The query is nested too deeply to check; write it more plainly.") from None
    return normalized


_STARTS_A_QUERY = {"SELECT", "WITH", "FROM", "("}
# First words of DuckDB's other statements, to name what was refused (anything else is not SQL).
_STATEMENT_VERBS = {
    *("INSERT", "UPDATE", "DELETE", "MERGE", "UPSERT", "REPLACE", "CREATE", "DROP", "ALTER", "TRUNCATE"),
    *("COPY", "ATTACH", "DETACH", "INSTALL", "FORCE", "LOAD", "PRAGMA", "SET", "RESET", "CALL", "EXPORT"),
    *("IMPORT", "VACUUM", "CHECKPOINT", "USE", "DESCRIBE", "DESC", "SHOW", "SUMMARIZE", "EXPLAIN", "BEGIN"),
    *("START", "COMMIT", "END", "ROLLBACK", "ABORT", "PREPARE", "EXECUTE", "DEALLOCATE", "ANALYZE"),
    *("PIVOT", "UNPIVOT", "VALUES", "TABLE", "COMMENT", "GRANT", "REVOKE", "UNLOAD"),
}


def _check_statement_count(sql: str) -> None:
    """Count statements on tokens (strings and comments already understood), before parsing, so
    that ``SELECT 1; EXPORT DATABASE 'x'`` says "2 statements" rather than a parse error."""
    from sqlglot.dialects.duckdb import DuckDB
    from sqlglot.errors import TokenError
    from sqlglot.tokens import TokenType

    try:
        tokens = DuckDB().tokenize(sql)
    except TokenError as exc:
        raise UnsafeQuery(f"The query could not be read as SQL: {plain_error(exc)}") from None
    statements: list[list] = [[]]
    for token in tokens:
        if token.token_type == TokenType.SEMICOLON:
            statements.append([])
        else:
            statements[-1].append(token)
    statements = [s for s in statements if s]
    if not statements:
        raise UnsafeQuery("The query is empty: write one SELECT statement.")
    if len(statements) > 1:
        second = statements[1][0].text.upper()
        raise UnsafeQuery(
            f"Only one SELECT statement can run; found {len(statements)} statements "
            f"(the second starts with {second})."
        )
    first = statements[0][0].text
    if first.upper() in _STARTS_A_QUERY:
        return
    if first.upper() in _STATEMENT_VERBS:
        raise UnsafeQuery(only_select(first.upper()))
    raise UnsafeQuery(f"This is not an SQL query (it starts with '{first[:40]}'); write a SELECT statement.")


def only_select(kind: str) -> str:
    return f"Only SELECT queries can run, not {kind}: the copilot only reads data."


def plain_error(exc: Exception) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", str(exc)).strip()


def _parse_message(exc) -> str:
    errors = getattr(exc, "errors", None) or []
    if errors:
        first = errors[0]
        near = (first.get("highlight") or "").strip()
        where = f" at line {first.get('line')}, column {first.get('col')}"
        return (
            f"The query is not valid SQL: {first.get('description')}{where}"
            + (f" near '{near}'" if near else "")
            + "."
        )
    return f"The query is not valid SQL: {plain_error(exc)}"


def _denied_nodes():
    from sqlglot import exp

    names = (
        *("DML", "DDL", "Insert", "Update", "Delete", "Merge", "Create", "Drop", "Alter", "TruncateTable"),
        *("Copy", "Attach", "Detach", "Install", "Pragma", "Set", "Use", "Command", "Into", "Describe"),
        *("Summarize", "Show", "Transaction", "Commit", "Rollback", "Analyze", "Cache", "Uncache"),
        *("Refresh", "Kill", "Grant", "Revoke", "Comment", "LoadData", "Export"),
    )
    return tuple(getattr(exp, n) for n in names if hasattr(exp, n))


def _node_kind(node) -> str:
    """Statement kind for messages: ``DELETE``, ``CREATE``, ``TRUNCATE``."""
    from sqlglot import exp

    if isinstance(node, exp.Command):
        return str(node.this).upper()
    if isinstance(node, exp.TruncateTable):
        return "TRUNCATE"
    return node.key.upper()


def _check_tree(tree, tables: dict[str, set[str]]) -> None:
    from sqlglot import exp

    root = tree
    while isinstance(root, exp.Subquery | exp.Paren):
        root = root.this
    if not isinstance(root, exp.Select | exp.SetOperation):
        raise UnsafeQuery(only_select(_node_kind(root)))
    denied = _denied_nodes()
    for node in tree.walk():
        if isinstance(node, denied):
            if isinstance(node, exp.Into):
                raise UnsafeQuery("SELECT ... INTO writes a new table; only reading is allowed.")
            raise UnsafeQuery(
                f"The query contains {_node_kind(node)} inside it (in a CTE or subquery); only reading "
                "is allowed."
            )
        if isinstance(node, exp.Placeholder | exp.Parameter):
            raise UnsafeQuery(
                f"The query has a parameter placeholder ({node.sql(dialect='duckdb')}); "
                "write the value into the query."
            )
        if isinstance(node, exp.Func):
            _check_function(node)
        elif isinstance(node, exp.Table):
            _check_table(node, tables)


def _function_names(node) -> set[str]:
    from sqlglot import exp

    if isinstance(node.this, str) and isinstance(node, exp.Anonymous | exp.AnonymousAggFunc):
        return {node.this.lower()}
    try:
        return {n.lower() for n in type(node).sql_names()}
    except (NotImplementedError, AttributeError):
        return {node.key.lower()}


def _check_function(node) -> None:
    from sqlglot import exp

    names = _function_names(node)
    label = sorted(names)[0]
    if isinstance(node.parent, exp.Dot) and node.parent.expression is node:
        raise UnsafeQuery(
            f"Function {node.parent.sql(dialect='duckdb').split('(')[0]} is called with a prefix "
            "(schema.name or value.name()); call built-in functions as name(...)."
        )
    for name in sorted(names):
        reason = _denied_reason(name)
        if reason:
            raise UnsafeQuery(
                f"Function {name} {reason}; the copilot reads only the warehouse tables: "
                f"{', '.join(ALLOWED_TABLES)}."
            )
    parent = node.parent
    in_from = isinstance(parent, exp.Table | exp.Lateral | exp.From | exp.Join) and parent.this is node
    if in_from and not names & ALLOWED_TABLE_FUNCTIONS:
        makers = ", ".join(sorted(ALLOWED_TABLE_FUNCTIONS))
        raise UnsafeQuery(
            f"Table function {label} is not allowed in FROM; the copilot reads only the warehouse "
            f"tables: {', '.join(ALLOWED_TABLES)} (and rows made by {makers})."
        )


def _looks_like_a_path(name: str) -> bool:
    return bool(re.search(r"[./\\:~]", name))


def _check_table(table, tables: dict[str, set[str]]) -> None:
    from sqlglot import exp

    if not isinstance(table.this, exp.Identifier):
        if isinstance(table.this, exp.Func):
            return  # checked as a function in FROM
        raise UnsafeQuery(
            f"{table.sql(dialect='duckdb')} is not a table; the copilot reads only the warehouse tables: "
            f"{', '.join(ALLOWED_TABLES)}."
        )
    name = table.name.lower()
    shown = table.sql(dialect="duckdb").split(" AS ")[0]
    readable = ", ".join(t for t in ALLOWED_TABLES if t in tables)
    if table.catalog:
        raise UnsafeQuery(
            f"Table {shown} names a database ({table.catalog}); the copilot reads only this warehouse's "
            f"tables: {readable}."
        )
    schema = table.db.lower()
    if schema and schema != "main":
        what = "catalog metadata" if schema in ("information_schema", "pg_catalog") else "an internal table"
        raise UnsafeQuery(
            f"Table {shown} is {what} (schema {table.db}); the copilot reads only the warehouse tables: "
            f"{readable}."
        )
    if not schema and name in _visible_ctes(table):
        return
    if name in tables:
        return
    if _looks_like_a_path(name):
        raise UnsafeQuery(
            f"Table {shown} looks like a file or URL; reading files is not allowed. The copilot reads "
            f"only the warehouse tables: {readable}."
        )
    raise UnsafeQuery(f"Table {shown} is not one of the warehouse tables the copilot can read: {readable}.")


def _visible_ctes(table) -> set[str]:
    """CTE names that ``table`` can refer to. DuckDB resolves a name that is not (yet) a visible CTE
    to a real table, e.g. a CTE body naming a CTE defined after it, so scoping is exact here:
    a CTE sees the CTEs before it (and itself under RECURSIVE), the query body sees them all."""
    from sqlglot import exp

    names: set[str] = set()
    node = table
    while node.parent is not None:
        parent = node.parent
        if isinstance(parent, exp.With):
            ctes = parent.expressions
            index = next(i for i, cte in enumerate(ctes) if cte is node)
            visible = ctes[: index + 1] if parent.args.get("recursive") else ctes[:index]
            names.update(cte.alias_or_name.lower() for cte in visible)
            node = parent.parent  # the query that owns this WITH; its body is not an ancestor
            if node is None:
                break
            continue
        for value in parent.args.values():
            if isinstance(value, exp.With) and value is not node:
                names.update(cte.alias_or_name.lower() for cte in value.expressions)
        node = parent
    return names


def _check_columns(tree, tables: dict[str, set[str]]) -> None:
    """Refuse columns that sqlglot's qualifier proves unknown; anything it cannot decide is left to
    the database, whose error then reaches the copilot's repair step as ``QueryFailed``."""
    from sqlglot import exp
    from sqlglot.errors import OptimizeError
    from sqlglot.optimizer.qualify import qualify

    schema = {t: {c: "UNKNOWN" for c in sorted(cols)} for t, cols in tables.items()}
    try:
        qualify(tree.copy(), schema=schema, dialect="duckdb", validate_qualify_columns=True)
        return
    except OptimizeError as exc:
        message = str(exc)
    except Exception:  # the qualifier does not know every DuckDB construct
        return
    used = [t for t in dict.fromkeys(t.name.lower() for t in tree.find_all(exp.Table)) if t in tables]
    if match := re.match(r"Unknown column: (.+)", message):
        name = match.group(1).strip().strip('"').lower()
        for column in tree.find_all(exp.Column):
            if column.name.lower() == name and column.table:
                table = _table_behind(tree, column.table)
                if table in tables:
                    raise UnsafeQuery(_unknown_column(f"{column.table}.{column.name}", [table], tables))
        return  # a subquery's or CTE's column: the database names it precisely
    if match := re.match(r"Column '(.+?)' could not be resolved", message):
        name = match.group(1)
        owners = [t for t in used if name.lower() in tables[t]]
        if len(owners) > 1:
            raise UnsafeQuery(
                f"Column {name} is ambiguous: {' and '.join(owners)} both have it; prefix it with the "
                "table or its alias."
            )
        made_up = any(
            isinstance(node, exp.Unnest | exp.Values | exp.Lateral)
            or (isinstance(node, exp.Table) and not isinstance(node.this, exp.Identifier))
            for node in tree.walk()
        )
        if used and not owners and not made_up:
            raise UnsafeQuery(_unknown_column(name, used, tables))


def _table_behind(tree, alias: str) -> str | None:
    from sqlglot import exp

    for table in tree.find_all(exp.Table):
        if table.alias_or_name.lower() == alias.lower():
            return table.name.lower()
    return None


def _unknown_column(name: str, used: list[str], tables: dict[str, set[str]]) -> str:
    bare = name.split(".")[-1].lower()
    parts = [f"Column {name} does not exist in {' or '.join(used)}."]
    candidates = sorted({c for t in used for c in tables[t]})
    close = difflib.get_close_matches(bare, candidates, n=3)
    if close:
        parts.append(f"Did you mean {' or '.join(close)}?")
    for table in used:
        parts.append(f"{table} has: {', '.join(sorted(tables[table]))}.")
    return " ".join(parts)
