"""Alert rules (analysis/alert_rules.py, analysis/alerts.py): thresholds and robust z-scores checked
against values computed here from the warehouse's own rows, a spike injected into a copy, rules
without enough history, bad rules files, `genai-analyzer check`'s exit codes, the build summary's
alert lines, the /alerts and /anomalies endpoints, and the Overview's line served over HTTP."""

from __future__ import annotations

import json
import math
import shutil
import urllib.request
import uuid
from datetime import date, timedelta

import duckdb
import numpy as np
import pytest
from click.testing import CliRunner

from genai_analyzer.analysis import alerts, plotting
from genai_analyzer.analysis.alert_rules import AlertRulesError, load_rules, parse_rules
from genai_analyzer.analysis.filters import FilterError, Filters
from genai_analyzer.api.endpoints import Api, InputError
from genai_analyzer.app.analytics import CHARTS
from genai_analyzer.cli import main
from genai_analyzer.cli_check import print_build_alerts
from genai_analyzer.core.contract import ALERTS_FILE
from genai_analyzer.warehouse.reader import Warehouse
from tests.conftest import serving
from tests.test_browser import TIMEOUT_MS, _doc_shot, browser  # noqa: F401  (the browser fixture)


@pytest.fixture(scope="module")
def wh(sample_warehouse):
    with Warehouse(sample_warehouse) as warehouse:
        yield warehouse


@pytest.fixture(scope="module")
def spiked(sample_warehouse, tmp_path_factory):
    """A copy of the sample warehouse whose last day's latencies are ten times longer."""
    copy = tmp_path_factory.mktemp("spiked") / "warehouse.duckdb"
    shutil.copy2(sample_warehouse, copy)
    with duckdb.connect(str(copy)) as con:
        last = con.execute("SELECT max(date_key) FROM fact_generations").fetchone()[0]
        con.execute("UPDATE fact_generations SET latency_ms = latency_ms * 10 WHERE date_key = ?", [last])
    return copy


def rules(text: str):
    return parse_rules(text, source="test.yaml")


def daily(wh, sql_value: str, where: str = "true") -> dict[date, float]:
    """Day -> value, written here without the semantic layer."""
    frame = wh.query(
        f"SELECT f.date_key AS day, {sql_value} AS v FROM fact_generations f JOIN dim_users u "
        f"USING (user_id) WHERE {where} GROUP BY 1 ORDER BY 1"
    )
    return {
        d.date() if hasattr(d, "date") else d: float(v) for d, v in zip(frame["day"], frame["v"], strict=True)
    }


def independent_z(value: float, history: list[float]) -> tuple[float, float, float]:
    h = np.array(history)
    median = float(np.median(h))
    mad = float(np.median(np.abs(h - median)))
    return median, mad, (value - median) / (1.4826 * mad)


# --- the rules file ---------------------------------------------------------------------------


def test_the_shipped_rules_load_and_cover_cost_latency_errors_and_nsfw_blocks():
    shipped = load_rules()
    assert shipped.path == ALERTS_FILE
    metrics = {r.metric for r in shipped.rules}
    assert {"cost_usd", "p95_latency_ms", "error_rate", "nsfw_block_rate"} <= metrics
    assert any(r.by == "tier" for r in shipped.rules) and any(r.zscore for r in shipped.rules)


