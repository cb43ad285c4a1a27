"""Adapters that put ragkernel behind other frameworks' interfaces.

Each subpackage imports its framework on import, so ``import ragkernel`` never does:
``ragkernel.integrations.langchain`` needs ``langchain-core``,
``ragkernel.integrations.llama_index`` needs ``llama-index-core``.
"""
