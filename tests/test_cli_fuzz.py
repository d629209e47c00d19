"""Every CLI command fed generated arguments, in-process (``main`` called with an argv).

Each run either succeeds (exit 0) or exits non-zero with exactly one error line (``error: ...`` from
the library's typed errors, or click's ``Error: ...`` after its usage hint) and nothing after it;
never a traceback, on the captured streams or at the file-descriptor level. ``ask`` may also exit 2
with its reading on stdout: a declined question, as documented.

The arguments are generated from each command's click parameters (so a command or option added
later is covered too): choices, numbers around their ranges, text of any kind, paths of every sort
(a warehouse, a missing file, a folder, a file that is not a warehouse, a path under a file),
unknown options and extra values. A few options get values of their own to keep a run bounded
(sizes of generated data, a small embedded sample) or meaningful (hosts, ports, dates, filter
values). A valid ``serve`` really serves: the test waits for its page to answer 200, then stops
it the way Gradio is stopped in-process (``Blocks.close``), and the command must return 0.
"""

from __future__ import annotations

import collections
import contextlib
import itertools
import re
import shutil
import socket
import sys
import threading
import time
import urllib.request
from pathlib import Path

import click
import gradio as gr
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from genai_analyzer.analysis import queries
from genai_analyzer.cli import main
from genai_analyzer.core.contract import thumb_dir
from genai_analyzer.pipeline.sample import write_sample
from genai_analyzer.warehouse.reader import Warehouse

pytestmark = pytest.mark.slow  # real builds, servers and model loads: a few minutes in all

# Examples per command; a command not named here (one added later) gets DEFAULT_EXAMPLES.
EXAMPLES = {"build": 24, "enrich": 12, "serve": 14, "ask": 24}
DEFAULT_EXAMPLES = 30
COMMANDS = sorted(main.commands)
ERROR_LINE = re.compile(r"^(error|Error): \S")
# What the test saw (inputs, exits, error kinds), printed for docs/reliability.md.
SEEN: collections.Counter = collections.Counter()
ERRORS: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)  # command -> lines

# --- values -----------------------------------------------------------------------------------

# Text as a shell can pass it: any character but NUL (argv cannot hold one) and lone surrogates.
text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=24)
junk = st.one_of(
    text,
    st.sampled_from(
        ["", " ", "-", "--", "-1", "1e3", "0x10", "NaN", "∞", "10" * 12, "../..", "'; DROP TABLE x"]
    ),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
)


class Values:
    """A parameter's values: ``good`` ones (valid, or at least plausible), and ``bad`` ones."""

    def __init__(self, good, bad=junk):
        self.good, self.bad = good, bad

    def any(self):
        return st.one_of(self.good, self.good, self.good, self.bad)


def ints(low: int, high: int, valid: tuple[int, int] | None = None) -> Values:
    """Whole numbers in [low, high] (``valid`` the sub-range that is good), and junk."""
    good_low, good_high = valid or (low, high)
    bad = st.one_of(st.integers(min_value=low, max_value=high).map(str), junk)
    return Values(st.integers(min_value=good_low, max_value=good_high).map(str), bad)


def pick(good: list, bad: list | None = None) -> Values:
    return Values(st.sampled_from(good), st.one_of(st.sampled_from(bad), junk) if bad else junk)


