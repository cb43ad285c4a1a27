"""The committed _core.pyi must equal what pybind11-stubgen generates from the built module."""

from __future__ import annotations

import importlib.util
import pathlib
import sys

import pytest


@pytest.mark.skipif(importlib.util.find_spec("pybind11_stubgen") is None, reason="needs the dev extra")
def test_committed_stubs_match_the_module(repo_root: pathlib.Path) -> None:
    sys.path.insert(0, str(repo_root / "scripts"))
    try:
        import gen_stubs
    finally:
        sys.path.pop(0)
    committed = (repo_root / "python" / "ragkernel" / "_core.pyi").read_text()
    assert committed == gen_stubs.generate(), "python/ragkernel/_core.pyi is stale: run `make stubs`"
