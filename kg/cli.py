"""The ``kg`` command: a thin layer over the library.

Each command parses options and calls one library function. Library errors are turned into
one-line messages and exit codes here and nowhere else:

0 ok, 1 the graph does not conform to the shapes, 2 bad input or usage, 3 internal error.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, ClassVar

import typer

from kg.errors import (
    ExportError,
    InputError,
    KGError,
    ModelError,
    QueryError,
    RemoteError,
    StoreError,
)

if TYPE_CHECKING:
    from rich.progress import TaskID

EXIT_OK, EXIT_NONCONFORMING, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2, 3

app = typer.Typer(
    name="kg", no_args_is_help=True, add_completion=False,
    help="Build, validate, query and export a knowledge graph of conflict events from news.",
)

StoreOption = Annotated[Path, typer.Option("--store", "-s", help="Folder of the on-disk store.",
                                           envvar="KG_STORE")]
DEFAULT_STORE = Path("kg-store")
UserOption = Annotated[str | None, typer.Option(
    "--user", "-u", help="User name on the SPARQL server.", envvar="KG_SPARQL_USER")]
PasswordOption = Annotated[str | None, typer.Option(
    "--password", help="Password of the user on the SPARQL server.",
    envvar="KG_SPARQL_PASSWORD")]


def _fail(message: str, code: int) -> typer.Exit:
    typer.echo(f"Error: {message}", err=True)
    return typer.Exit(code)


def _guard(func):
    """Translate library errors into messages and exit codes, in one place."""
    import functools

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except typer.Exit:
            raise
        except (InputError, QueryError, ExportError) as error:
            raise _fail(str(error), EXIT_BAD_INPUT) from None
        except (StoreError, ModelError, RemoteError) as error:
            raise _fail(str(error), EXIT_BAD_INPUT) from None
        except KGError as error:
            raise _fail(str(error), EXIT_INTERNAL) from None
        except KeyboardInterrupt:
            raise _fail("interrupted", EXIT_INTERNAL) from None
        except Exception as error:  # a bug: say so plainly, with the type
            message = f"internal error ({type(error).__name__}: {error})"
            raise _fail(message, EXIT_INTERNAL) from None

    return wrapper


class BuildProgress:
    """Each phase of a build as a line on stderr with rich: a bar, the rate and the time left
    when the total is known; otherwise the count so far and the rate."""

    UNITS: ClassVar[dict[str, str]] = {"reading and parsing": "articles", "loading": "graphs"}

    def __init__(self, console=None) -> None:
        from rich.console import Console
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self._progress = Progress(
            SpinnerColumn(), TextColumn("{task.description:<20}"),
            TextColumn("{task.fields[count]}"), TimeElapsedColumn(),
            TextColumn("{task.fields[eta]}"),
            console=console or Console(stderr=True),
        )
        self._task: TaskID | None = None
        self._started = False

    def phase(self, name: str, total: int | None = None) -> None:
        self._close_task()
        if not self._started:
            self._progress.start()
            self._started = True
        self._task = self._progress.add_task(name, total=total, count="", eta="")
        self._refresh()

    def advance(self, amount: int = 1) -> None:
        if self._task is not None:
            self._progress.advance(self._task, amount)
            self._refresh()

    def _refresh(self) -> None:
        if self._task is None:
            return
        task = self._progress.tasks[-1]
        done = int(task.completed)
        of = f"/{int(task.total)}" if task.total is not None else ""
        unit = self.UNITS.get(task.description, "")
        rate = f", {task.speed:.1f}/s" if task.speed and unit == "articles" else ""
        eta = f"ETA {task.time_remaining:.0f} s" if task.time_remaining is not None else ""
        count = f"{done}{of} {unit}{rate}" if done else ""
        self._progress.update(self._task, count=count, eta=eta)

    def _close_task(self) -> None:
        if self._task is not None:
            task = self._progress.tasks[-1]
            self._progress.update(self._task, total=task.completed or 1,
                                  completed=task.completed or 1, eta="")
            self._progress.stop_task(self._task)
            self._task = None

    def finish(self) -> None:
        self._close_task()
        if self._started:
            self._progress.stop()
            self._started = False


@app.command()
@_guard
def build(
    paths: Annotated[list[Path] | None, typer.Argument(
        help="Article files (.txt, .jsonl, .html) or folders; none to re-merge only.")] = None,
    store: StoreOption = DEFAULT_STORE,
    rebuild: Annotated[bool, typer.Option(
        help="Recompute the canonical events from all stored claims, forgetting earlier "
             "merge decisions and event identifiers.")] = False,
    clear: Annotated[bool, typer.Option(help="Empty the store before building.")] = False,
    model: Annotated[str | None, typer.Option(help="spaCy pipeline package to use.",
                                              envvar="KG_SPACY_MODEL")] = None,
    jobs: Annotated[int, typer.Option(
        min=1, help="Processes for the per-article work (parsing, extraction, RDF).")] = 1,
    scheduler: Annotated[str | None, typer.Option(
        help="Run the per-article work on the Dask cluster of this scheduler "
             "(tcp://HOST:PORT); this process loads, merges and validates.",
        envvar="KG_DASK_SCHEDULER")] = None,
    strict: Annotated[bool, typer.Option(help="Exit 2 if any article had to be skipped.")] = False,
    no_validate: Annotated[bool, typer.Option(
        "--no-validate", help="Skip SHACL validation.")] = False,
) -> None:
    """Read articles, extract events, merge reports of the same event, validate and store.

    The build is all or nothing: until it completes, the store holds the graph it held."""
    import atexit
    import gc

    from kg.build import build as run_build
    from kg.ingest import check_paths
    from kg.store import GraphStore

    # The process ends with the command: the collector's last pass over the model and the
    # graph at exit would only cost time (1.8 s of a MUC-4 dev build). The store is closed
    # by then, and so is every file the build wrote.
    atexit.unregister(gc.freeze)  # once, however many builds a process runs
    atexit.register(gc.freeze)

    if not paths and not rebuild:
        raise InputError("kg build", "give article files or folders (or --rebuild to re-merge)")
    check_paths(paths or [])  # a wrong path is named before a store folder is made
    graph_store = GraphStore(store)
    progress = BuildProgress() if sys.stderr.isatty() else None
    summary = run_build(paths or [], graph_store, model=model, rebuild=rebuild, clear=clear,
                        validate=not no_validate, n_process=jobs, scheduler=scheduler,
                        progress=progress)
    for problem in summary.skipped:
        typer.echo(f"skipped: {problem}", err=True)
    replaced = f" ({summary.replaced} replaced)" if summary.replaced else ""
    typer.echo(
        f"store: {summary.store}\n"
        f"articles read: {summary.articles_read}{replaced}, skipped: {len(summary.skipped)}\n"
        f"event claims: {summary.claims}, canonical events: {summary.canonical_events}\n"
        f"triples in store: {summary.triples}\n"
        f"uncoded event mentions (logged in the graph): {summary.uncoded}\n"
        f"time: {summary.seconds:.1f} s"
    )
    if summary.report is not None:
        typer.echo(summary.report.to_text(limit=20))
    if strict and summary.skipped:
        raise typer.Exit(EXIT_BAD_INPUT)
    if summary.articles_read == 0 and summary.skipped:
        raise typer.Exit(EXIT_BAD_INPUT)
    if summary.report is not None and not summary.report.conforms:
        raise typer.Exit(EXIT_NONCONFORMING)


class ReportFormat(StrEnum):
    text = "text"
    json = "json"
    turtle = "turtle"


@app.command()
@_guard
def validate(
    store: StoreOption = DEFAULT_STORE,
    format: Annotated[ReportFormat, typer.Option("--format", "-f")] = ReportFormat.text,
) -> None:
    """Validate the stored graph against the SHACL shapes (exit 1 when it does not conform)."""
    from kg.build import validate_store
    from kg.store import GraphStore

    report = validate_store(GraphStore(store, read_only=True))
    if format is ReportFormat.json:
        typer.echo(report.to_json())
    elif format is ReportFormat.turtle:
        typer.echo(report.to_turtle())
    else:
        typer.echo(report.to_text())
    if not report.conforms:
        raise typer.Exit(EXIT_NONCONFORMING)


class ResultFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


def _render(results, fmt: ResultFormat) -> str:
    import pyoxigraph as ox

    if isinstance(results, ox.QueryBoolean):
        if fmt is ResultFormat.json:
            return json.dumps({"boolean": bool(results)})
        return str(bool(results)).lower()
    if isinstance(results, ox.QueryTriples | list):  # a list: a server's CONSTRUCT
        return "\n".join(f"{t.subject} {t.predicate} {t.object} ." for t in results)
    variables = [v.value for v in results.variables]
    rows = [[None if row[v] is None else row[v].value for v in variables] for row in results]
    if fmt is ResultFormat.json:
        return json.dumps([dict(zip(variables, r, strict=True)) for r in rows], indent=2,
                          ensure_ascii=False)
    if fmt is ResultFormat.csv:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(variables)
        writer.writerows([["" if v is None else v for v in r] for r in rows])
        return out.getvalue().rstrip("\n")
    cells = [variables] + [["" if v is None else _shorten(v) for v in r] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(variables))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
             for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append(f"({len(rows)} rows)")
    return "\n".join(lines)


def _shorten(value: str) -> str:
    for prefix, short in (("https://w3id.org/conflict-kg/id/", "kgid:"),
                          ("https://w3id.org/conflict-kg/ontology#", "ce:"),
                          ("https://w3id.org/conflict-kg/event-type/", "et:")):
        if value.startswith(prefix):
            return short + value[len(prefix):]
    return value


@app.command()
@_guard
def query(
    file: Annotated[Path | None, typer.Argument(help="A SPARQL query file (.rq).")] = None,
    store: StoreOption = DEFAULT_STORE,
    format: Annotated[ResultFormat, typer.Option("--format", "-f")] = ResultFormat.table,
    named: Annotated[str | None, typer.Option(
        "--named", "-n", help="Run a named question instead of a file (see --list).")] = None,
    param: Annotated[list[str] | None, typer.Option(
        "--param", "-p", help="A parameter of the question as name=value; repeat it.")] = None,
    list_named: Annotated[bool, typer.Option(
        "--list", help="List the named questions and their parameters.")] = False,
    print_only: Annotated[bool, typer.Option(
        "--print", help="Print the query with its parameters bound instead of running it.")
    ] = False,
    endpoint: Annotated[str | None, typer.Option(
        "--endpoint", "-e", metavar="URL",
        help="Run it on this SPARQL server (its query endpoint) instead of the store.")] = None,
    user: UserOption = None,
    password: PasswordOption = None,
) -> None:
    """Run a SPARQL query file or a named question over the store (all graphs as the default
    graph), or on a SPARQL server with --endpoint."""
    from kg.queries import bind, list_queries, parse_assignments
    from kg.store import GraphStore

    if list_named:
        typer.echo(_render_named(list_queries(), format))
        return
    if (file is None) == (named is None):
        raise _fail("give either a query file or --named NAME (see kg query --list)",
                    EXIT_BAD_INPUT)
    if param and named is None:
        raise _fail("--param goes with --named", EXIT_BAD_INPUT)
    if named is not None:
        text = bind(named, parse_assignments(param or []))
    else:
        assert file is not None
        if not file.is_file():
            raise InputError(str(file), "no such query file")
        text = file.read_text(encoding="utf-8")
    if print_only:  # the store is not opened: the text runs anywhere, as printed
        typer.echo(text.rstrip("\n"))
        return
    if endpoint is not None:
        from kg.remote import Server, run_query

        answer = run_query(Server(endpoint, user=user, password=password), text)
        typer.echo(_render(answer.results, format))
        if answer.max_rows is not None:
            typer.echo(f"note: the server cut the answer at {answer.max_rows} rows", err=True)
        return
    results = GraphStore(store, read_only=True).query(text)
    typer.echo(_render(results, format))


def _render_named(queries, fmt: ResultFormat) -> str:
    if fmt is ResultFormat.json:
        return json.dumps([q.as_dict() for q in queries], indent=2, ensure_ascii=False)
    lines = []
    for q in queries:
        lines.append(f"{q.name}  (question {q.question}) {q.title}")
        for p in q.params:
            if p.required:
                note = "required"
            elif p.default is not None:
                note = f"default {p.default}"
            else:
                note = f"left out: {p.default_text}"
            lines.append(f"    --param {p.name}=<{p.type}>  {p.meaning} ({note})")
    return "\n".join(lines)


@app.command()
@_guard
def push(
    endpoint: Annotated[str, typer.Option(
        "--endpoint", "-e", metavar="URL",
        help="The server's SPARQL query endpoint, such as http://127.0.0.1:8890/sparql.")],
    store: StoreOption = DEFAULT_STORE,
    graph_store: Annotated[str | None, typer.Option(
        "--graph-store", metavar="URL",
        help="The server's SPARQL 1.1 Graph Store endpoint (found by itself for Virtuoso).")
    ] = None,
    user: UserOption = None,
    password: PasswordOption = None,
) -> None:
    """Write the store's graphs, named graphs kept, to a SPARQL server (one Graph Store PUT per
    graph); graphs of the project's namespace that the store no longer has are deleted there."""
    from kg.remote import Server
    from kg.remote import push as run_push
    from kg.store import GraphStore

    server = Server(endpoint, graph_store=graph_store, user=user, password=password)
    summary = run_push(GraphStore(store, read_only=True), server)
    typer.echo(summary.to_text())


