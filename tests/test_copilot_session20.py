"""Rules found by blind set 16 (session 20), on a real sample warehouse, each phrased unlike the
set's items: an answer's rows equal those of SQL written here."""

from __future__ import annotations

import pytest

from tests.test_copilot_grammar import GENS, check


@pytest.mark.parametrize(
    ("question", "status", "where"),
    [
        ("errors: how many were there in september?", "error", "AND g.date_key < DATE '2025-10-01'"),
        ("nsfw blocks - how many did we have", "nsfw_blocked", ""),
        ("timeouts, how many of them", "timeout", ""),
    ],
)
def test_a_status_named_before_a_bare_how_many_is_counted(copilot, wh, question, status, where):
    # The status first, then "how many": its generations counted, not its rate.
    answer = check(copilot, wh, question, f"SELECT count(*) FROM {GENS} WHERE g.status = '{status}' {where}")
    assert "only status" in answer.reading
