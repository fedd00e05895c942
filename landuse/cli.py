"""The ``landuse`` command (docs/contract.md §1), built with typer.

Exit codes: 0 success; 2 bad input or config (one message on stderr, no traceback unless
``--debug``); 3 an internal error; 4 only with ``--fail-on-violation`` when a redline
check found violations. Progress goes to stderr, only when it is a terminal; ``--quiet``
silences everything but errors.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Final

import typer

from landuse.errors import LanduseError
from landuse.findings import Finding

if TYPE_CHECKING:
    from landuse.config import Config

__all__ = ["EXIT_BAD_INPUT", "EXIT_INTERNAL", "EXIT_OK", "EXIT_VIOLATION", "app", "main"]

EXIT_OK: Final = 0
EXIT_BAD_INPUT: Final = 2
EXIT_INTERNAL: Final = 3
EXIT_VIOLATION: Final = 4

app = typer.Typer(
    name="landuse",
    help="County land-resource supervision: 三调 indicators, 三区三线 redline checks, reports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain click help: flags without a "<bool>" value column
)
log = logging.getLogger("landuse")

ConfigArg = Annotated[Path, typer.Argument(help="The run config (TOML, docs/contract.md §2).",
                                           show_default=False)]
OutOpt = Annotated[Path, typer.Option("--out", "-o", help="Output folder (created or updated "
                                      "only when the run succeeds).", show_default=False)]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show tracebacks and debug logging.")]


def _err(message: str) -> None:
    typer.echo(message, err=True)


def _setup_logging(*, quiet: bool, debug: bool) -> None:
    level = logging.DEBUG if debug else logging.ERROR if quiet else logging.WARNING
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    log.handlers[:] = [handler]
    log.setLevel(level)
    log.propagate = False
    logging.captureWarnings(True)
    pywarn = logging.getLogger("py.warnings")
    pywarn.handlers[:] = [] if quiet else [handler]
    pywarn.propagate = False


@contextmanager
def _guard(*, debug: bool) -> Iterator[None]:
    """Map exceptions to exit codes: LanduseError -> 2, anything else -> 3."""
    try:
        yield
    except typer.Exit:
        raise
    except LanduseError as exc:
        if debug:
            traceback.print_exc()
        _err(f"错误 error: {exc}")
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except KeyboardInterrupt:
        _err("中断 interrupted; no output was written")
        raise typer.Exit(130) from None
    except Exception as exc:  # an internal error: report it as such, exit 3
        if debug:
            traceback.print_exc()
        _err(f"内部错误 internal error ({type(exc).__name__}: {exc}). This is a bug in landuse, "
             "not in your data: rerun with --debug and report the traceback.")
        raise typer.Exit(EXIT_INTERNAL) from None


@contextmanager
def _progress(*, quiet: bool) -> Iterator[Callable[[str, int, int], None] | None]:
    """Yield a rich progress callback on a terminal stderr (not quiet), else None."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description:<40}"), BarColumn(),
                  TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(),
                  console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("landuse", total=1)

        def update(step: str, done: int, total: int) -> None:
            bar.update(task, description=step, completed=done, total=total)

        yield update


