# The two commands a new user runs are `make demo` and `make test`; both set everything up.
VENV    := .venv
PY      := $(VENV)/bin/python
PYBUILD := build/py
# The extension is built by scikit-build-core into $(PYBUILD), with the C++ tests and the
# benchmark binary in the same tree, so one compile serves pytest, ctest and bench.
PIP_BUILD := $(PY) -m pip install -q --no-build-isolation --no-deps -e . \
	-Cbuild-dir=$(PYBUILD) -Ccmake.define.RAGKERNEL_BUILD_TESTS=ON \
	-Ccmake.define.RAGKERNEL_BUILD_BENCH=ON -Ccmake.define.RAGKERNEL_WERROR=ON

.PHONY: bootstrap build demo test test-cpp test-python test-sanitize bench lint format stubs wheel clean

bootstrap:
	@scripts/bootstrap.sh

build: bootstrap
	@$(PIP_BUILD)

demo: build
	$(PY) -m ragkernel demo --out build/demo

test: build
	$(VENV)/bin/ctest --test-dir $(PYBUILD) --output-on-failure -j2
	$(PY) -m pytest tests/python -q

test-cpp: build
	$(VENV)/bin/ctest --test-dir $(PYBUILD) --output-on-failure -j2

test-python: build
	$(PY) -m pytest tests/python -q

# C++ tests again under AddressSanitizer and UndefinedBehaviorSanitizer (Debug).
test-sanitize: bootstrap
	PATH=$(CURDIR)/$(VENV)/bin:$$PATH cmake --preset dev
	PATH=$(CURDIR)/$(VENV)/bin:$$PATH cmake --build --preset dev
	PATH=$(CURDIR)/$(VENV)/bin:$$PATH ctest --preset dev -j2

bench:
	RAGKERNEL_EXTRAS=dev,embeddings,bench scripts/bootstrap.sh
	@$(PIP_BUILD)
	$(PYBUILD)/bench/cpp/ragkernel_bench --benchmark_min_time=0.2
	$(PY) bench/python/bench_kernels.py
	$(PY) bench/python/bench_eval.py
	$(PY) bench/python/bench_bm25.py
	$(PY) bench/python/bench_fusion.py
	RAGKERNEL_BENCH_CACHE=$${RAGKERNEL_BENCH_CACHE:-bench/.cache} $(PY) bench/python/bench_quality.py
	$(PY) bench/python/bench_storage.py
	$(PY) bench/python/bench_reopen.py
	bench/python/chunk_corpus.sh
	$(PY) bench/python/bench_chunk.py
	RAGKERNEL_BENCH_CACHE=$${RAGKERNEL_BENCH_CACHE:-bench/.cache} $(PY) bench/python/vector_corpus.py
	$(PY) bench/python/bench_vector.py --data real
	$(PY) bench/python/bench_vector.py --data synthetic --n 100000
	$(PY) bench/python/bench_langchain.py --n 100000

lint: bootstrap
	$(VENV)/bin/ruff check python tests/python bench/python
	$(VENV)/bin/ruff format --check python tests/python bench/python
	$(VENV)/bin/mypy
	$(VENV)/bin/clang-format --dry-run -Werror $$(git ls-files '*.cpp' '*.hpp')

format: bootstrap
	$(VENV)/bin/ruff format python tests/python bench/python
	$(VENV)/bin/ruff check --fix python tests/python bench/python
	$(VENV)/bin/clang-format -i $$(git ls-files '*.cpp' '*.hpp')

# Regenerate the committed type stubs of the compiled module.
stubs: build
	$(PY) scripts/gen_stubs.py

wheel: bootstrap
	$(PY) -m pip wheel . --no-deps -w dist

clean:
	rm -rf build dist
