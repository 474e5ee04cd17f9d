"""What the benchmarks that time ``kg build`` share: the build run as a whole process that
notes when it enters each phase, its wall time and peak memory, and the machine it ran on.

The scripts import it as a sibling module (``python benchmarks/throughput.py`` puts this
folder first on ``sys.path``).
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from itertools import pairwise
from pathlib import Path

START, EXIT = "start-up", "exit"


class PhaseRecorder:
    """A ``kg.build.Progress`` that notes when each phase starts, and nothing else."""

    def __init__(self, out: str) -> None:
        self.out, self.marks = out, [(START, time.time())]

    def phase(self, name: str, total: int | None = None) -> None:
        self.marks.append((name, time.time()))

    def advance(self, amount: int = 1) -> None:
        pass

    def finish(self) -> None:
        self.marks.append((EXIT, time.time()))
        Path(self.out).write_text(json.dumps(self.marks), encoding="utf-8")


def recorded_build(arguments: list[str], out: str) -> None:
    """``kg build ARGUMENTS`` as the command line runs it, with a :class:`PhaseRecorder`
    writing the phases to ``out`` (run this in the child process)."""
    import importlib

    module = importlib.import_module("kg.build")  # the package's ``kg.build`` is the function
    recorder = PhaseRecorder(out)
    original = module.build

    def recorded(*args, **kwargs):  # the command passes no progress when stderr is no tty
        kwargs["progress"] = recorder
        return original(*args, **kwargs)

    module.build = recorded  # kg.cli imports it from the module when the command runs
    from kg.cli import main

    sys.argv = ["kg", "build", *arguments]
    main()


def run_process(
    command: list[str], env: dict[str, str] | None = None
) -> tuple[float, float, int, str]:
    """Run ``command``: its wall time from start to exit, its peak resident memory (MB; the
    largest of the process and its children), its exit code and its output."""
    env = {**os.environ, "PYTHONHASHSEED": "0", **(env or {})}
    with tempfile.TemporaryFile() as log:
        started = time.time()
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
        _, status, usage = os.wait4(process.pid, 0)  # the child's own rusage: its peak
        seconds = time.time() - started
        log.seek(0)
        output = log.read().decode(errors="replace")
    return seconds, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status), output


def phases(marks: list[list], started: float, ended: float) -> list[tuple[str, float]]:
    """Seconds per phase, from the recorded phase starts; start-up runs from the process
    start (the recorder is made once kg is imported) to the first phase, exit from the end
    of the build to the end of the process."""
    points = [(START, started)] + [(name, t) for name, t in marks[1:]] + [("", ended)]
    stages: dict[str, float] = {}
    for (name, t), (_, following) in pairwise(points):
        stages[name] = stages.get(name, 0.0) + following - t
    return list(stages.items())


def machine() -> str:
    """Cores, processor, memory, system and Python of this machine."""
    cpu = platform.processor() or platform.machine()
    memory = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        total = next(
            line.split()[1]
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        memory = f", {int(total) / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration):
        pass
    return (
        f"{os.cpu_count()} cores ({cpu}){memory}, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}"
    )
