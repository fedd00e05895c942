"""Run one case of the catalogue through ``landuse check`` and ``landuse run``; judge it.

Used by ``test_catalogue.py`` (one test per case) and by ``figures.py`` (the counts of
docs/reliability.md). The CLI runs in-process through typer's CliRunner, with Python's
default warning filters, as in a ``landuse`` process.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from typer.testing import CliRunner

from landuse.cli import app
from tests.bad_inputs import mutate as m
from tests.bad_inputs.cases import Case

__all__ = ["Outcome", "run_case"]

_OLD = {"keep.txt": "not landuse's", "indicators.json": "{\"old\": true}"}


@dataclass
class Outcome:
    """What the two commands did with one case."""

    case: Case
    codes: dict[str, int] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    inputs_modified: bool = False
    out_intact: bool | None = None  # after a failed run; None when the run succeeded

    @property
    def handled(self) -> bool:
        return not self.problems

    @property
    def silent_wrong(self) -> bool:
        """Exit 0 where the case needed exit 2 or a finding it did not get."""
        return any(c == 0 for c in self.codes.values()) and not self.handled

    @property
    def internal_error(self) -> bool:
        return any(c not in (0, 2) for c in self.codes.values())


def _digest(folder: Path, skip: set[str]) -> dict[str, str]:
    out = {}
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder)
        if (rel.parts[0] in skip or rel.parts[0].startswith(".out.")
                or p.is_symlink() or not p.is_file()):
            continue
        out[rel.as_posix()] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def _finding_seen(code: str, output: str, out: Path | None) -> bool:
    if f"[{code}]" in output:
        return True
    if out is not None and (out / "indicators.json").is_file():
        doc = json.loads((out / "indicators.json").read_text(encoding="utf-8"))
        # every finding, info included, is in provenance.findings
        return any(f.get("code") == code for f in doc["provenance"].get("findings", []))
    return False


def _invoke(args: list[str]) -> tuple[int, str]:
    with warnings.catch_warnings():
        warnings.resetwarnings()  # the filters of a landuse process, not pytest's "error"
        result = CliRunner().invoke(app, args)
    return result.exit_code, result.output


def run_case(case: Case, base: Path, work: Path) -> Outcome:
    """Copy ``base`` into ``work``, break it with the case, run both commands, judge."""
    folder = work / case.name
    shutil.copytree(base, folder, symlinks=True)
    if case.full:
        m.config(folder, full=True)
    with warnings.catch_warnings():  # making a layer without CRS is the point of a case
        warnings.filterwarnings("ignore", message="'crs' was not provided")
        case.build(folder)
    config = folder / "config.toml"
    out = folder / "out"
    if case.extra.get("out_file"):
        out.write_text("a file, not a folder", encoding="utf-8")
    else:
        out.mkdir()
        for name, text in _OLD.items():
            (out / name).write_text(text, encoding="utf-8")
    before = _digest(folder, {"out"})
    got = Outcome(case)
    for command in case.commands:
        args = [command, str(config)]
        if command == "run":
            args += ["--out", str(out), *case.run_args]
        if case.extra.get("hold_lock") and command == "run":
            from landuse.report.outputs import output_lock

            with output_lock(out):
                code, text = _invoke(args)
        else:
            code, text = _invoke(args)
        got.codes[command] = code
        got.outputs[command] = text
        _judge(case, command, code, text, folder, out if command == "run" else None, got)
    got.inputs_modified = _digest(folder, {"out"}) != before
    if got.inputs_modified:
        got.problems.append("inputs modified")
    return got


def _judge(case: Case, command: str, code: int, text: str, folder: Path, out: Path | None,
           got: Outcome) -> None:
    if "Traceback" in text:
        got.problems.append(f"{command}: a traceback was printed")
    if code != case.exit:
        got.problems.append(f"{command}: exit {code}, expected {case.exit}: {text[-800:]}")
        return
    if case.exit == 2:
        if case.expect not in text:
            got.problems.append(f"{command}: message lacks {case.expect!r}: {text[-800:]}")
        if out is not None:
            intact = _out_intact(case, out)
            got.out_intact = intact
            if not intact:
                got.problems.append("run: --out was changed by a failed run")
        return
    if case.expect and not _finding_seen(case.expect, text, out):
        got.problems.append(f"{command}: finding {case.expect!r} not reported: {text[-800:]}")
    if out is not None:
        if (out / "keep.txt").read_text(encoding="utf-8") != _OLD["keep.txt"]:
            got.problems.append("run: a file in --out that is not landuse's was changed")
        if case.verify is not None:
            try:
                case.verify(folder, out)
            except AssertionError as exc:
                got.problems.append(f"run: wrong figure: {exc}")


def _out_intact(case: Case, out: Path) -> bool:
    leftovers = [p.name for p in out.parent.iterdir()
                 if p.name.startswith((".out.tmp-", ".out.lock"))]
    if leftovers:
        return False
    if case.extra.get("out_file"):
        return out.read_text(encoding="utf-8") == "a file, not a folder"
    return ({p.name: p.read_text(encoding="utf-8") for p in out.iterdir()} == _OLD)
