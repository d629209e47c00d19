"""Start the app: build the embedded sample first when there is no warehouse yet."""

from __future__ import annotations

from genai_analyzer.core.settings import Settings


def ensure_warehouse(settings: Settings, *, progress: bool = True) -> None:
    """Build the warehouse from the embedded sample if it does not exist (in the file, or in the
    DuckLake when GENAI_WAREHOUSE_TARGET=ducklake)."""
    from genai_analyzer.warehouse import ducklake

    lake = ducklake.LakeTarget.from_settings(settings)
    if lake is None and settings.db_path.exists():
        return
    if lake is not None and ducklake.has_warehouse(lake):
        return
    from genai_analyzer.pipeline.build import BuildRequest, build_warehouse

    where = settings.db_path if lake is None else f"DuckLake {lake.describe()}"
    print(f"No warehouse at {where}: building the embedded sample first (about a minute).")
    build_warehouse(settings, BuildRequest(source="sample"), progress=progress)


def parse_auth(text: str | None) -> tuple[str, str] | None:
    """'user:password' -> (user, password); None when not set."""
    if not text:
        return None
    user, sep, password = text.partition(":")
    if not sep or not user or not password:
        from genai_analyzer.core.errors import SettingsError

        raise SettingsError("--auth / GENAI_AUTH must look like user:password")
    return user, password


def serve(settings: Settings, *, host: str | None = None, port: int | None = None) -> None:
    """Build if needed, open the warehouse read-only and serve the app (blocks until stopped).

    ``host``/``port`` default to Gradio's own (GRADIO_SERVER_NAME / GRADIO_SERVER_PORT, which
    Hugging Face Spaces sets, else 127.0.0.1:7860).
    """
    from genai_analyzer.analysis.copilot.core import Copilot
    from genai_analyzer.app import create_app, launch_kwargs
    from genai_analyzer.models.llm.factory import llm_from_settings
    from genai_analyzer.warehouse.reader import Warehouse

    auth = parse_auth(settings.auth)
    ensure_warehouse(settings)
    wh = Warehouse.from_settings(settings)
    demo = create_app(wh, sql_copilot=Copilot(wh, llm=llm_from_settings(settings)))
    if settings.share and auth is None:
        print("warning: the public link has no password; set --auth user:password (or GENAI_AUTH).")
    demo.launch(
        server_name=host,
        server_port=port,
        share=settings.share,
        auth=auth,
        max_threads=8,
        **launch_kwargs(wh),
    )
