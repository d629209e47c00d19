"""Rules found by reading blind set 28's declined items (session 26), on a real sample warehouse,
each phrased unlike the set's items: an answer's rows equal those of SQL written here, and what must
stay unanswered is declined."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.test_copilot_grammar import GENS, check, declined, last_day
from tests.test_copilot_session24 import TIERS

SESSIONS = "dim_sessions s JOIN dim_users u USING (user_id)"


def rate(status: str) -> str:
    return f"avg(CASE WHEN g.status = '{status}' THEN 1.0 ELSE 0.0 END)"


# --- a command bar's shorthand ---------------------------------------------------------------------


def test_top_n_written_as_one_word_and_asc_desc_give_the_order(copilot, wh):
    check(
        copilot,
        wh,
        "bottom2 domains cost",
        f"SELECT g.domain, sum(g.cost_usd) AS c FROM {GENS} WHERE g.domain IS NOT NULL GROUP BY 1 "
        "ORDER BY c ASC, 1 LIMIT 2",
        ordered=True,
    )
    answer = check(
        copilot,
        wh,
        "avg queue time per tier asc",
        f"SELECT u.tier, avg(g.queue_ms) AS q FROM {TIERS} GROUP BY 1 ORDER BY q ASC, 1",
        ordered=True,
    )
    assert "lowest first" in answer.reading
    check(
        copilot,
        wh,
        "domains by kept images desc",
        "SELECT g.domain, count(*) FILTER (WHERE g.generation_id IN (SELECT generation_id FROM "
        f"fct_generation_ideas WHERE is_kept)) AS k FROM {GENS} WHERE g.domain IS NOT NULL GROUP BY 1 "
        "ORDER BY k DESC, 1",
        ordered=True,
    )


def test_in_descending_order_is_still_read_as_it_stands(copilot, wh):
    check(
        copilot,
        wh,
        "sessions by tier in descending order",
        "SELECT u.tier, count(*) AS n FROM dim_sessions s JOIN dim_users u USING (user_id) GROUP BY 1 "
        "ORDER BY n DESC, 1",
        ordered=True,
    )


@pytest.mark.parametrize(("said", "days"), [("last 14d", 14), ("l30d", 30), ("past 2w", 14)])
def test_days_and_weeks_written_short_are_a_window_ending_on_the_last_day(copilot, wh, said, days):
    end = last_day(wh)
    check(
        copilot,
        wh,
        f"timeouts by sampler {said}",
        f"SELECT g.sampler, count(*) FILTER (WHERE g.status = 'timeout') FROM {GENS} "
        f"WHERE g.date_key BETWEEN DATE '{end - timedelta(days=days - 1)}' AND DATE '{end}' GROUP BY 1",
        nonempty=False,
    )


def test_abbreviated_words_and_a_pivot_cross_are_read(copilot, wh):
    check(
        copilot,
        wh,
        "domain x rev",
        f"SELECT g.domain, sum(g.revenue_usd) FROM {GENS} WHERE g.domain IS NOT NULL GROUP BY 1",
    )
    check(copilot, wh, "gens per tier", f"SELECT u.tier, count(*) FROM {TIERS} GROUP BY 1")
    # a size is no cross
    answer = copilot.ask("how many generations were 512 x 512")
    assert answer.refused or "width" in answer.reading.lower() or "512" in answer.reading


def test_error_codes_listed_by_how_often_they_come_up(copilot, wh):
    gold = (
        f"SELECT g.error_code, count(*) AS n FROM {GENS} WHERE g.error_code IS NOT NULL GROUP BY 1 "
        "ORDER BY n DESC, 1"
    )
    check(copilot, wh, "show the error codes, most common first", gold, ordered=True)
    check(copilot, wh, "rank error codes by count", gold)
    check(
        copilot,
        wh,
        "error codes, least frequent first",
        gold.replace("DESC", "ASC"),
        ordered=True,
    )


# --- a report's phrasings -----------------------------------------------------------------------------


def test_what_the_figure_is_for_changes_nothing(copilot, wh):
    end = last_day(wh)
    check(
        copilot,
        wh,
        "for monday's board meeting: cost per generation by tier last week",
        f"SELECT u.tier, sum(g.cost_usd) / count(*) FROM {TIERS} "
        f"WHERE g.date_key BETWEEN DATE '{end - timedelta(days=6)}' AND DATE '{end}' GROUP BY 1",
    )


def test_a_total_by_group_as_a_share_of_the_whole(copilot, wh):
    check(
        copilot,
        wh,
        "how are generations distributed across samplers, as a percentage of the total",
        f"SELECT g.sampler, count(*) / (SELECT count(*) FROM {GENS}) FROM {GENS} GROUP BY 1",
    )


def test_out_of_all_x_what_share_is_the_share_of_x(copilot, wh):
    check(
        copilot,
        wh,
        "out of all the sessions users start, what fraction end on a failure?",
        f"SELECT avg(CASE WHEN s.abandoned THEN 1.0 ELSE 0.0 END) FROM {SESSIONS}",
    )


def test_sessions_that_are_one_image_and_done(copilot, wh):
    check(
        copilot,
        wh,
        "how many sessions were just one image and that's it",
        "SELECT count(*) FROM dim_sessions s WHERE s.n_generations = 1",
    )


def test_how_often_a_session_ends_after_a_block(copilot, wh):
    check(
        copilot,
        wh,
        "after a failure, how often does the session stop right there?",
        f"SELECT avg(CASE WHEN s.abandoned THEN 1.0 ELSE 0.0 END) FROM {SESSIONS}",
    )


# --- prompt edits -----------------------------------------------------------------------------------


def test_edit_type_shares_with_just_and_mid_session(copilot, wh):
    check(
        copilot,
        wh,
        "what fraction of edits were only settings-only edits?",
        "SELECT avg(CASE WHEN e.edit_type = 'settings_only' THEN 1.0 ELSE 0.0 END) FROM fct_prompt_edits e",
    )
    check(
        copilot,
        wh,
        "as users tweak their prompts during a session, which kind of edit is the most common?",
        "SELECT e.edit_type, count(*) AS n FROM fct_prompt_edits e GROUP BY 1 ORDER BY n DESC LIMIT 1",
        ordered=True,
    )


# --- claims to check --------------------------------------------------------------------------------


def test_a_claim_someone_made_is_answered_with_both_figures(copilot, wh):
    check(
        copilot,
        wh,
        "marketing keeps saying enterprise users have a better success rate than free users. "
        "show me the numbers",
        f"SELECT u.tier, {rate('success')} FROM {TIERS} WHERE u.tier IN ('enterprise', 'free') GROUP BY 1",
    )
    check(
        copilot,
        wh,
        "our hypothesis: pro users waited longer in the queue than enterprise users. can you check that?",
        f"SELECT u.tier, avg(g.queue_ms) FROM {TIERS} WHERE u.tier IN ('pro', 'enterprise') GROUP BY 1",
    )


def test_improved_between_two_named_days_compares_them(copilot, wh):
    end = last_day(wh)
    before = end - timedelta(days=1)
    answer = check(
        copilot,
        wh,
        f"did the success rate improve on {end:%b} {end.day} compared with {before:%b} {before.day}?",
        f"SELECT {rate('success')} FILTER (WHERE g.date_key = DATE '{before}'), "
        f"{rate('success')} FILTER (WHERE g.date_key = DATE '{end}'), "
        f"{rate('success')} FILTER (WHERE g.date_key = DATE '{end}') - "
        f"{rate('success')} FILTER (WHERE g.date_key = DATE '{before}') "
        f"FROM {GENS}",
    )
    assert "compared with" in answer.reading


def test_a_premise_with_a_filter_the_question_after_it_drops_stays_declined(copilot):
    # the rule of set 28: the hypothesis' own value (the error code) is not dropped
    declined(copilot, "Hunch: timeouts cluster on a single tier. How many generations per tier?")


def test_most_used_values_listed_most_first_are_all_of_them_not_the_top_one(copilot, wh):
    # blind set 16 (found when set 28's order words were added): "most common ..., most frequent
    # first" asks for an order; the first value alone would be a different answer
    check(
        copilot,
        wh,
        "the most popular domains, most common first",
        f"SELECT g.domain, count(*) AS n FROM {GENS} WHERE g.domain IS NOT NULL GROUP BY 1 "
        "ORDER BY n DESC, 1",
        ordered=True,
    )
    answer = copilot.ask("most common error codes for pro users, most frequent first")
    assert answer.refused or len(answer.rows) > 1, answer.sql


# --- blind set 29: dates written with numbers ---------------------------------------------------------


def test_a_numeric_date_with_one_reading_is_that_day(copilot, wh):
    end = last_day(wh)
    us, europe, full = f"{end.month}/{end.day}", f"{end.day}/{end.month}", f"{end:%m/%d/%Y}"
    for said in (us, europe, full):
        check(
            copilot,
            wh,
            f"kept images on {said}",
            "SELECT count(*) FILTER (WHERE g.generation_id IN (SELECT generation_id FROM "
            f"fct_generation_ideas WHERE is_kept)) FROM {GENS} WHERE g.date_key = DATE '{end}'",
        )


def test_a_numeric_date_that_reads_two_ways_asks_which(copilot, wh):
    answer = copilot.ask("timeouts on 9/8")
    assert answer.kind == "clarify" and answer.sql is None, answer.explanation
    assert any("september 8" in r for r in answer.clarify) and any("august 9" in r for r in answer.clarify)
    # a fraction is no date
    assert "august" not in (copilot.ask("is 1/2 of the cost from pro users?").explanation or "").lower()


def test_a_range_of_numeric_dates_with_a_dash_and_an_iso_range_with_a_short_end(copilot, wh):
    end = last_day(wh)
    start = end - timedelta(days=4)
    gold = (
        f"SELECT g.sampler, count(*) FROM {GENS} WHERE g.date_key BETWEEN DATE '{start}' AND DATE '{end}' "
        "GROUP BY 1"
    )
    check(copilot, wh, f"generations per sampler {start.month}/{start.day}-{end.month}/{end.day}", gold)
    check(copilot, wh, f"generations per sampler, {start} - {end:%m-%d}", gold)


def test_month_to_date_is_this_month_and_a_misspelt_yesterday_is_read(copilot, wh):
    end = last_day(wh)
    check(
        copilot,
        wh,
        "gpu hours mtd",
        f"SELECT sum(g.gpu_seconds) / 3600 FROM {GENS} WHERE g.date_key >= DATE '{end.replace(day=1)}'",
    )
    answer = check(
        copilot,
        wh,
        "yesturday timeout rate",
        f"SELECT {rate('timeout')} FROM {GENS} WHERE g.date_key = DATE '{end - timedelta(days=1)}'",
        nonempty=False,
    )
    assert answer.corrections == {"yesturday": "yesterday"}


# --- blind set 29: a spreadsheet user's words ----------------------------------------------------------


def test_a_pivot_with_rows_and_columns_is_the_figure_by_both(copilot, wh):
    check(
        copilot,
        wh,
        "pivot table of cost: rows = domain, columns = tier",
        f"SELECT g.domain, u.tier, sum(g.cost_usd) FROM {TIERS} WHERE g.domain IS NOT NULL GROUP BY 1, 2",
    )


def test_sumif_countif_and_averageifs(copilot, wh):
    check(
        copilot,
        wh,
        "sumif cost_usd where sampler = ddim",
        f"SELECT sum(g.cost_usd) FROM {GENS} WHERE g.sampler = 'ddim'",
    )
    check(
        copilot,
        wh,
        "countif status = error by tier",
        f"SELECT u.tier, count(*) FROM {TIERS} WHERE g.status = 'error' GROUP BY 1",
    )
    check(
        copilot,
        wh,
        "averageifs latency_ms where tier = free and sampler = ddim",
        f"SELECT avg(g.latency_ms) FROM {TIERS} WHERE u.tier = 'free' AND g.sampler = 'ddim'",
    )


def test_columns_groups_subtotals_and_filters_in_spreadsheet_words(copilot, wh):
    check(
        copilot,
        wh,
        "filter to status = error, then a count by tier",
        f"SELECT u.tier, count(*) FROM {TIERS} WHERE g.status = 'error' GROUP BY 1",
    )
    check(
        copilot,
        wh,
        "revenue column subtotaled by sampler, filter out the pro tier",
        f"SELECT g.sampler, sum(g.revenue_usd) FROM {TIERS} WHERE u.tier <> 'pro' GROUP BY 1",
    )
    check(
        copilot,
        wh,
        "group on domain: average of latency_ms, top 2 rows sorted descending",
        f"SELECT g.domain, avg(g.latency_ms) AS l FROM {GENS} WHERE g.domain IS NOT NULL GROUP BY 1 "
        "ORDER BY l DESC LIMIT 2",
        ordered=True,
    )
    check(
        copilot,
        wh,
        "mean of n_generations per session, by tier",
        "SELECT u.tier, avg(s.n_generations) FROM dim_sessions s JOIN dim_users u USING (user_id) GROUP BY 1",
    )


# --- blind set 29: a moderator's and an outsider's words -----------------------------------------------


def test_flagged_and_filter_hits_are_nsfw_blocks(copilot, wh):
    gold = f"SELECT u.tier, count(*) FROM {TIERS} WHERE g.status = 'nsfw_blocked' GROUP BY 1"
    check(copilot, wh, "how many images got flagged per tier?", gold)
    check(copilot, wh, "nsfw filter hits by tier", gold)
    check(
        copilot,
        wh,
        "flag rate by sampler, need it for the weekly safety review",
        f"SELECT g.sampler, {rate('nsfw_blocked')} FROM {GENS} GROUP BY 1",
    )
    check(
        copilot,
        wh,
        "how many different users triggered the safety filter at least once?",
        f"SELECT count(DISTINCT g.user_id) FROM {GENS} WHERE g.status = 'nsfw_blocked'",
    )


def test_an_outsiders_words_for_cost_latency_and_money(copilot, wh):
    check(
        copilot,
        wh,
        "what does the gpu bill come to per day?",
        f"SELECT g.date_key, sum(g.cost_usd) FROM {GENS} GROUP BY 1",
    )
    check(
        copilot,
        wh,
        "how long does it typically take to generate an image?",
        f"SELECT quantile_cont(g.latency_ms, 0.5) FROM {GENS}",
    )
    check(
        copilot,
        wh,
        "how much does a single image cost us?",
        f"SELECT sum(g.cost_usd) / count(*) FROM {GENS}",
    )
    check(
        copilot,
        wh,
        "how much money do we make per head, by tier?",
        f"SELECT u.tier, sum(g.revenue_usd) / count(DISTINCT g.user_id) FROM {TIERS} GROUP BY 1",
    )
    check(
        copilot,
        wh,
        "how many customers are paying us?",
        f"SELECT count(DISTINCT g.user_id) FROM {TIERS} WHERE u.tier IN ('pro', 'enterprise')",
    )
    check(
        copilot,
        wh,
        "which 3 samplers do people pick most?",
        f"SELECT g.sampler, count(*) AS n FROM {GENS} GROUP BY 1 ORDER BY n DESC, 1 LIMIT 3",
        ordered=True,
    )


def test_paid_folks_and_accts_are_the_tiers_users(copilot, wh):
    check(
        copilot,
        wh,
        "do the paying folks' images error out more than the free ones?",
        "SELECT CASE WHEN u.tier IN ('pro', 'enterprise') THEN 'paid' ELSE 'free' END, "
        f"{rate('error')} FROM {TIERS} GROUP BY 1",
    )
    check(
        copilot,
        wh,
        "non-successful rate for pro accts by sampler",
        f"SELECT g.sampler, avg(CASE WHEN g.status <> 'success' THEN 1.0 ELSE 0.0 END) FROM {TIERS} "
        "WHERE u.tier = 'pro' GROUP BY 1",
    )


def test_average_cost_is_per_generation_and_a_distinct_count_of_a_column(copilot, wh):
    check(
        copilot,
        wh,
        "avg revenue by domain",
        f"SELECT g.domain, sum(g.revenue_usd) / count(*) FROM {GENS} WHERE g.domain IS NOT NULL GROUP BY 1",
    )
    check(
        copilot,
        wh,
        "count of distinct session_id by sampler",
        f"SELECT g.sampler, count(DISTINCT g.session_id) FROM {GENS} GROUP BY 1",
    )


def test_a_typo_before_a_possessive_is_read(copilot, wh):
    end = last_day(wh)
    answer = check(
        copilot,
        wh,
        "yesterdey's p95 latency",
        f"SELECT quantile_cont(g.latency_ms, 0.95) FROM {GENS} "
        f"WHERE g.date_key = DATE '{end - timedelta(days=1)}'",
    )
    assert answer.corrections == {"yesterdey": "yesterday"}


def test_only_sessions_started_on_a_weekend_as_a_follow_up(copilot, wh):
    first = copilot.ask("median session length by tier")
    assert not first.refused
    check(
        copilot,
        wh,
        "now just sessions which began on the weekend",
        "SELECT u.tier, quantile_cont(s.duration_s, 0.5) / 60 FROM dim_sessions s "
        "JOIN dim_users u USING (user_id) WHERE dayname(timezone('UTC', s.started_at)) "
        "IN ('Saturday', 'Sunday') GROUP BY 1",
        context=first.context,
    )


def test_the_prompt_flagged_most_times_is_not_answered_with_a_rate(copilot):
    answer = copilot.ask("which user got flagged the most times?")
    assert answer.refused or "rate" not in answer.reading.lower(), answer.reading


def test_a_share_of_users_or_sessions_with_a_status_is_not_the_status_rate(copilot, wh):
    # blind set 16's "what share of sessions had at least one nsfw block" was answered with the
    # share of generations blocked; declined since, it is the share of the units with one (session 39)
    for question, unit, statuses in (
        ("what percentage of users ran into an error?", "user_id", "'error'"),
        (
            "what fraction of sessions had at least one failure?",
            "session_id",
            "'error', 'timeout', 'nsfw_blocked'",
        ),
        ("share of accounts that got blocked", "user_id", "'nsfw_blocked'"),
    ):
        gold = (
            f"SELECT count(DISTINCT g.{unit}) FILTER (WHERE g.status IN ({statuses})) "
            f"/ count(DISTINCT g.{unit}) FROM {GENS}"
        )
        answer = check(copilot, wh, question, gold)
        assert "at least one generation of status" in answer.reading, answer.reading
    # prompts said for their generations, and "how often", are the status's rate
    assert not copilot.ask("how often do portrait prompts get blocked?").refused


def test_a_share_of_generations_from_some_users_is_still_the_rate(copilot, wh):
    check(
        copilot,
        wh,
        "what percentage of generations from enterprise users errored?",
        f"SELECT {rate('error')} FROM {TIERS} WHERE u.tier = 'enterprise'",
    )


def test_a_line_chart_is_no_queue(copilot, wh):
    answer = check(
        copilot,
        wh,
        "p95 latency per day on the line chart",
        f"SELECT g.date_key, quantile_cont(g.latency_ms, 0.95) FROM {GENS} GROUP BY 1",
    )
    assert "queue" not in answer.reading.lower()


# --- blind set 30: questions passed on, said aloud, and ratios ---------------------------------------


def test_a_question_passed_on_for_someone_else_is_the_question(copilot, wh):
    gold = f"SELECT u.tier, sum(g.gpu_seconds) / 3600 FROM {TIERS} GROUP BY 1"
    check(copilot, wh, "Dana from infra wants to know the gpu hours per tier", gold)
    check(copilot, wh, "our head of growth asked me for gpu hours by tier", gold)
    check(copilot, wh, "could you look up for Kim the gpu hours by tier?", gold)
    # a question's own words are never taken for who passes it on: "which tier needs ..." keeps its
    # tier (the frame once left "the most gpu hours")
    answer = copilot.ask("which tier needs the most gpu hours?")
    assert answer.refused or "tier" in answer.reading, answer.reading


def test_a_transcribed_question_with_fillers_and_homophones(copilot, wh):
    end = last_day(wh)
    check(
        copilot,
        wh,
        "uh what was the p ninety five latency buy tier four the last too weeks",
        f"SELECT u.tier, quantile_cont(g.latency_ms, 0.95) FROM {TIERS} "
        f"WHERE g.date_key BETWEEN DATE '{end - timedelta(days=13)}' AND DATE '{end}' GROUP BY 1",
    )
    check(
        copilot,
        wh,
        "how many generations had fewer then twenty steps",
        f"SELECT count(*) FROM {GENS} WHERE g.step < 20",
        nonempty=False,
    )
    # a count before a tier stays a count
    answer = copilot.ask("top 4 samplers by cost for pro users")
    assert answer.refused or "top 4" in answer.reading, answer.reading


def test_how_many_times_more_is_a_ratio_of_two_sides_or_declined(copilot):
    # between two sides of one thing compared, the ratio is answered (gaps.py, session 36)
    answer = copilot.ask("how many times more sessions do free users have than pro users?")
    assert not answer.refused and "free divided by pro" in answer.reading, answer.explanation
    free, pro, ratio = answer.rows[0]
    assert abs(ratio - free / pro) < 1e-9
    # two figures of no sides compared: declined, never answered side by side
    answer = declined(copilot, "is the p99 latency 3 times as high as the median?")
    assert "times" in answer.explanation or "times" in " ".join(answer.unread), answer.explanation


def test_the_average_cost_of_a_session_is_per_session(copilot, wh):
    check(
        copilot,
        wh,
        "average revenue of a session by tier",
        f"SELECT u.tier, sum(g.revenue_usd) / count(DISTINCT g.session_id) FROM {TIERS} GROUP BY 1",
    )