@pytest.mark.parametrize(
    "text, message",
    [
        ("rules: [\n  - name: x\n    metric: [", r"test.yaml: not valid YAML at line \d+, column \d+"),
        ("- name: x", "must hold one key, 'rules'"),
        ("rules:\n  - {name: spend, metric: cost_usd, abov: 5}", r"rule 1 \('spend'\): unknown key 'abov'"),
        ("rules:\n  - {name: spend, metric: cost, above: 5}", r"'spend'\): metric 'cost' is not.*cost_usd"),
        ("rules:\n  - name: t\n    metric: cost_usd\n    by: colour\n    above: 1", r"'by' 'colour'.*tier"),
        ("rules:\n  - name: t\n    metric: cost_usd\n    window: week\n    above: 1", "'window' 'week'"),
        ("rules:\n  - name: t\n    metric: cost_usd", "needs 'above', 'below' or 'zscore'"),
        ("rules:\n  - name: t\n    metric: cost_usd\n    above: 1\n    zscore: {}", "not both"),
        ("rules:\n  - name: t\n    metric: cost_usd\n    above: lots", "'above' must be a number"),
        ("rules:\n  - name: t\n    metric: cost_usd\n    zscore: {maxx: 3}", r"'zscore': unknown key 'maxx'"),
        ("rules:\n  - {name: t, metric: cost_usd, zscore: {trailing_days: 0}}", "'trailing_days' must be"),
        ("rules:\n  - name: t\n    metric: cost_usd\n    zscore: {direction: sideways}", "'direction'"),
        ("rules:\n  - metric: cost_usd\n    above: 1", r"rule 1: 'name' is required"),
        ("rules: [{name: a, metric: cost_usd, above: 1}, {name: a, metric: cost_usd, above: 2}]", "twice"),
    ],
)  # fmt: skip
def test_a_bad_rules_file_is_an_error_naming_the_rule_and_the_key(text, message):
    with pytest.raises(AlertRulesError, match=message):
        rules(text)


def test_a_missing_rules_file_is_named(tmp_path):
    with pytest.raises(AlertRulesError, match="no alert rules file at .*nope.yaml"):
        load_rules(tmp_path / "nope.yaml")


# --- thresholds and z-scores against independent values ---------------------------------------


def test_a_threshold_by_tier_matches_each_tiers_error_rate_on_the_last_day(wh):
    last = wh.scalar("SELECT max(date_key) FROM fact_generations")
    expected = {}
    for tier in ("free", "pro", "enterprise"):
        rates = daily(wh, "avg(CASE WHEN f.status = 'error' THEN 1.0 ELSE 0.0 END)", f"u.tier = '{tier}'")
        expected[tier] = rates.get(last)
    threshold = 0.02
    found = alerts.evaluate(
        wh, rules(f"rules:\n  - {{name: errors, metric: error_rate, by: tier, above: {threshold}}}")
    )
    assert {f.group for f in found} == set(expected)
    for f in found:
        assert f.day == last and f.above == threshold
        if expected[f.group] is None:  # no generations of that tier that day: not a pass, "no data"
            assert f.status == "no data" and not f.fired and f.value is None
        else:
            assert f.value == pytest.approx(expected[f.group])
            assert f.fired == (expected[f.group] > threshold)
            assert f.status == ("fired" if f.fired else "ok")


def test_a_zscore_matches_the_median_and_mad_of_the_trailing_days(wh):
    costs = daily(wh, "sum(f.cost_usd)")
    days = sorted(costs)
    day = days[-1]
    trailing = [costs.get(day - timedelta(days=n), 0.0) for n in range(1, 8)]  # a day without rows: $0
    median, mad, z = independent_z(costs[day], trailing)
    spec = "zscore: {max: 3.5, trailing_days: 7}"
    (found,) = alerts.evaluate(wh, rules(f"rules:\n  - name: cost\n    metric: cost_usd\n    {spec}"))
    assert (found.median, found.mad, found.z) == pytest.approx((median, mad, z))
    assert found.history_days == 7 and found.fired == (abs(z) > 3.5)
    assert "z " in found.reason and str(day) in found.reason


def test_too_little_history_is_reported_never_passed(wh):
    days = wh.scalar("SELECT count(DISTINCT date_key) FROM fact_generations")
    assert days < 28  # the sample spans 14 days
    found = alerts.evaluate(
        wh, rules("rules: [{name: latency, metric: p95_latency_ms, zscore: {trailing_days: 28}}]")
    )  # fmt: skip
    (f,) = found
    assert f.status == "not enough history" and not f.fired and f.z is None
    assert f"{days - 1} days with data in the 28 before, 28 needed" in f.reason
    assert "without enough history" in alerts.summary_line(found, 1, found[0].day)


