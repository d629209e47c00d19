"""Entry point for Hugging Face Spaces and `python app.py`: serve the app, building a warehouse first
when there is none: with the build options in GENAI_FIRST_BUILD when set (on a Space, where the hub
is reachable, e.g. `--source diffusiondb --parts 1-2`), else from the embedded sample."""

import shlex
import sys

import click

from genai_analyzer.cli import main
from genai_analyzer.core.settings import Settings

if __name__ == "__main__":
    settings = Settings.from_env()
    if settings.first_build and settings.warehouse_target == "file" and not settings.db_path.exists():
        print(f"No warehouse at {settings.db_path}: building with GENAI_FIRST_BUILD={settings.first_build}")
        try:
            main(["build", *shlex.split(settings.first_build)], standalone_mode=False)
        except click.ClickException as exc:  # an option the build does not take: say which
            exc.show()
            sys.exit(f"GENAI_FIRST_BUILD={settings.first_build!r} is not a valid set of build options")
    main(["serve"])