@app.command()
@_guard
def export(
    format: Annotated[str, typer.Option(
        "--format", "-f",
        help="trig, nquads, turtle, ntriples, jsonld; events-jsonl, csv, geojson; "
             "graphml, gexf, cytoscape (actor view); graphml-events, gexf-events, "
             "cytoscape-events (event-centred view)")],
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write.")],
    store: StoreOption = DEFAULT_STORE,
    claims: Annotated[bool, typer.Option(
        help="Event exports: per-article claims instead of canonical events.")] = False,
    view: Annotated[str, typer.Option(
        help="events-jsonl codebook: native (ACLED's) or muc4 (MUC-4's narrower one).")]
        = "native",
) -> None:
    """Export the graph for other tools."""
    from kg.export import counted
    from kg.export import export as run_export
    from kg.export.muc4 import VIEWS
    from kg.store import GraphStore

    if view not in VIEWS:
        raise InputError("--view", f"unknown view {view!r} (choose from {', '.join(VIEWS)})")
    if not output.parent.is_dir():
        raise InputError(str(output), f"no such folder to write into: {output.parent}")
    source = GraphStore(store, read_only=True)
    try:
        count = run_export(source, format, output, claims=claims, view=view)
    except (IsADirectoryError, PermissionError) as error:
        raise InputError(str(output), f"cannot write the file ({error.strerror})") from None
    typer.echo(f"wrote {output} ({format}, {count} {counted(format)})")