def test_a_spike_day_fires_the_zscore_rule_and_is_flagged_on_the_daily_series(wh, spiked):
    text = "rules: [{name: slow, metric: p95_latency_ms, zscore: {trailing_days: 10, direction: up}}]"
    (before,) = alerts.evaluate(wh, rules(text))
    with Warehouse(spiked) as copy:
        (after,) = alerts.evaluate(copy, rules(text))
        p95 = daily(copy, "quantile_cont(f.latency_ms, 0.95)")
        last = max(p95)
        history = [p95[last - timedelta(days=n)] for n in range(1, 11) if last - timedelta(days=n) in p95]
        median, mad, z = independent_z(p95[last], history)
        series = alerts.anomalous_days(copy, Filters(), "p95_latency_ms", trailing_days=10)
    assert after.fired and after.status == "fired" and z > 3.5 and after.z == pytest.approx(z)
    assert after.value == pytest.approx(10 * before.value, rel=0.01)
    assert not before.fired
    flagged = series[series["anomalous"]]
    assert list(flagged["day"]) == [last]
    assert flagged.iloc[0]["z"] == pytest.approx(z)
    assert (series["status"] == "not enough history").sum() == 10  # the first ten days have too few


def test_robust_z_with_a_mad_of_zero():
    # more than half the days equal: MAD 0, so the mean absolute deviation sets the scale
    b = alerts.robust_z(3.0, [0, 0, 0, 1, 2])
    assert b.mad == 0 and b.scale == pytest.approx(1.2533 * 0.6) and b.z == pytest.approx(3 / (1.2533 * 0.6))
    # every day equal: the same value is z 0, any other is infinitely far
    assert alerts.robust_z(5.0, [5, 5, 5]).z == 0
    assert alerts.robust_z(6.0, [5, 5, 5]).z == math.inf
    assert alerts.robust_z(4.0, [5, 5, 5]).z == -math.inf


def test_a_day_outside_the_data_is_an_error_naming_the_range(wh):
    with pytest.raises(FilterError, match=r"day 2030-01-01 is outside the data \(2025-"):
        alerts.evaluate(wh, load_rules().rules, "2030-01-01")


# --- the command line -------------------------------------------------------------------------


TWO_RULES = (
    "rules: [{name: any cost, metric: cost_usd, above: 0}, {name: budget, metric: cost_usd, above: 1000}]"
)


def write(tmp_path, text: str):
    path = tmp_path / f"rules-{uuid.uuid4().hex[:6]}.yaml"
    path.write_text(text)
    return str(path)


def test_check_exits_0_when_nothing_fires_1_when_a_rule_fires_and_2_on_bad_input(sample_warehouse, tmp_path):
    db = ["--db", str(sample_warehouse)]
    quiet = write(tmp_path, "rules:\n  - {name: budget, metric: cost_usd, above: 1000000}")
    loud = write(tmp_path, "rules:\n  - {name: any cost, metric: cost_usd, above: 0}")
    bad = write(tmp_path, "rules:\n  - {name: any cost, metric: spend, above: 0}")
    ok = CliRunner().invoke(main, ["check", *db, "--rules", quiet])
    assert ok.exit_code == 0 and "No alert fires on" in ok.stdout and "budget" in ok.stdout
    fired = CliRunner().invoke(main, ["check", *db, "--rules", loud])
    assert (
        fired.exit_code == 1
        and "fired: any cost: Cost $" in fired.stdout
        and "1 of 1 check fired" in fired.stdout
    )
    as_json = CliRunner().invoke(main, ["check", *db, "--rules", loud, "--json"])
    answer = json.loads(as_json.stdout)
    assert as_json.exit_code == 1 and answer["fired"] == 1 and answer["findings"][0]["fired"] is True
    for argv in (
        ["--rules", bad],
        ["--rules", str(tmp_path / "missing.yaml")],
        ["--rules", quiet, "--day", "yesterday"],
        ["--rules", quiet, "--db", str(tmp_path / "none.duckdb")],
    ):
        result = CliRunner().invoke(main, ["check", *db, *argv])
        assert result.exit_code == 2, (argv, result.output)
        assert result.stderr.startswith("error: ") and len(result.stderr.strip().splitlines()) == 1
    assert (
        "metric 'spend' is not in the semantic layer"
        in CliRunner().invoke(main, ["check", *db, "--rules", bad]).stderr
    )


def test_check_reads_genai_alerts(sample_warehouse, tmp_path):
    loud = write(tmp_path, "rules:\n  - {name: any cost, metric: cost_usd, above: 0}")
    result = CliRunner().invoke(main, ["check", "--db", str(sample_warehouse)], env={"GENAI_ALERTS": loud})
    assert result.exit_code == 1 and "any cost" in result.stdout


