"""Start the app: build the embedded sample first when there is no warehouse yet."""

from __future__ import annotations

import os
import socket

from genai_analyzer.core.errors import SettingsError
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
        raise SettingsError("--auth / GENAI_AUTH must look like user:password")
    return user, password


def check_listen(host: str | None, port: int | None) -> None:
    """Refuse, with one line naming the cause, an address the server cannot listen on: a host that
    does not resolve or is not this machine's, a port out of range or taken. (Gradio would otherwise
    end in a traceback, or try 100 ports in turn on a host it can never bind.) ``None`` means
    Gradio's default (GRADIO_SERVER_NAME / GRADIO_SERVER_PORT, else 127.0.0.1 and a free port
    from 7860)."""
    name = host or os.environ.get("GRADIO_SERVER_NAME") or "127.0.0.1"
    if port is None and os.environ.get("GRADIO_SERVER_PORT"):
        try:
            port = int(os.environ["GRADIO_SERVER_PORT"])
        except ValueError:
            raise SettingsError("GRADIO_SERVER_PORT must be a port number") from None
    if port is not None and not 1 <= port <= 65535:
        raise SettingsError(f"port {port} is not a port number (1-65535)")
    where = f"{name}:{port}" if port is not None else name
    try:
        family, kind, proto, _, address = socket.getaddrinfo(name, port or 0, type=socket.SOCK_STREAM)[0]
    except (OSError, UnicodeError, ValueError) as exc:
        raise SettingsError(f"cannot listen on {where}: the host does not resolve ({_reason(exc)})") from None
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise SettingsError(f"cannot listen on {where}: {_reason(exc)}") from None


def _reason(exc: BaseException) -> str:
    return " ".join(str(getattr(exc, "strerror", None) or exc).split())


def serve(settings: Settings, *, host: str | None = None, port: int | None = None) -> None:
    """Build if needed, open the warehouse read-only and serve the app (blocks until stopped).

    ``host``/``port`` default to Gradio's own (GRADIO_SERVER_NAME / GRADIO_SERVER_PORT, which
    Hugging Face Spaces sets, else 127.0.0.1:7860).
    """
    from genai_analyzer.analysis.copilot.core import Copilot
    from genai_analyzer.app import create_app, launch_kwargs
    from genai_analyzer.app.background import start_background
    from genai_analyzer.models.llm.factory import llm_from_settings
    from genai_analyzer.warehouse.reader import Warehouse

    auth = parse_auth(settings.auth)
    check_listen(host, port)
    ensure_warehouse(settings)
    wh = Warehouse.from_settings(settings)  # refuses a file built by an older version
    sql_copilot = Copilot(wh, llm=llm_from_settings(settings))
    worker = start_background(settings, wh)  # the full-quality tier, and re-opens after a swap
    try:
        demo = create_app(wh, sql_copilot=sql_copilot)
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
    except OSError as exc:  # the port was taken after check_listen, or no free port from 7860
        raise SettingsError(f"cannot start the server: {_reason(exc)}") from None
    finally:  # the server was stopped: its query workers and the warehouse go with it
        worker.stop()
        sql_copilot.close()
        wh.close()
