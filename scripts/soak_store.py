"""Soak the stores with many more SIGKILLs than the test suite does.

1. The document-store crash loop of the C++ tests (tests/cpp/test_store_crash.cpp) with
   --kills kills instead of 50: every acknowledged batch present, none half present.
2. An LLM-cache crash loop from Python: a child process updates a byte-bounded cache (so every
   write also evicts) and reports each acknowledged update; after each SIGKILL the parent
   reopens the cache, checks that entries, index records and counters agree
   (check_integrity), and that the last acknowledged update is served.

    python scripts/soak_store.py [--kills 1000] [--llm-kills 200] [--seed 1]

Run `make build` first (it builds the C++ crash test into build/py).
"""

from __future__ import annotations

import argparse
import os
import pathlib
import random
import signal
import subprocess
import sys
import tempfile
import textwrap
import time

import ragkernel as rk

ROOT = pathlib.Path(__file__).resolve().parents[1]
CRASH_TEST = ROOT / "build" / "py" / "tests" / "cpp" / "test_store_crash"

CHILD = textwrap.dedent(
    """
    import sys, ragkernel as rk
    path, first = sys.argv[1], int(sys.argv[2])
    cache = rk.LLMCache(path, max_bytes=200_000)
    print("open", flush=True)
    i = first
    while True:
        request = {"model": "m", "messages": [{"role": "user", "content": f"question {i}"}]}
        cache.update(request, {"answer": "x" * (500 + i % 700), "n": i})
        if i % 7 == 0:
            cache.lookup({"model": "m", "messages": [{"role": "user", "content": f"question {i // 2}"}]})
        print(i, flush=True)
        i += 1
    """
)


def docstore_soak(kills: int) -> None:
    if not CRASH_TEST.exists():
        sys.exit(f"{CRASH_TEST} is missing: run `make build` first")
    start = time.perf_counter()
    env = {**os.environ, "RAGKERNEL_CRASH_KILLS": str(kills)}
    subprocess.run([str(CRASH_TEST)], env=env, check=True, stdout=subprocess.DEVNULL)
    print(f"docstore: {kills} SIGKILLs, every acknowledged batch present ({time.perf_counter() - start:.0f} s)")


def llm_cache_soak(kills: int, seed: int) -> None:
    rng = random.Random(seed)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        path = str(pathlib.Path(tmp) / "llm")
        next_index = 0
        for _ in range(kills):
            child = subprocess.Popen(
                [sys.executable, "-c", CHILD, path, str(next_index)], stdout=subprocess.PIPE, text=True
            )
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "open"
            time.sleep(rng.uniform(0, 0.15))
            child.send_signal(signal.SIGKILL)
            out, _ = child.communicate()
            acked = [int(line) for line in out.split()]
            with rk.LLMCache(path) as cache:
                cache.check_integrity()
                if acked:
                    last = {"model": "m", "messages": [{"role": "user", "content": f"question {acked[-1]}"}]}
                    got = cache.lookup(last)
                    assert got is not None and got["n"] == acked[-1], f"update {acked[-1]} was acknowledged but is gone"
                    next_index = acked[-1] + 1
                assert cache.stats()["bytes"] <= 200_000
    print(
        f"llm cache: {kills} SIGKILLs, integrity and last acknowledged update held ({time.perf_counter() - start:.0f} s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=1000)
    parser.add_argument("--llm-kills", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    docstore_soak(args.kills)
    llm_cache_soak(args.llm_kills, args.seed)


if __name__ == "__main__":
    main()