DATES = ["2025-10-01", "2025-10-20", "2022-08-14", ""]
BAD_DATES = ["0001-01-01", "9999-12-31", "2025-02-30", "14/08/2022", "2025-10-20T99"]
# Paths are tokens, made concrete per example (Paths.resolve), so every example is reproducible.
BAD_PATHS = ["@missing", "@garbage", "@dir", "@under_file"]
READ_DB = pick(["@warehouse"], BAD_PATHS)
VALUES = {  # option name (or "command option") -> its values
    "db": READ_DB,
    "build db": pick(["@fresh"], ["@garbage", "@dir", "@under_file"]),
    "enrich db": pick(["@enrich_warehouse"], BAD_PATHS),
    # no "@missing": serve would build the embedded sample first (a build, tested under build)
    "serve db": pick(["@warehouse"], ["@garbage", "@dir", "@under_file"]),
    "out": pick(["@fresh_dir"], ["@used_dir", "@garbage", "@under_file"]),
    "path": pick(["@source", "@logs"], BAD_PATHS),
    "dataset": pick(["@source_parquet"], ["@missing", "someone/some-dataset"]),
    "split": pick(["train"], ["test", "nope"]),
    "parts": pick(["1", "1-2", "2", "1,2"], ["3-1", "0", "abc", "1,x", "1-", "9"]),
    "skip": pick(["embeddings,labels,thumbnails"], ["thumbnails", "labels,thumbnails", "nope", ""]),
    "columns": pick(["prompt=prompt", "user_id=user_name"], ["bogus", "a=b,c", "prompt="]),
    "build limit": ints(-3, 400, (1, 400)),
    "batch_size": ints(-2, 2000, (1, 2000)),  # enrich: the full tier's job (a static warehouse only)
    "seed": Values(st.integers(0, 2**32 - 1).map(str), st.one_of(st.integers().map(str), junk)),
    "session_gap": ints(-5, 120, (1, 120)),
    "generations": ints(-2, 80, (1, 80)),
    "users": ints(-2, 40, (1, 40)),
    "days": ints(-2, 12, (1, 12)),
    "limit": ints(-2, 600, (1, 500)),
    "rows": ints(-2, 50, (1, 50)),
    "min_sample": ints(-2, 30, (1, 30)),
    "day": pick(DATES, BAD_DATES),
    "check rules": pick(["@rules", "@firing_rules"], ["@missing", "@garbage", "@dir", "@bad_rules"]),
    "start": pick(DATES, BAD_DATES),
    "end": pick(DATES, BAD_DATES),
    "host": pick(["127.0.0.1", "localhost", ""], ["999.1.1.1", "8.8.8.8", "x" * 300, "-"]),
    "port": pick(["@free_port"], ["@taken_port", "0", "-1", "70000"]),
    "auth": pick(["ana:s3cret"], ["nocolon", ":", "ana:", ":pw"]),
    "map_selection": pick(["prompt:box:-5,20,-5,20", "visual:lasso:0,0,9,0,4,9"], ["prompt:box:1", "x:y:z"]),
    "query": Values(st.sampled_from(["cat", "city at night", "portrait", "x" * 5000, "a"]), text),
    # similar: a generation id or an image's file name from the warehouse; --text needs a CLIP model
    "similar target": pick(["@generation", "@image_name"], ["nope", "", "0"]),
    "similar text": Values(st.sampled_from(["red sunset over water", "cat", " "]), text),
    "question": Values(
        st.sampled_from(["generations by tier", "error rate by day", "top 5 users by revenue"]),
        st.one_of(st.sampled_from(["hello", "", "drop table users"]), text),
    ),
}
FILTERS = ("tiers", "statuses", "domains", "art_styles", "prompt_clusters", "visual_clusters")
# Commands that write a warehouse: without --db they write the scratch default, not the sample's copy.
WRITERS = {"build", "enrich"}
# Options always given, as their defaults are too big for a test (generate writes 100,000 rows).
ALWAYS = {("generate", "generations")}


