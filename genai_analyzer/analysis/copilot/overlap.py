"""Users seen in both of two periods (blind set 44, retention in a product analyst's words): "how many
users were active in both September and October", "how many users generated something both in the
last 7 days and in the 7 days before that".

Not the two periods' counts side by side: the users with at least one generation in each. Counted over
people, as every retention figure is (docs/cohorts.md): the unknown user, which collects the rows
without a user name, is no person and is left out, and the reading says so. A grouping by a user's
own attribute (tier) is kept; any other grouping is declined, since a user in both periods may be in
two groups of it.
"""

from __future__ import annotations

from datetime import date

from genai_analyzer.analysis.copilot.spec import CannotAnswer
from genai_analyzer.analysis.copilot.vocabulary import UNIT_ATTRIBUTES

COLUMN, LABEL = "users_in_both", "Users active in both periods (known users)"


def compiled(
    from_sql: str,
    date_sql: str,
    dims: list[tuple[str, str]],
    conditions: list[str],
    periods: tuple[tuple[date, date], tuple[date, date]],
    user_key: str,
) -> str:
    """The SQL counting the known users active in each of ``periods`` (per group of ``dims``)."""
    if stray := [d for d, _ in dims if d not in UNIT_ATTRIBUTES["user"]]:
        raise CannotAnswer(
            f"Users active in both periods can be split by what each user is (their tier), not by "
            f"{', '.join(stray)}: a user may fall in two of those groups."
        )
    seen = [f"count(*) FILTER (WHERE {date_sql} BETWEEN DATE '{a}' AND DATE '{b}') > 0" for a, b in periods]
    keys = [f"{expr} AS {d}" for d, expr in dims]
    where = " AND ".join(["u.is_known", *conditions])
    inner = (
        f"SELECT {', '.join([f'{user_key} AS user_id', *keys])} FROM {from_sql} WHERE {where} "
        f"GROUP BY ALL HAVING {' AND '.join(seen)}"
    )
    names = [d for d, _ in dims]
    select = ", ".join([*names, f"count(*) AS {COLUMN}"])
    tail = f" GROUP BY ALL ORDER BY {', '.join(names)}" if names else ""
    return f"SELECT {select}\nFROM (\n  {inner}\n) AS both_periods{tail}"
