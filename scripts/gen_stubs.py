"""Generate python/ragkernel/_core.pyi from the built extension with pybind11-stubgen.

`make stubs` writes the file; tests/python/test_stubs.py fails when the committed file differs
from what this script generates, so the stubs never drift from the module.
"""

from __future__ import annotations

import pathlib
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
TARGET = ROOT / "python" / "ragkernel" / "_core.pyi"


def generate() -> str:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pybind11_stubgen",
                "ragkernel._core",
                "-o",
                tmp,
                "--numpy-array-use-type-var",
            ],
            check=True,
            capture_output=True,
        )
        text = (pathlib.Path(tmp) / "ragkernel" / "_core.pyi").read_text()
    # Format like the rest of the package so `ruff format --check` stays quiet.
    formatted = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--stdin-filename", "_core.pyi", "-"],
        input=text,
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return formatted.stdout


if __name__ == "__main__":
    TARGET.write_text(generate())
    print(f"wrote {TARGET.relative_to(ROOT)}")