@app.command()
@_guard
def serve(
    store: StoreOption = DEFAULT_STORE,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port to listen on.")] = 8000,
    timeout: Annotated[float, typer.Option(
        min=0.1, help="Stop a query after this many seconds.")] = 30.0,
    max_rows: Annotated[int, typer.Option(
        min=1, help="Return at most this many rows or triples per query.")] = 10000,
    workers: Annotated[int, typer.Option(min=1, help="Queries that run at once.")] = 2,
    memory: Annotated[int, typer.Option(
        min=16, help="MB of memory a query may use; past it, it is stopped.")] = 1024,
    queue: Annotated[int, typer.Option(
        min=0, help="Queries that may wait for a free worker; more get 503.")] = 8,
    cors: Annotated[list[str] | None, typer.Option(
        "--cors", metavar="ORIGIN",
        help="Let web pages from ORIGIN (scheme://host:port, or *) read answers; repeat it.")
    ] = None,
) -> None:
    """Serve the store read-only as a SPARQL 1.1 endpoint at /sparql, with a query page at /."""
    from kg.serve import ServeConfig, parse_origin
    from kg.serve import serve as run_server

    config = ServeConfig(store=store, timeout=timeout, max_rows=max_rows, workers=workers,
                         memory=memory, queue=queue,
                         cors=tuple(parse_origin(origin) for origin in cors or []))
    run_server(config, host=host, port=port)