def _version(value: bool) -> None:
    if value:
        from landuse.version import __version__

        typer.echo(f"landuse {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """County land-resource supervision: 三调 indicators, redline checks and reports."""


#: What the CLI counts, stated in its output (one definition each, see docs/reliability.md).
VIOLATION_DEFINITION: Final = "rows of redlines.csv whose status is violation"


def _redline_counts(result: object) -> str:
    from landuse.run import RunResult

    assert isinstance(result, RunResult)
    return (f"{len(result.redlines)} redline row(s) in redlines.csv, of which "
            f"{result.violation_count} violation(s) 违规 ({VIOLATION_DEFINITION})")


def _finding_counts(findings: list[Finding], *, reading: int | None = None) -> str:
    """``N data-quality finding(s) (W warnings, I info)``, split by origin when known."""
    warn = sum(f.severity != "info" for f in findings)
    text = (f"{len(findings)} data-quality finding(s) 数据质量发现 ({warn} warning, "
            f"{len(findings) - warn} info")
    if reading is not None:
        text += (f"; {reading} from reading the inputs, as `landuse check` counts them, "
                 f"{len(findings) - reading} from the computations")
    return text + ")"


def _summary(result: object, out: Path) -> str:
    from landuse.run import RunResult

    assert isinstance(result, RunResult)
    rows = result.indicators
    status = rows["status"].value_counts() if len(rows) else {}
    return (f"完成 done: {len(rows)} indicator rows (达标 met {status.get('met', 0)}, "
            f"未达标 not met "
            f"{status.get('not_met', 0)}, 无法计算 not computable "
            f"{status.get('not_computable', 0)}); {_redline_counts(result)}; "
            f"{_finding_counts(result.findings, reading=result.input_findings)}. "
            f"Outputs in {out}")


def _print_findings(findings: list[Finding], *, limit: int = 20, info: bool = False) -> None:
    """Print one line per finding on stderr: warnings, and info ones too with ``info``.

    ``check`` passes ``info``: it writes no output where info findings could be read.
    """
    shown = [f for f in findings if info or f.severity != "info"]
    for f in shown[:limit]:
        word = "说明 info" if f.severity == "info" else "警告 warning"
        _err(f"{word} [{f.code}] {f.message} ({f.count})")
    if len(shown) > limit:
        _err(f"… {len(shown) - limit} more" + ("" if info else
                                               ": see provenance.warnings in indicators.json"))


def _fail_on_violation(result: object, out: Path) -> None:
    """Exit 4 with the reason (printed also under --quiet) when violations were found."""
    from landuse.run import RunResult

    assert isinstance(result, RunResult)
    if result.violation_count:
        _err(f"违规 violations: {_redline_counts(result)}; see {out / 'redlines.csv'}. "
             "Exit 4 because of --fail-on-violation")
        raise typer.Exit(EXIT_VIOLATION)


def _font_notice(result: object) -> None:
    """Say once on stderr when no CJK font draws the report's Chinese map labels."""
    from landuse.report.maps import cjk_font

    if cjk_font() is None:
        _err("注意 note: no Chinese (CJK) font is installed, so the report's maps label in "
             "English and codes; install one (Debian: apt-get install fonts-noto-cjk)")


def _run_region(cfg: Config, out: Path, *, year: int | None, quiet: bool) -> None:
    """Run a region config; exit 2 naming the failed counties after the others are written."""
    from landuse.run import run_region

    result = run_region(cfg, out=out, year=year)
    table = result.counties
    ok = int((table["status"] == "ok").sum())
    if not quiet:
        _err(f"完成 done: {ok} of {len(table)} counties written to {out}/<code>/; city "
             f"roll-up in {out / 'city_indicators.csv'}")
    if result.errors:
        failed = ", ".join(f"{e.get('code') or Path(str(e.get('source', ''))).name} "
                           f"({e.get('error_kind')})" for e in result.errors)
        _err(f"错误 error: {len(result.errors)} county run(s) failed: {failed}. The other "
             f"counties' outputs are written; each failure's message is in "
             f"{out / 'region_errors.json'}")
        raise typer.Exit(EXIT_BAD_INPUT)


@app.command()
def run(
    config: ConfigArg,
    out: OutOpt,
    year: Annotated[int | None, typer.Option(help="Report year (overrides region.year).")] = None,
    quiet: QuietOpt = False,
    fail_on_violation: Annotated[bool, typer.Option(
        "--fail-on-violation", help="Exit 4 when a redline check found violations.")] = False,
    debug: DebugOpt = False,
) -> None:
    """Compute every indicator, redline check and report; write them to --out.

    With region.counties in the config: one output set per county under
    --out/<code>/ plus the city roll-up, on the dask cluster at options.scheduler.
    """
    _setup_logging(quiet=quiet, debug=debug)
    with _guard(debug=debug):
        from landuse.config import load_config
        from landuse.run import run as run_

        cfg = load_config(config)
        if cfg.is_region:
            _run_region(cfg, out, year=year, quiet=quiet)
            return
        with _progress(quiet=quiet) as progress:
            result = run_(cfg, out=out, year=year, progress=progress)
        if not quiet:
            _print_findings(result.findings)
            _font_notice(result)
            _err(_summary(result, out))
        if fail_on_violation:
            _fail_on_violation(result, out)


@app.command()
def check(config: ConfigArg, quiet: QuietOpt = False, debug: DebugOpt = False) -> None:
    """Validate the config and every input (schema, CRS, codes, geometry); write nothing."""
    _setup_logging(quiet=quiet, debug=debug)
    with _guard(debug=debug):
        from landuse.run import check as check_

        with _progress(quiet=quiet) as progress:
            findings = check_(config, progress=progress)
        if not quiet:
            _print_findings(findings, info=True)
            _err(f"检查通过 check passed: {config} is valid; {_finding_counts(findings)} from "
                 "reading the inputs")


@app.command()
def redlines(
    config: ConfigArg, out: OutOpt, quiet: QuietOpt = False,
    fail_on_violation: Annotated[bool, typer.Option(
        "--fail-on-violation", help="Exit 4 when a redline check found violations.")] = False,
    debug: DebugOpt = False,
) -> None:
    """Run the redline checks only; write redlines.gpkg and redlines.csv to --out."""
    _setup_logging(quiet=quiet, debug=debug)
    with _guard(debug=debug):
        from landuse.run import run_redlines

        with _progress(quiet=quiet) as progress:
            result = run_redlines(config, out=out, progress=progress)
        if not quiet:
            _print_findings(result.findings)
            _err(f"完成 done: {_redline_counts(result)}; "
                 f"{_finding_counts(result.findings, reading=result.input_findings)}. "
                 f"Outputs in {out}")
        if fail_on_violation:
            _fail_on_violation(result, out)


#: Output formats of ``txt2vec``, by extension (the writer picks the driver from it).
TXT2VEC_SUFFIXES: Final = (".gpkg", ".geojson", ".fgb", ".shp")


@contextmanager
def _findings_of_warnings(*, quiet: bool) -> Iterator[list[Finding]]:
    """Turn the warnings raised inside into findings, printed like ``landuse run`` does.

    Readers emit their findings as LanduseWarnings; without this block Python would print
    them with internal file paths and source lines.
    """
    import warnings

    found: list[Finding] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield found
    seen: set[str] = set()
    for w in caught:
        message = str(w.message)
        if message not in seen:
            seen.add(message)
            found.append(Finding(code=w.category.__name__, message=message, count=1))
    if not quiet:
        _print_findings(found)


@app.command()
def tables(
    config: ConfigArg, out: OutOpt,
    villages: Annotated[bool, typer.Option(
        "--villages", help="Also list every village (ZLDWDM[:12]).")] = False,
    quiet: QuietOpt = False, debug: DebugOpt = False,
) -> None:
    """Write the 三调 summary tables and the 主要数据公报 (survey_tables/, bulletin) to --out."""
    _setup_logging(quiet=quiet, debug=debug)
    with _guard(debug=debug):
        from landuse.run.tables import run_tables

        st = run_tables(config, out=out, villages=villages)
        if not quiet:
            _print_findings(st.findings)
            _err(f"完成 done: {len(st.tables)} survey table(s) ({', '.join(st.tables)}), "
                 f"survey_tables.xlsx, bulletin.md and bulletin.docx in {out}")


@app.command()
def txt2vec(
    src: Annotated[Path, typer.Argument(metavar="IN", help="Boundary-point TXT file.")],
    dst: Annotated[Path, typer.Argument(
        metavar="OUT", help=f"Vector file ({', '.join(TXT2VEC_SUFFIXES)}).")],
    quiet: QuietOpt = False, debug: DebugOpt = False,
) -> None:
    """Convert a boundary-point TXT file (界址点坐标) to a vector file."""
    _setup_logging(quiet=quiet, debug=debug)
    with _guard(debug=debug):
        if dst.suffix.lower() not in TXT2VEC_SUFFIXES:
            from landuse.errors import InputFileError

            raise InputFileError(
                f"{dst}: unknown output format {dst.suffix or '(no extension)'!r}; give a file "
                f"ending in one of {', '.join(TXT2VEC_SUFFIXES)} (GeoPackage, GeoJSON, "
                "FlatGeobuf, Shapefile)")
        from landuse.io.boundary_txt import txt_to_vector

        with _findings_of_warnings(quiet=quiet):
            txt_to_vector(src, dst)
        if not quiet:
            _err(f"完成 done: {src} -> {dst}")


@app.command()
def vec2txt(
    src: Annotated[Path, typer.Argument(metavar="IN", help="Vector file of parcels.")],
    dst: Annotated[Path, typer.Argument(metavar="OUT", help="Boundary-point TXT file.")],
    layer: Annotated[str | None, typer.Option(
        help="Layer of IN to convert (required when IN holds several).")] = None,
    quiet: QuietOpt = False, debug: DebugOpt = False,
) -> None:
    """Convert a vector file of parcels to a boundary-point TXT file (界址点坐标)."""
    _setup_logging(quiet=quiet, debug=debug)
    with _guard(debug=debug):
        import pyogrio

        from landuse.errors import InputFileError
        from landuse.io import layer_names
        from landuse.io.boundary_txt import vector_to_txt

        try:
            layers = layer_names(src) if src.exists() else []
        except pyogrio.errors.DataSourceError:
            layers = []  # the converter names the unreadable file
        if layer is None and len(layers) > 1:
            raise InputFileError(
                f"{src} holds {len(layers)} layers ({', '.join(layers)}); say which one to "
                "convert with --layer NAME")
        chosen = layer if layer is not None else (layers[0] if layers else None)
        with _findings_of_warnings(quiet=quiet):
            vector_to_txt(src, dst, layer=chosen)
        if not quiet:
            _err(f"完成 done: {src} layer {chosen} -> {dst}")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port (0: a free port, printed).")] = 8000,
    data_root: Annotated[Path | None, typer.Option(
        help="The only folder requests may read from.")] = None,
    api_key: Annotated[str | None, typer.Option(
        envvar="LANDUSE_API_KEY", help="Require this value in the X-API-Key header.")] = None,
    api_keys: Annotated[Path | None, typer.Option(
        envvar="LANDUSE_API_KEYS", help="File of client keys, one 'client-name key' per "
        "line; each job belongs to its client.")] = None,
    max_upload_bytes: Annotated[int, typer.Option(
        help="Largest request body, in bytes.")] = 10 * 1024 * 1024,
    work_dir: Annotated[Path | None, typer.Option(
        help="Folder for job outputs (default: a temporary folder).")] = None,
    url: Annotated[str | None, typer.Option(
        help="Public base URL, when served behind a reverse proxy.")] = None,
    threads: Annotated[int, typer.Option(
        min=1, help="Request threads (concurrent synchronous requests).")] = 8,
    max_jobs: Annotated[int, typer.Option(
        min=1, help="Annual-run jobs running at once (each in its own process).")] = 2,
    max_queued: Annotated[int, typer.Option(
        min=0, help="Annual runs that may wait for a slot; more get 503.")] = 4,
    max_vertices: Annotated[int, typer.Option(
        min=4, help="Most positions of a check-new-right geometry (413 above).")] = 100_000,
    max_upload_disk: Annotated[int, typer.Option(
        min=1, help="Bytes the unpacked uploads of queued and running jobs may take.")
    ] = 2 * 1024**3,
    open_jobs: Annotated[bool, typer.Option(
        "--open", help="Without API keys, allow listing and deleting every job.")] = False,
    cors_origin: Annotated[list[str] | None, typer.Option(
        help="Origin of a browser page allowed to call the service (repeatable).")] = None,
    show_version: Annotated[bool, typer.Option(
        help="Show versions in headers and pages.")] = False,
    debug: DebugOpt = False,
) -> None:
    r"""Serve the toolkit as OGC API - Processes (needs the extra landuse\[serve])."""
    _setup_logging(quiet=False, debug=debug)
    with _guard(debug=debug):
        try:
            import landuse.serve as serve_mod
        except ModuleNotFoundError as exc:
            if not (exc.name or "").startswith(("landuse.serve", "pygeoapi")):
                raise
            _err("landuse serve needs the extra landuse[serve] (pip install \"landuse[serve]\"); "
                 f"it is not installed here ({exc.name} missing).")
            raise typer.Exit(EXIT_BAD_INPUT) from None
        entry = getattr(serve_mod, "serve", None)
        if entry is None:
            _err("this version of landuse.serve has no serve() entry point")
            raise typer.Exit(EXIT_INTERNAL)
        entry(host=host, port=port, data_root=data_root, api_key=api_key, api_keys=api_keys,
              max_upload_bytes=max_upload_bytes, work_dir=work_dir, url=url,
              threads=threads, max_jobs=max_jobs, max_queued=max_queued,
              max_vertices=max_vertices, upload_disk_bytes=max_upload_disk,
              open_jobs=open_jobs, cors_origins=cors_origin or (),
              show_version=show_version)


def main() -> None:
    """Entry point of the ``landuse`` console script."""
    app(prog_name="landuse")


if __name__ == "__main__":  # python -m landuse.cli
    main()