def values_for(command: str, param: click.Parameter, choices: dict) -> Values:
    """One parameter's values (text, as a shell passes it)."""
    for key in (f"{command} {param.name}", param.name):
        if key in VALUES:
            return VALUES[key]
    if param.name in FILTERS:
        return pick(choices[param.name], ["platinum", ""])
    kind = param.type
    if isinstance(kind, click.Choice):
        return pick(list(kind.choices))
    if isinstance(kind, click.IntRange):
        low = 1 if kind.min is None else kind.min
        high = low + 40 if kind.max is None else min(kind.max, low + 600)
        return ints(low - 2, high + 2, (low, high))
    if isinstance(kind, click.types.IntParamType):
        return ints(-5, 50, (0, 50))
    if isinstance(kind, click.types.FloatParamType):
        return Values(st.floats(0, 100).map(str), st.floats(allow_nan=True).map(str))
    if isinstance(kind, click.Path):
        return READ_DB
    return Values(text)


def argv_for(command: str, choices: dict):
    """A strategy for one command's argv: half the time only good values, otherwise any; each
    parameter present or not (a required one nearly always), in click's syntax; now and then an
    unknown option, an extra value or --help."""

    def build(clean: bool):
        parts = []
        for param in main.commands[command].params:
            values = values_for(command, param, choices) if not getattr(param, "is_flag", False) else None
            drawn = (values.good if clean else values.any()) if values else None
            if isinstance(param, click.Argument):
                if param.nargs == -1:
                    steps = Values(st.sampled_from(list(param.type.choices)))
                    parts.append(st.lists(steps.good if clean else steps.any(), max_size=3))
                else:
                    one = drawn.map(lambda v: [v])
                    parts.append(
                        one if clean or not param.required else st.one_of(one, one, one, st.just([]))
                    )
                continue
            if param.is_flag:
                flags = [param.opts[0], *param.secondary_opts]
                parts.append(st.one_of(st.just([]), st.sampled_from(flags).map(lambda f: [f])))
                continue
            one = drawn.map(lambda v, o=param.opts[0]: [o, v])
            if param.multiple:
                one = st.lists(one, max_size=2).map(lambda pairs: [x for pair in pairs for x in pair])
            if (command, param.name) in ALWAYS:
                parts.append(one)
            elif param.required:
                parts.append(one if clean else st.one_of(one, one, one, st.just([])))
            else:
                parts.append(st.one_of(st.just([]), st.just([]), one))
        noise = (
            st.just([]) if clean else st.sampled_from([[]] * 6 + [["--bogus-option"], ["extra"], ["--help"]])
        )
        return st.tuples(*parts, noise).map(lambda groups: [command] + [x for g in groups for x in g])

    return st.one_of(build(True), build(False))


# --- running one -------------------------------------------------------------------------------


class Paths:
    """The concrete paths behind the tokens, fresh ones per example under ``root``."""

    def __init__(self, root: Path, warehouse: Path, enrich_warehouse: Path, source: Path):
        self.root, self.warehouse, self.enrich_warehouse, self.source = (
            root,
            warehouse,
            enrich_warehouse,
            source,
        )
        self.counter = itertools.count()
        self.garbage = root / "not-a-warehouse.duckdb"
        self.garbage.write_text("this is not a DuckDB file\n")
        (root / "a-folder").mkdir()
        self.rules = root / "rules.yaml"
        self.rules.write_text("rules: [{name: budget, metric: cost_usd, above: 1000000}]\n")
        self.firing_rules = root / "firing.yaml"
        self.firing_rules.write_text("rules: [{name: any cost, metric: cost_usd, above: 0}]\n")
        self.bad_rules = root / "bad.yaml"
        self.bad_rules.write_text("rules: [{name: any cost, metric: spend, above: 0}]\n")
        self.logs = root / "logs.csv"
        self.logs.write_text("user_id,timestamp,prompt\nu1,2025-10-01 10:00:00,a cat\nu1,yesterday,a dog\n")
        with Warehouse(warehouse) as wh:  # a generation with an image, and that image's file name
            self.generation, self.image_name = wh.rows(
                "SELECT generation_id, image_name FROM fact_generations WHERE image_name IS NOT NULL "
                "ORDER BY generation_id LIMIT 1"
            )[0]
        self.taken = socket.socket()
        self.taken.bind(("127.0.0.1", 0))
        self.taken.listen()

    def resolve(self, value: str) -> str:
        n = next(self.counter)
        fresh = self.root / f"ex{n}"
        used = self.root / "used"
        used.mkdir(exist_ok=True)
        (used / "metadata.parquet").touch()
        tokens = {
            "@warehouse": self.warehouse,
            "@enrich_warehouse": self.enrich_warehouse,
            "@missing": self.root / "missing" / "nothing-here.duckdb",
            "@garbage": self.garbage,
            "@dir": self.root / "a-folder",
            "@under_file": self.garbage / "below-a-file.duckdb",
            "@fresh": fresh / "warehouse.duckdb",
            "@fresh_dir": fresh,
            "@used_dir": used,
            "@source": self.source,
            "@source_parquet": self.source / "metadata.parquet",
            "@logs": self.logs,
            "@rules": self.rules,
            "@firing_rules": self.firing_rules,
            "@bad_rules": self.bad_rules,
            "@taken_port": self.taken.getsockname()[1],
            "@generation": self.generation,
            "@image_name": self.image_name,
        }
        if value == "@free_port":
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                return str(probe.getsockname()[1])
        return str(tokens.get(value, value))