def test_the_build_summary_lists_the_fired_rules_and_never_fails_for_them(
    sample_settings, sample_warehouse, tmp_path, capsys
):
    from dataclasses import replace

    loud = write(
        tmp_path,
        TWO_RULES,
    )
    print_build_alerts(replace(sample_settings, alerts_file=loud))
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("  alerts: 1 of 2 checks fired on ") and out[1].startswith(
        "  alert: any cost: Cost $"
    )
    print_build_alerts(replace(sample_settings, alerts_file=str(tmp_path / "missing.yaml")))
    assert capsys.readouterr().out.startswith("  alerts: not checked: no alert rules file at ")


# --- the API and the Overview -----------------------------------------------------------------


def test_the_alerts_endpoint_evaluates_the_configured_rules(wh, tmp_path, monkeypatch):
    monkeypatch.setenv(
        "GENAI_ALERTS", write(tmp_path, "rules:\n  - {name: errors, metric: error_rate, by: tier, above: 0}")
    )
    answer = Api(wh).alerts()
    assert answer["rules_file"].startswith("rules-") and answer["rules"] == 1
    assert answer["day"] == str(wh.scalar("SELECT max(date_key) FROM fact_generations"))
    assert answer["fired"] == sum(f["fired"] for f in answer["findings"])
    assert {f["group"] for f in answer["findings"]} == {"free", "pro", "enterprise"}
    with pytest.raises(FilterError, match="not a date"):
        Api(wh).alerts(day="soon")


def test_the_anomalies_endpoint_checks_its_arguments_and_returns_one_record_per_day(wh):
    api = Api(wh)
    pro = Filters(tiers=("pro",))
    days = api.anomalies("generations", pro, trailing_days=5)
    slow = api.anomalies("p95_latency_ms", pro, trailing_days=5)
    # a day without pro generations counts 0 generations, and has no p95 latency
    assert len(days) == wh.scalar("SELECT count(DISTINCT date_key) FROM fact_generations")
    assert len(slow) == wh.scalar(
        "SELECT count(DISTINCT date_key) FROM fact_generations JOIN dim_users USING (user_id) "
        "WHERE tier = 'pro'"
    )
    assert len(slow) < len(days) and min(d["value"] for d in days) == 0
    assert set(days[0]) == {"day", "value", "median", "mad", "z", "history_days", "status", "anomalous"}
    with pytest.raises(InputError, match="Unknown metric 'speed'") as caught:
        api.anomalies("speed")
    assert "p95_latency_ms" in caught.value.valid
    with pytest.raises(InputError, match="max_z"):
        api.anomalies("generations", max_z=0)
    with pytest.raises(FilterError, match="statuses"):
        api.anomalies("session_count", Filters(statuses=("error",)))


def _overview_markdown(url: str) -> str:
    """The Overview's alerts line as the page loads it: the tab's load event called over HTTP
    through Gradio's queue, as the browser calls it."""
    with urllib.request.urlopen(f"{url}config") as response:
        config = json.load(response)
    (target,) = [
        c["id"] for c in config["components"] if c.get("props", {}).get("elem_id") == "overview-alerts"
    ]
    (fn,) = [d["id"] for d in config["dependencies"] if target in d["outputs"]]
    session = uuid.uuid4().hex
    body = json.dumps({"data": [], "fn_index": fn, "session_hash": session, "trigger_id": None}).encode()
    request = urllib.request.Request(
        f"{url}gradio_api/queue/join", data=body, headers={"Content-Type": "application/json"}
    )
    urllib.request.urlopen(request).close()
    with urllib.request.urlopen(f"{url}gradio_api/queue/data?session_hash={session}") as stream:
        for line in stream:
            if line.startswith(b"data: "):
                message = json.loads(line[6:])
                if message.get("msg") == "process_completed":
                    dep = next(d for d in config["dependencies"] if d["id"] == fn)
                    return message["output"]["data"][dep["outputs"].index(target)]
    raise AssertionError("the Overview's load did not complete")


