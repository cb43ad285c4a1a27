"""The examples in the eval and LLM docstrings run as written."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "ragkernel.eval",
    "ragkernel.eval.ir",
    "ragkernel.eval.golden",
    "ragkernel.eval.stats",
    "ragkernel.eval.answers",
    "ragkernel.eval.compare",
    "ragkernel.eval.report",
    "ragkernel.eval.gate",
    "ragkernel.eval.tune",
    "ragkernel.llm",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    failures, tried = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert failures == 0
    assert tried > 0, f"{name} has no example"
