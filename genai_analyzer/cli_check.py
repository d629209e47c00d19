"""``genai-analyzer check`` and the alerts in the build's summary: the rules evaluated, printed.

Kept apart from cli.py (near its 500 lines); the command itself is declared there.
"""

from __future__ import annotations

import json

import click

from genai_analyzer.core.errors import AnalyzerError
from genai_analyzer.core.settings import Settings


def run_check(settings: Settings, day: str | None, *, as_json: bool = False) -> int:
    """Evaluate the rules in force on ``day`` and print them; the exit status: 1 when any fired,
    else 0. A bad rules file or warehouse raises (the command exits 2)."""
    from genai_analyzer.analysis import alerts
    from genai_analyzer.analysis.alert_rules import load_rules
    from genai_analyzer.core.jsonable import plain
    from genai_analyzer.warehouse.reader import Warehouse

    rule_set = load_rules(settings.alerts_file or None)  # before the warehouse: a bad file says so first
    with Warehouse.from_settings(settings, extensions=()) as wh:
        checked = alerts.check_day(wh, day)
        findings = alerts.evaluate(wh, rule_set.rules, checked)
    fired = [f for f in findings if f.fired]
    if as_json:
        answer = {
            "day": checked,
            "rules_file": str(rule_set.path),
            "rules": len(rule_set.rules),
            "fired": len(fired),
            "summary": alerts.summary_line(findings, len(rule_set.rules), checked),
            "findings": [f.as_record() for f in findings],
        }
        click.echo(json.dumps(plain(answer), indent=2))
    else:
        if findings:
            click.echo(alerts.findings_table(findings).to_string(index=False))
        for finding in fired:
            click.echo(f"fired: {finding.rule}: {finding.reason}")
        click.echo(f"{alerts.summary_line(findings, len(rule_set.rules), checked)}; rules: {rule_set.path}")
    return 1 if fired else 0


def print_build_alerts(settings: Settings) -> None:
    """After a build: the rules that fire on the data's last day, one line each, or that none does.
    Never fails the build: a rule that cannot be evaluated is said in one line."""
    from genai_analyzer.analysis import alerts
    from genai_analyzer.analysis.alert_rules import load_rules
    from genai_analyzer.warehouse.reader import Warehouse

    try:
        rule_set = load_rules(settings.alerts_file or None)
        with Warehouse.from_settings(settings, extensions=()) as wh:
            checked = alerts.check_day(wh, None)
            findings = alerts.evaluate(wh, rule_set.rules, checked)
    except AnalyzerError as exc:
        click.echo(f"  alerts: not checked: {exc}")
        return
    click.echo(f"  alerts: {alerts.summary_line(findings, len(rule_set.rules), checked)}")
    for finding in findings:
        if finding.fired:
            click.echo(f"  alert: {finding.rule}: {finding.reason}")