@contextlib.contextmanager
def stopping_servers(served: list):
    """While a command runs: once a Blocks it launched is serving and ``launch`` has handed over to
    ``block_thread`` (its start-up checks done), GET its page (the status goes in ``served``), then
    close it, as a person stopping ``serve`` would."""
    before = {id(b) for b in gr.Blocks.get_instances() if b.is_running}
    caller = threading.get_ident()
    done = threading.Event()

    def blocking() -> bool:
        frame = sys._current_frames().get(caller)
        while frame is not None:
            if frame.f_code.co_name == "block_thread":
                return True
            frame = frame.f_back
        return False

    def watch():
        while not done.is_set():
            for blocks in list(gr.Blocks.get_instances()):
                if id(blocks) in before or not blocks.is_running or not blocking():
                    continue
                try:
                    with urllib.request.urlopen(blocks.local_url, timeout=30) as response:
                        served.append(response.status)
                except OSError as exc:
                    served.append(repr(exc))
                blocks.close()
            time.sleep(0.1)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        yield
    finally:
        done.set()
        watcher.join(timeout=30)


def check_outcome(command: str, argv: list[str], result, fd_text: str, served: list) -> None:
    """The run succeeded, or ended with exactly one error line and nothing after it; no traceback."""
    out, err = result.stdout, result.stderr
    where = f"argv={argv!r}\nexit={result.exit_code}\nstdout={out[-2000:]}\nstderr={err[-2000:]}"
    SEEN["inputs"] += 1
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"uncaught {type(result.exception).__name__}: {result.exception}\n{where}"
    )
    for stream in (out, err, fd_text):
        assert "Traceback (most recent call last)" not in stream, where
    if result.exit_code == 0:
        SEEN["succeeded"] += 1
        if command == "serve" and "--help" not in argv:
            assert served == [200], (served, where)
            SEEN["served and stopped"] += 1
        return
    lines = err.splitlines()
    errors = [i for i, line in enumerate(lines) if ERROR_LINE.match(line)]
    if command == "check" and result.exit_code == 1 and not errors:
        assert "fired on" in out, where  # a rule fired: the table and the fired lines on stdout
        SEEN["check fired (exit 1)"] += 1
        return
    if command == "ask" and result.exit_code == 2 and not errors:
        assert out.strip(), where  # a declined question: the reading and examples on stdout
        SEEN["ask declined (exit 2)"] += 1
        return
    assert len(errors) == 1, f"want exactly one error line\n{where}"
    assert not "".join(lines[errors[0] + 1 :]).strip(), f"the error must be one line, the last\n{where}"
    assert len(lines[errors[0]]) < 2_000, where
    SEEN["one-line errors"] += 1
    ERRORS[command][re.sub(r"/tmp/\S+", "<path>", lines[errors[0]])[:100]] += 1
    SEEN[
        f"exit {result.exit_code} ({'click usage' if lines[errors[0]].startswith('Error') else 'library'})"
    ] += 1


