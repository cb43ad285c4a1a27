"""Build info, the SIMD override environment variable and the self-check."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

import ragkernel as rk


def test_build_info_reports_the_engine() -> None:
    info = rk.build_info()
    assert info["version"] == rk.__version__
    assert info["compiled_simd"][0] == "scalar"
    assert set(info["supported_simd"]) <= set(info["compiled_simd"])
    assert info["active_simd"] in info["supported_simd"]
    assert info["openmp_max_threads"] >= 1


def test_self_check_passes_on_every_level() -> None:
    results = rk.self_check()
    assert {r["level"] for r in results} == set(rk.simd_levels()["supported"])
    failed = [r for r in results if not r["ok"]]
    assert not failed


def _run_with_simd(level: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, RAGKERNEL_SIMD=level)
    code = "import ragkernel; print(ragkernel.simd_levels()['active'])"
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)


@pytest.mark.parametrize("level", rk.simd_levels()["supported"])
def test_environment_forces_a_level(level: str) -> None:
    proc = _run_with_simd(level)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == level


def test_environment_with_unknown_level_is_a_clear_error() -> None:
    proc = _run_with_simd("sse9")
    assert proc.returncode != 0
    assert "unknown SIMD level 'sse9'" in proc.stderr


def test_cli_info_and_self_check() -> None:
    from ragkernel.cli import main

    assert main(["info"]) == 0
    assert main(["--json", "self-check"]) == 0