def test_the_overview_lists_the_alerts_that_fire_on_the_last_day(sample_warehouse, tmp_path, monkeypatch):
    loud = write(
        tmp_path,
        TWO_RULES,
    )
    monkeypatch.setenv("GENAI_ALERTS", loud)
    with serving(sample_warehouse) as (wh, url):
        last = wh.scalar("SELECT max(date_key) FROM fact_generations")
        fired = _overview_markdown(url)
        monkeypatch.setenv(
            "GENAI_ALERTS", write(tmp_path, "rules:\n  - {name: budget, metric: cost_usd, above: 1000}")
        )
        quiet = _overview_markdown(url)
    assert f"### Alerts on {last}" in fired and "1 of 2 checks fired" in fired
    assert "- **any cost**: Cost $" in fired and "budget" not in fired
    assert f"No alert fires on {last} (1 rule checked)" in quiet


BADGE_RULES = (
    "rules:\n"
    "  - {name: success check, metric: success_rate, below: 1.01}\n"
    "  - {name: slow pro, metric: p95_latency_ms, by: tier, above: 0}\n"
    "  - {name: budget, metric: cost_usd, above: 1000000}\n"
)


def test_a_rule_that_fires_is_a_badge_on_the_charts_that_show_its_metric(wh, tmp_path, monkeypatch):
    monkeypatch.setenv("GENAI_ALERTS", write(tmp_path, BADGE_RULES))
    api = Api(wh)
    badges = api.chart_alerts()
    assert {f.rule for f in badges["outcomes"]} == {"success check"}
    latency = badges["latency by hour and tier"]
    tiers = wh.scalar(
        "SELECT count(DISTINCT u.tier) FROM fact_generations f JOIN dim_users u USING (user_id)"
        " WHERE f.date_key = (SELECT max(date_key) FROM fact_generations)"
    )
    assert {f.rule for f in latency} == {"slow pro"} and len(latency) == tiers  # one per tier
    assert badges["weekly performance"] == []  # the budget rule did not fire
    assert "domains" not in badges  # a chart that shows no rule's metric

    fig = plotting.alert_badge(plotting.status_distribution(api.chart_frame("outcomes", Filters())), [])
    assert not fig.layout.annotations  # nothing fired: no badge
    [finding] = badges["outcomes"]
    fig = plotting.alert_badge(fig, [finding])
    [badge] = fig.layout.annotations
    assert badge.text.startswith("⚠ success check") and f"{finding.day:%b %-d}" in badge.text
    assert badge.hovertext == finding.reason and "success rate" in finding.reason.lower()
    [badge] = plotting.alert_badge(
        plotting.latency_by_hour(api.chart_frame("latency by hour and tier", Filters())), latency
    ).layout.annotations
    assert badge.text.startswith("⚠ slow pro") and badge.hovertext.count("<br>") == tiers - 1


@pytest.mark.slow
def test_the_badges_are_drawn_on_the_analytics_charts_in_the_browser(
    sample_warehouse,
    tmp_path,
    monkeypatch,
    browser,  # noqa: F811  (the imported browser fixture)
):
    monkeypatch.setenv("GENAI_ALERTS", write(tmp_path, BADGE_RULES))
    with serving(sample_warehouse) as (wh, url):
        day = wh.scalar("SELECT strftime(max(date_key), '%b %-d') FROM fact_generations")
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(f"{url}?tab=analytics", wait_until="load")
        page.locator(".js-plotly-plot").nth(len(CHARTS) - 1).wait_for()
        badges = page.locator(".annotation-text", has_text="⚠")
        badges.nth(1).wait_for()
        texts = badges.evaluate_all("els => els.map(e => e.textContent)")  # SVG: no innerText
        assert sorted(texts) == [f"⚠ slow pro · {day}", f"⚠ success check · {day}"]
        page.locator(".js-plotly-plot").nth(1).evaluate("e => e.scrollIntoView({block: 'start'})")
        # the picture once no event is pending (Gradio's status timers, "1.6s", are gone)
        page.wait_for_function(
            "() => ![...document.querySelectorAll('.wrap')].some("
            "w => w.offsetParent !== null && /^\\s*\\d+(\\.\\d)?s\\s*$/.test(w.textContent))"
        )
        _doc_shot(page, "alert-badges-1280")
        context.close()
