"""The saved views and the dashboard: /views lists them, /view gives one view's data.

A mixin of ``api.endpoints.Api`` (which registers the two endpoints in ``ENDPOINTS``). Views live in
the app-state file beside the warehouse (``analysis/views.py``); the warehouse stays read-only.
The public API only reads them: saving, pinning, deleting and importing are the page's, behind the
same login as everything else when the app runs with auth, so an API caller (or a fuzzer) cannot
fill the dashboard. A chart view's data is ``Api.chart_frame`` under its saved filters, the very
rows /chart returns for them; a copilot view's SQL runs again through the copilot's guarded
runner (one checked SELECT over the marts, time and row limits) every time it is drawn.
"""

from __future__ import annotations

import pandas as pd

from genai_analyzer.analysis import queries
from genai_analyzer.analysis.copilot.core import Answer, Copilot
from genai_analyzer.analysis.views import ImportReport, SavedView, SavedViews, ViewError, link, view_from
from genai_analyzer.api.checks import InputError, check_text
from genai_analyzer.core.contract import app_state_path
from genai_analyzer.core.errors import AnalyzerError
from genai_analyzer.core.jsonable import plain, records
from genai_analyzer.warehouse.reader import Warehouse


class ViewEndpoints:
    """Saved views over ``self.wh``'s app-state file."""

    # Api gives the rest: filters(), check_chart(), chart_frame()
    wh: Warehouse
    sql_copilot: Copilot

    @property
    def view_store(self) -> SavedViews:
        return SavedViews(app_state_path(self.wh.path))

    def check_view(self, view: SavedView) -> None:
        """A ViewError naming what this warehouse cannot draw: an unknown chart or comparison, a
        filter value it does not hold, SQL the copilot's guard refuses."""
        try:
            if view.kind == "chart":
                view.compare = self.check_chart(view.chart, view.compare)
                filters = self.filters(**view.filters)
                # a chosen period must be whole and in order, as the compare controls require
                filters.compared_period(*queries.data_range(self.wh), view.compare,
                                        view.compare_start, view.compare_end)  # fmt: skip
            else:
                self.sql_copilot.runner.check(view.sql)
        except AnalyzerError as exc:
            field = getattr(exc, "field", None)
            if view.kind == "chart" and field not in ("chart", "compare"):
                field = "compare" if str(field).startswith("compare") else "filters"
            raise ViewError(f"{exc}", field=field or ("chart" if view.kind == "chart" else "sql")) from None

    # --- the public endpoints ---------------------------------------------------------------------

    def views(self) -> list[dict]:
        """Every saved view, oldest first: name, kind (chart or copilot), created_at (UTC), link
        (relative to the app: a chart view's opens the Analytics tab under its filters, a copilot
        view's the Dashboard on it); a chart view adds filters (start, end, tiers, statuses,
        domains, art_styles, as the filter bar applies them), chart and compare, a copilot view
        question and sql."""
        return [{**plain(v.to_dict()), "link": link(v)} for v in self.view_store.all()]

    def view(self, name: str) -> dict:
        """One saved view and its data now: {"view": as /views lists it, "records": a chart view's
        rows exactly as /chart returns them under the view's filters and comparison, or a copilot
        view's rows (its SQL run again through the copilot's guard), "truncated": whether the
        copilot's row limit cut them}. An unknown name is an error listing the saved ones."""
        view = self._named(name)
        if view.kind == "chart":
            body, truncated = records(self.view_frame(view)), False
        else:
            answer = self.view_answer(view)
            body = [dict(zip(answer.columns, row, strict=True)) for row in answer.rows]
            truncated = answer.truncated
        return {"view": {**plain(view.to_dict()), "link": link(view)}, "records": plain(body),
                "truncated": truncated}  # fmt: skip

    # --- for the page (not endpoints) --------------------------------------------------------------

    def _named(self, name: str) -> SavedView:
        name = check_text(name, "name")
        try:
            return self.view_store.get(name)
        except ViewError as exc:
            raise InputError(str(exc), code=exc.code, field="name") from None

    def view_frame(self, view: SavedView) -> pd.DataFrame:
        """A chart view's rows: ``chart_frame`` under its saved filters and comparison."""
        filters = self.filters(**view.filters)
        return self.chart_frame(view.chart, filters, view.compare, view.compare_start, view.compare_end)

    def view_answer(self, view: SavedView) -> Answer:
        """A copilot view's SQL run again through the copilot's guarded runner; an InputError
        saying why when it no longer runs (the warehouse changed under it)."""
        answer = self.sql_copilot.run_sql(view.sql, view.question or view.name)
        if answer.refused:
            raise InputError(
                f"The pinned SQL of {view.name!r} could not run: {answer.explanation}", field="name"
            )
        return answer

    def save_chart_view(
        self, name: str, chart: str, applied: dict | None, compare: str = "none",
        compare_start: str = "", compare_end: str = "",
    ) -> SavedView:  # fmt: skip
        """Save ``chart`` under the filter bar's applied state as the view ``name``."""
        body = {"name": name, "kind": "chart", "filters": applied or {}, "chart": chart,
                "compare": compare, "compare_start": compare_start, "compare_end": compare_end}  # fmt: skip
        return self.view_store.save(view_from(body, self.check_view))

    def pin_answer(self, name: str, question: str, sql: str) -> SavedView:
        """Pin a copilot answer (its question and SQL) to the dashboard as the view ``name``."""
        body = {"name": name, "kind": "copilot", "question": question, "sql": sql}
        return self.view_store.save(view_from(body, self.check_view))

    def delete_view(self, name: str) -> None:
        self.view_store.delete(name)

    def export_views(self) -> str:
        """Every saved view as YAML (``analysis/views.py``)."""
        return self.view_store.export_yaml()

    def import_views(self, text: str) -> ImportReport:
        """Add the views of a YAML export, each checked against this warehouse first."""
        return self.view_store.import_yaml(text, self.check_view)
