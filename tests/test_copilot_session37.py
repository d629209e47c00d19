"""Rules found by reading blind set 44 (session 37), on a real sample warehouse, each phrased unlike
the set's items: users' lifetimes (new users per month, came back, one-day users, days active), users
seen in both of two periods, a prompt's length in words or characters, a finance lead's words (the
cost of failures, cost per successful image, plans losing money, figures put next to each other), and
a question followed by what it means. An answer's rows equal those of SQL written here; what must stay
unanswered is declined or asked back."""

from __future__ import annotations

from datetime import timedelta

from genai_analyzer.analysis.copilot.evaluate import same_result
from tests.test_copilot_grammar import GENS, check, declined, last_day

JOINED = "fact_generations g JOIN dim_users u USING (user_id)"
PROMPTS = "fact_generations g LEFT JOIN dim_prompts p USING (prompt_id)"
# one row per known user over their whole history (docs/cohorts.md: the unknown user is no person)
LIVES = (
    "(SELECT g.user_id, u.tier, min(g.date_key) AS first_day, max(g.date_key) AS last_day, "
    "min(date_trunc('week', g.date_key)) AS first_week, max(date_trunc('week', g.date_key)) AS last_week, "
    f"count(DISTINCT g.date_key) AS days FROM {JOINED} WHERE u.is_known GROUP BY ALL) AS lives"
)


# --- users' lifetimes (lifetimes.py, cohorts.lifetimes_query) ---------------------------------------


def test_new_users_per_month_and_per_day_count_each_user_on_their_first_day(copilot, wh):
    monthly = f"SELECT date_trunc('month', first_day), count(*) FROM {LIVES} GROUP BY 1"
    check(copilot, wh, "how many newcomers did we get per month", monthly)
    by_tier = f"SELECT date_trunc('month', first_day), tier, count(*) FROM {LIVES} GROUP BY ALL"
    check(copilot, wh, "first-time users monthly, split by tier", by_tier)
    daily = f"SELECT first_day, count(*) FROM {LIVES} WHERE tier = 'free' GROUP BY 1"
    answer = check(copilot, wh, "new free users per day", daily)
    assert "known users" in answer.reading
    # each week stays the weekly lifecycle's answer: the same count
    weekly = f"SELECT date_trunc('week', first_day), count(*) FROM {LIVES} GROUP BY 1"
    check(copilot, wh, "brand-new customers each week", weekly)


def test_users_who_came_back_after_their_first_day_or_week(copilot, wh):
    share = f"SELECT avg(CASE WHEN last_day > first_day THEN 1.0 ELSE 0.0 END) FROM {LIVES}"
    check(copilot, wh, "what proportion of people returned on a later day", share)
    weekly = f"SELECT tier, count(*) FILTER (WHERE last_week > first_week) FROM {LIVES} GROUP BY 1"
    check(copilot, wh, "by tier, how many users came back in a later week", weekly)
    once = f"SELECT count(*) FILTER (WHERE days = 1) FROM {LIVES}"
    check(copilot, wh, "how many one-day users are there", once)


def test_how_long_users_stay_and_how_many_days_they_are_active(copilot, wh):
    span = f"SELECT tier, quantile_cont(date_diff('day', first_day, last_day), 0.5) FROM {LIVES} GROUP BY 1"
    check(copilot, wh, "median number of days between a user's first and last generation, per tier", span)
    days = f"SELECT avg(days) FROM {LIVES}"
    check(copilot, wh, "average number of active days per user", days)
    # a lifetime said with another figure's words it cannot read is declined, naming them
    declined(copilot, "how many users came back on a later day because of the newsletter")


# --- users in both of two periods (overlap.py) -----------------------------------------------------


def test_users_active_in_both_of_two_periods_are_counted_once_each(copilot, wh):
    end = last_day(wh)
    week, before = (end - timedelta(days=6), end), (end - timedelta(days=13), end - timedelta(days=7))
    seen = " AND ".join(
        f"count(*) FILTER (WHERE g.date_key BETWEEN DATE '{a}' AND DATE '{b}') > 0" for a, b in (week, before)
    )
    gold = f"SELECT count(*) FROM (SELECT g.user_id FROM {JOINED} WHERE u.is_known GROUP BY 1 HAVING {seen})"
    answer = check(
        copilot, wh, "how many users were active last week and were also active the week before", gold
    )
    assert "known users active in both periods" in answer.reading
    tiers = (
        f"SELECT tier, count(*) FROM (SELECT g.user_id, u.tier FROM {JOINED} WHERE u.is_known "
        f"GROUP BY ALL HAVING {seen}) GROUP BY 1"
    )
    check(copilot, wh, "per tier, users who generated both last week and the week before", tiers)
    # sessions are not in two periods, and a user may use two samplers: declined
    declined(copilot, "how many sessions were active both last week and the week before")
    declined(copilot, "users active both last week and the week before by sampler")


# --- a prompt's length (prompt_length.py, the layer's prompt_words / prompt_chars) --------------------


