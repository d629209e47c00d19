"""The endpoints about how people work: prompt leaderboards, prompt refinement, cohorts, lifecycle
and funnels.

A mixin of ``api.endpoints.Api`` (which registers them by name in ``ENDPOINTS``): the same
conventions hold, ``*_frame`` methods return the DataFrame behind a view, the others its
records, and every argument is checked before a query runs.
"""

from __future__ import annotations

import pandas as pd

from genai_analyzer.analysis import cohorts, leaderboards, refinement
from genai_analyzer.analysis import funnel as funnels
from genai_analyzer.analysis.filters import NO_FILTERS, Filters
from genai_analyzer.api.checks import InputError, check_choice, check_count
from genai_analyzer.core.jsonable import records
from genai_analyzer.warehouse.reader import Warehouse


class BehaviourEndpoints:
    """Leaderboards, refinement, cohorts and funnels over ``self.wh``."""

    wh: Warehouse

    # --- Prompt leaderboards -------------------------------------------------------------------------

    def leaderboard_frame(
        self, filters: Filters, metric: str, direction: str, group: str, min_sample: int, limit: int
    ) -> pd.DataFrame:
        """The ranked rows behind the leaderboard on screen, its CSV export, the CLI and
        /leaderboard, its arguments checked (an InputError naming a bad one)."""
        metric = check_choice(metric, "metric", leaderboards.LEADERBOARD_METRICS, "leaderboard metric")
        direction = check_choice(direction, "direction", leaderboards.DIRECTIONS, "direction")
        group = check_choice(group, "group", leaderboards.GROUPS, "grouping")
        min_sample = check_count(min_sample, "min_sample", leaderboards.MAX_MIN_SAMPLE)
        return leaderboards.prompt_leaderboard(
            self.wh, filters, metric=metric, direction=direction, group=group,
            min_sample=min_sample, limit=check_count(limit),
        )  # fmt: skip

    def leaderboard(
        self,
        metric: str = "failure_rate",
        direction: str = "worst",
        group: str = "prompt",
        min_sample: int = leaderboards.DEFAULT_MIN_SAMPLE,
        limit: int = leaderboards.DEFAULT_LIMIT,
        filters: Filters = NO_FILTERS,
    ) -> list[dict]:
        """Prompts ranked by a rate with its Wilson 95% interval. metric: reroll_rate, failure_rate,
        abandonment_rate or success_rate; direction: worst or best; group: prompt (one exact text)
        or cluster (texts equal but for case and spacing); only prompts with at least min_sample
        trials (generations; sessions for abandonment) are ranked (default 5); limit 1-500. The
        highest rates are ranked by the interval's lower bound, the lowest by its upper bound
        (docs/leaderboards.md). One record per prompt: rank, key (prompt_id, or a cluster's
        normalized text), prompt, variants, generations, sessions, users, successes, failures,
        rerolls, abandoned, and each rate with <rate>_low and <rate>_high."""
        return records(self.leaderboard_frame(filters, metric, direction, group, min_sample, limit))

    # --- Prompt refinement ---------------------------------------------------------------------------

    def edit_mix_frame(self, filters: Filters, by: str = "none") -> pd.DataFrame:
        """One row per (group, edit type): edits, their share and outcomes (analysis/refinement.py)."""
        by = check_choice(by, "by", refinement.GROUPS, "grouping")
        return refinement.edit_type_mix(self.wh, filters, by=by)

    def edit_summary_frame(self, filters: Filters, by: str = "none") -> pd.DataFrame:
        """One row per group: edits per session and per kept image, re-rolls, time to a kept image."""
        by = check_choice(by, "by", refinement.GROUPS, "grouping")
        return refinement.refinement_summary(self.wh, filters, by=by)

    def edits(self, by: str = "none", filters: Filters = NO_FILTERS) -> dict:
        """How people refine their prompts (docs/refinement.md), over the edits whose later
        generation passes the filters; by: none, tier, domain, art_style, prompt_cluster or
        visual_cluster (of that generation, docs/clusters.md).
        {"summary": one record per group: generations, sessions, edits, edits_per_session, rerolls,
        ideas, kept_images, kept_share, edits_per_kept_image, edits_to_kept, rerolls_to_kept,
        median_seconds_to_kept, mean_seconds_to_kept, refined_kept_images,
        median_seconds_to_refined_kept, sessions_with_success, rerolls_before_first_success;
        "edit_types": one record per group and edit type (re_roll, settings_only, modifiers_added,
        modifiers_removed, modifiers_changed, subject_changed, new_idea): edits, share, successes,
        success_rate, abandoned, abandonment_rate, kept, kept_rate, median_seconds,
        mean_similarity}. A kept image is the last generation of an idea, when it succeeded."""
        return {
            "summary": records(self.edit_summary_frame(filters, by)),
            "edit_types": records(self.edit_mix_frame(filters, by)),
        }

    def edit_terms_frame(
        self, filters: Filters, change: str, by: str, min_edits: int, limit: int
    ) -> pd.DataFrame:
        """The rows behind /edit_terms, their arguments checked."""
        change = check_choice(change, "change", refinement.TERM_CHANGES, "change")
        by = check_choice(by, "by", refinement.GROUPS, "grouping")
        min_edits = check_count(min_edits, "min_edits", refinement.MAX_MIN_EDITS)
        return refinement.term_effects(
            self.wh, filters, change=change, by=by, min_edits=min_edits, limit=check_count(limit)
        )

    def edit_terms(
        self,
        change: str = "both",
        by: str = "none",
        min_edits: int = refinement.DEFAULT_MIN_EDITS,
        limit: int = refinement.DEFAULT_TERM_LIMIT,
        filters: Filters = NO_FILTERS,
    ) -> list[dict]:
        """The terms (comma-separated phrases) most often added or removed in a prompt edit, and
        what followed. change: both, added or removed; by: none, tier, domain, art_style,
        prompt_cluster or visual_cluster; only terms in at least min_edits edits (default 3);
        the first limit (1-500, default 25) per group and change, most edits first. One record
        per term: change, term, edits, users,
        successes, success_rate (of the generation that followed) with success_rate_low and
        success_rate_high (Wilson 95%), previous_success_rate, success_change,
        baseline_success_rate (all edits of the group), next_action (the most common next edit
        type, or session_end), next_action_share, next_reroll_share, ended_share."""
        return records(self.edit_terms_frame(filters, change, by, min_edits, limit))

    def edit_flow_frame(self, filters: Filters, steps: int = refinement.DEFAULT_FLOW_STEPS) -> pd.DataFrame:
        """The links behind the flow chart, its arguments checked."""
        steps = check_count(steps, "steps", refinement.MAX_FLOW_STEPS)
        return refinement.edit_flow(self.wh, filters, steps=steps)

    def edit_flow(
        self, steps: int = refinement.DEFAULT_FLOW_STEPS, filters: Filters = NO_FILTERS
    ) -> list[dict]:
        """How sessions move through edit types (the Sankey on the Prompt refinement view): one
        record per link, step, source, target, sessions. Step 1's source is "first prompt"; a
        target after a session's last generation is "ended on a success" or "ended on a failure";
        steps 1-12 (default 4). Sessions with a generation passing the filters, all their
        generations followed."""
        return records(self.edit_flow_frame(filters, steps))

    # --- Cohorts, lifecycle and funnels ---------------------------------------------------------------

    def retention_frame(self, filters: Filters, by: str = "none", cohort: str = "first_seen") -> pd.DataFrame:
        """The retention heatmap's rows (analysis/cohorts.py), its arguments checked; signup cohorts
        on a warehouse without signup dates are an InputError on ``cohort`` saying why."""
        by = check_choice(by, "by", cohorts.GROUPS, "grouping")
        cohort = check_choice(cohort, "cohort", cohorts.COHORTS, "cohort")
        try:
            return cohorts.retention(self.wh, filters, by=by, cohort=cohort)
        except cohorts.CohortError as exc:
            raise InputError(str(exc), field="cohort") from None

    def retention(
        self, by: str = "none", cohort: str = "first_seen", filters: Filters = NO_FILTERS
    ) -> list[dict]:
        """Weekly retention by cohort (docs/cohorts.md). cohort: first_seen (the week of a user's
        first generation counting as activity) or signup (the week of dim_users.signup_at); by:
        none or tier. tiers choose the users, statuses, domains and art_styles which generations
        count as activity, start and end the weeks shown (whole weeks). One record per cohort and
        week shown from the cohort's own on: cohort and week (their Mondays), cohort_users,
        weeks_since, active_users, retention (active_users / cohort_users)."""
        return records(self.retention_frame(filters, by, cohort))

    def lifecycle_frame(self, filters: Filters, by: str = "none") -> pd.DataFrame:
        """One row per group and week: active, new, returning, resurrected and dormant users."""
        by = check_choice(by, "by", cohorts.GROUPS, "grouping")
        return cohorts.lifecycle(self.wh, filters, by=by)

    def activity_frame(self, filters: Filters, by: str = "none") -> pd.DataFrame:
        """One row per group and week: generations, active users, generations per active user."""
        by = check_choice(by, "by", cohorts.GROUPS, "grouping")
        return cohorts.activity_per_user(self.wh, filters, by=by)

    def lifecycle(self, by: str = "none", filters: Filters = NO_FILTERS) -> dict:
        """The weekly lifecycle of users and their activity (docs/cohorts.md), filters as for
        /retention; by: none or tier. {"lifecycle": one record per week shown: week (its Monday),
        days (of it in the data), active_users, new_users, returning_users (active the week before
        too), resurrected_users (not the week before, but earlier), dormant_users (active the week
        before, not this one: a positive count); "activity": one record per week: week, days,
        generations, active_users, generations_per_user, median_generations_per_user}."""
        return {
            "lifecycle": records(self.lifecycle_frame(filters, by)),
            "activity": records(self.activity_frame(filters, by)),
        }

    def funnel_frame(self, filters: Filters, by: str = "none", period: str = "none") -> pd.DataFrame:
        """The session funnel's rows (analysis/funnel.py), its arguments checked."""
        by = check_choice(by, "by", funnels.GROUPS, "grouping")
        period = check_choice(period, "period", funnels.PERIODS, "period")
        return funnels.funnel(self.wh, filters, by=by, period=period)

    def funnel(self, by: str = "none", period: str = "none", filters: Filters = NO_FILTERS) -> list[dict]:
        """The session funnel, its steps defined in the semantic layer: started, succeeded (a
        successful generation), refined (a modifier or settings edit), kept (an idea ended on a
        success); a session counts at a step when it reached every step up to it. by: none or tier;
        period: none, day, week or month (of the session's start). Sessions that started in the
        date range, of the tiers, with a generation of the statuses, domains and art_styles. One
        record per group, period and step: step_number, step, label, sessions, share_of_first,
        dropped (from the previous step) and drop_off_rate."""
        return records(self.funnel_frame(filters, by, period))