# --- fixtures ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def paths(sample_warehouse, tmp_path_factory):
    """A copy of the sample warehouse with its thumbnails (read and served), another for enrich to
    rewrite, and a small DiffusionDB-layout source to build from."""
    root = tmp_path_factory.mktemp("cli_fuzz")
    copies = []
    for name in ("read", "enrich"):
        target = root / name / "warehouse.duckdb"
        target.parent.mkdir()
        shutil.copy2(sample_warehouse, target)
        shutil.copytree(thumb_dir(sample_warehouse), thumb_dir(target))
        copies.append(target)
    source = root / "source"
    write_sample(source, n_generations=120, n_users=15, days=3, seed=7, images=False, progress=False)
    (root / "work").mkdir()
    resolved = Paths(root / "work", *copies, source)
    yield resolved
    resolved.taken.close()


@pytest.fixture(scope="module")
def choices(paths):
    with Warehouse(paths.warehouse) as wh:
        return queries.filter_choices(wh)


@pytest.fixture(scope="module")
def environment(paths):
    """GENAI_* for every run: a small embedded sample, data and a scratch default warehouse in the
    test's folder; the hub offline (this machine has no network: a hub id must fail at once)."""
    return {
        "GENAI_DATA_DIR": str(paths.root / "data"),
        "GENAI_DB": str(paths.root / "default" / "warehouse.duckdb"),
        "GENAI_SAMPLE_GENERATIONS": "150",
        "GENAI_SAMPLE_USERS": "20",
        "GENAI_SAMPLE_DAYS": "3",
        "HF_HUB_OFFLINE": "1",
        "HF_DATASETS_OFFLINE": "1",
        "GRADIO_ANALYTICS_ENABLED": "False",
    }


# --- the property test ---------------------------------------------------------------------------


def test_every_command_is_covered():
    """The commands `genai-analyzer --help` lists are the ones tested below."""
    result = CliRunner().invoke(main, ["--help"])
    listed = re.findall(r"^  (\S+)\s", result.stdout.split("Commands:")[1], re.M)
    assert sorted(listed) == COMMANDS and result.exit_code == 0


@pytest.mark.parametrize("command", COMMANDS)
def test_any_arguments_succeed_or_end_in_one_error_line(
    command, paths, choices, environment, capfd, tmp_path, monkeypatch
):
    runner = CliRunner()
    # Junk values of path options ("0", "-1603") are relative paths: they land in a scratch folder,
    # never in the directory pytest was started from (the repository).
    monkeypatch.chdir(tmp_path)
    # Without --db a command reads GENAI_DB: the sample's copy, but for the commands that write one.
    if command not in WRITERS:
        environment = {**environment, "GENAI_DB": str(paths.warehouse)}

    @settings(
        max_examples=EXAMPLES.get(command, DEFAULT_EXAMPLES),
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],  # no shrinking or tracing: each run is a real command
        suppress_health_check=list(HealthCheck),
    )
    @given(argv=argv_for(command, choices))
    def one_run(argv):
        argv = [paths.resolve(a) if a.startswith("@") else a for a in argv]
        capfd.readouterr()
        served: list = []
        with stopping_servers(served) if command == "serve" else contextlib.nullcontext():
            result = runner.invoke(main, argv, env=environment, catch_exceptions=True)
        captured = capfd.readouterr()
        check_outcome(command, argv, result, captured.out + captured.err, served)

    one_run()
    print(f"\nafter {command}: {dict(sorted(SEEN.items()))}")
    for line, n in ERRORS[command].most_common(12):
        print(f"  {n:>3} x {line}")