def test_a_prompts_length_in_words_or_characters(copilot, wh):
    words = f"SELECT u.tier, avg(p.n_words) FROM {PROMPTS} JOIN dim_users u USING (user_id) GROUP BY 1"
    check(copilot, wh, "mean words per prompt for each tier", words)
    chars = f"SELECT g.sampler, quantile_cont(p.n_chars, 0.5) FROM {PROMPTS} GROUP BY 1"
    check(copilot, wh, "median prompt length in characters by sampler", chars)
    failed = "avg(CASE WHEN g.status <> 'success' THEN 1.0 ELSE 0.0 END)"
    long = f"SELECT {failed} FROM {PROMPTS} WHERE p.n_words > 50"
    check(copilot, wh, "failure rate for prompts that are longer than 50 words", long)
    short = f"SELECT count(DISTINCT g.prompt_id) FROM {PROMPTS} WHERE p.n_chars <= 40"
    check(copilot, wh, "how many unique prompts have 40 characters or fewer", short)
    # "more than 40 prompt words" is a length, not a count of distinct prompts
    check(
        copilot,
        wh,
        "how many images came from more than 40 prompt words",
        f"SELECT count(*) FROM {PROMPTS} WHERE p.n_words > 40",
    )


def test_a_prompt_length_without_its_unit_is_asked_back(copilot):
    answer = copilot.ask("average prompt length by domain")
    assert answer.clarify and answer.sql is None, answer.explanation
    readings = " | ".join(answer.clarify)
    assert "in words" in readings and "in characters" in readings, readings


# --- a finance lead's words (finance_words.py, scaling.py) --------------------------------------------


def test_the_cost_of_failures_is_one_figure_not_a_rate_beside_the_cost(copilot, wh):
    gold = f"SELECT g.sampler, sum(g.cost_usd) FROM {GENS} WHERE g.status <> 'success' GROUP BY 1"
    answer = check(copilot, wh, "failure spend by sampler", gold)
    assert "Failure rate" not in answer.reading  # it had answered the failure rate and the whole cost
    check(copilot, wh, "how much money was wasted on failures, by sampler", gold)


def test_cost_per_successful_image_counts_every_generations_cost(copilot, wh):
    successes = "count(*) FILTER (WHERE g.status = 'success')"
    gold = f"SELECT u.tier, sum(g.cost_usd) / {successes} FROM {JOINED} GROUP BY 1"
    check(copilot, wh, "cost per successful generation for each tier", gold)
    declined(copilot, "revenue per successful user")


def test_plans_losing_money_and_figures_put_next_to_each_other(copilot, wh):
    margin = "sum(g.revenue_usd) - sum(g.cost_usd)"
    losing = f"SELECT u.tier, {margin} FROM {JOINED} GROUP BY 1 HAVING {margin} < 0"
    check(copilot, wh, "which tiers are in the red", losing)
    check(copilot, wh, "tiers whose margin came out negative", losing)
    # said as a motive after the question, it is no filter: the user wants to see every tier (blind
    # 32); answered for every tier, or declined where a word of the motive is not in the data's words
    motive = copilot.ask("Margin for each tier, please. I want to see which tiers are in the red.")
    every = wh.query(f"SELECT u.tier, {margin} FROM {JOINED} GROUP BY 1").values.tolist()
    assert motive.refused or same_result(motive.rows, every), (motive.sql, motive.rows)
    side = f"SELECT g.sampler, sum(g.cost_usd), sum(g.revenue_usd) FROM {GENS} GROUP BY 1"
    check(copilot, wh, "cost alongside revenue for each sampler", side)
    # "next to the overall" is still a baseline (against.py), not a second figure
    answer = copilot.ask("revenue per user by tier next to the overall")
    assert not answer.refused and "overall" in answer.reading, answer.explanation


# --- a question, then what it means (background.restated) --------------------------------------------


def test_a_question_followed_by_its_own_definition_is_answered(copilot, wh):
    gold = f"SELECT u.tier, sum(g.cost_usd) / count(DISTINCT g.user_id) FROM {JOINED} GROUP BY 1"
    answer = check(copilot, wh, "cost per user by tier (each tier's total cost divided by its users)", gold)
    assert "said again" in answer.explanation, answer.explanation  # the words read past are named
    check(copilot, wh, "cost per user for every tier: the total cost divided by the number of users", gold)


def test_what_follows_a_question_is_not_read_past_when_it_changes_it(copilot):
    # a condition, a period or an unknown word after the question is not a definition of it
    declined(copilot, "revenue per user by tier (only for users with more than 5 generations and refunds)")
    declined(copilot, "revenue per user by tier: the total divided by users, excluding partners")


# --- "how many of those" in a follow-up (followup._counted_back) --------------------------------------


def test_how_many_of_those_counts_what_the_answer_before_counted(copilot, wh):
    end = last_day(wh)
    week = f"g.date_key BETWEEN DATE '{end - timedelta(days=6)}' AND DATE '{end}'"
    first = copilot.ask("how many people were active in the last 7 days")
    assert not first.refused, first.explanation
    gold = f"SELECT count(DISTINCT g.user_id) FROM {JOINED} WHERE {week} AND u.tier = 'free'"
    # it answered the free users' generations under a reading that said "Generations"
    answer = check(copilot, wh, "how many of them are free users?", gold, context=first.context)
    assert answer.reading.startswith("Active users"), answer.reading
    both = copilot.ask("users active both last week and the week before")
    assert not both.refused, both.explanation
    pro = copilot.ask("and how many of these are enterprise?", both.context)
    assert not pro.refused and "in both periods" in pro.reading, pro.explanation
    money = copilot.ask("total revenue by sampler")
    declined(copilot, "and how many of those are pro?", money.context)  # no count before: of what?