class EvalMode(StrEnum):
    muc = "muc"
    fields = "fields"
    acled = "acled"


@app.command()
@_guard
def evaluate(
    gold: Annotated[Path, typer.Argument(help="Gold JSONL in the document format of FORMAT.md.")],
    mode: Annotated[EvalMode | None, typer.Option(
        help="Scoring mode (default: the scorer's choice for the gold file).")] = None,
    scorer: Annotated[Path | None, typer.Option(
        help="The reference scorer score.py (default: ../shared/eval/score.py).")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o",
                                                help="Also keep the predictions here.")] = None,
    model: Annotated[str | None, typer.Option(help="spaCy pipeline package to use.",
                                              envvar="KG_SPACY_MODEL")] = None,
    canonical: Annotated[bool, typer.Option(
        help="Score the canonical (merged) events instead of per-article claims.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
) -> None:
    """Run the pipeline over gold articles and print the reference scorer's report."""
    from kg.evaluate import ScorerNotFound
    from kg.evaluate import evaluate as run_evaluate

    try:
        result = run_evaluate(gold, mode.value if mode else None, scorer=scorer,
                              predictions=output, model=model, claims=not canonical)
    except ScorerNotFound as error:
        raise InputError(str(scorer or "score.py"), str(error)) from None
    if as_json:
        typer.echo(json.dumps(result.scores, indent=1, sort_keys=True, default=str))
    else:
        typer.echo(result.report.rstrip("\n"))


@app.command()
@_guard
def info(store: StoreOption = DEFAULT_STORE) -> None:
    """Versions of the package, the spaCy model and the ontology; what the store holds: articles,
    events, their dates, countries, types and sources, and the last build."""
    import kg
    from kg.nlp.pipeline import model_name
    from kg.rdf.namespace import ONTOLOGY_VERSION
    from kg.resources import resource_origin
    from kg.store import GraphStore

    typer.echo(f"conflict-kg {kg.__version__}")
    typer.echo(f"ontology {ONTOLOGY_VERSION} (resources: {resource_origin()})")
    try:
        import spacy

        name = model_name()
        meta = spacy.info(name) if name else {}
        version = meta.get("version", "?") if isinstance(meta, dict) else "?"
        typer.echo(f"spaCy {spacy.__version__}, model {name} {version}")
    except Exception as error:  # the model may be missing; info still reports the rest
        typer.echo(f"spaCy model: not loadable ({error})")
    if store.exists():
        from kg.info import store_summary

        typer.echo(store_summary(GraphStore(store, read_only=True)).to_text())
    else:
        typer.echo(f"store {store}: not built yet")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
