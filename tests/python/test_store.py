"""The document store from Python: atomic writes, snapshot reads, other processes, damage."""

from __future__ import annotations

import pathlib
import subprocess
import sys
import textwrap
import threading

import numpy as np
import pytest

import ragkernel as rk


def _vectors(n: int, dim: int, base: float = 0.0) -> np.ndarray:
    return (np.arange(n * dim, dtype=np.float32).reshape(n, dim) + base).astype(np.float32)


def test_add_get_upsert_delete_and_reopen(tmp_path: pathlib.Path) -> None:
    path = str(tmp_path / "docs")
    with rk.DocStore(path, dim=3) as docs:
        docs.add(["a", "b"], ["alpha", "beta"], _vectors(2, 3), [{"year": 2020}, None])
        assert len(docs) == 2 and "a" in docs and "zz" not in docs
        a, missing = docs.get(["a", "zz"])
        assert missing is None
        assert a is not None and a.text == "alpha" and a.metadata == {"year": 2020}
        np.testing.assert_array_equal(a.vector, [0, 1, 2])
        assert docs.upsert(["b", "c"], ["beta 2", "gamma"], _vectors(2, 3, 10)) == [True, False]
        assert docs.delete(["a", "nope"]) == [True, False]
    with rk.DocStore(path) as docs:  # dim comes from the store
        assert docs.dim == 3
        assert docs.ids() == ["b", "c"]
        b = docs.get(["b"])[0]
        assert b is not None and b.text == "beta 2" and b.metadata is None
        assert docs.stats()["documents"] == 2


def test_bad_input_is_a_value_error_and_changes_nothing(tmp_path: pathlib.Path) -> None:
    with rk.DocStore(str(tmp_path / "docs"), dim=2) as docs:
        docs.add(["a"], ["x"], _vectors(1, 2))
        with pytest.raises(ValueError, match="already exists"):
            docs.add(["b", "a"], ["y", "z"], _vectors(2, 2))
        with pytest.raises(ValueError, match="dtype float32"):
            docs.add(["b"], ["y"], np.zeros((1, 2)))
        with pytest.raises(ValueError, match="dimension 3, expected 2"):
            docs.add(["b"], ["y"], np.zeros((1, 3), dtype=np.float32))
        with pytest.raises(ValueError, match="non-finite"):
            docs.add(["b"], ["y"], np.array([[1, np.nan]], dtype=np.float32))
        with pytest.raises(ValueError, match="appears twice"):
            docs.upsert(["b", "b"], ["y", "z"], _vectors(2, 2))
        assert docs.ids() == ["a"]


def test_wrong_dimension_kind_or_path_on_open(tmp_path: pathlib.Path) -> None:
    path = str(tmp_path / "docs")
    rk.DocStore(path, dim=384).close()
    with pytest.raises(ValueError, match="created with dim=384; this open asked for dim=768"):
        rk.DocStore(path, dim=768)
    with pytest.raises(ValueError, match="holds a 'docstore', not a 'llm_cache'"):
        rk.LLMCache(path)
    with pytest.raises(KeyError, match="no store at"):
        rk.DocStore(str(tmp_path / "missing"), access="read_only")


def test_one_writer_and_readers_in_other_processes(tmp_path: pathlib.Path) -> None:
    path = str(tmp_path / "docs")
    writer = rk.DocStore(path, dim=2)
    writer.add(["a"], ["first"], _vectors(1, 2))
    with pytest.raises(OSError, match="one writer per directory"):
        rk.DocStore(path)
    reader_script = textwrap.dedent(
        f"""
        import ragkernel as rk, sys
        try:
            rk.DocStore({path!r}, access="read_only")
        except OSError as e:
            assert "access='secondary'" in str(e), e
        else:
            sys.exit("read_only beside a live writer must be refused")
        follower = rk.DocStore({path!r}, access="secondary")
        print(follower.ids())
        sys.stdout.flush()
        sys.stdin.readline()            # the parent writes more, then says go
        follower.catch_up()
        print(follower.ids())
        """
    )
    child = subprocess.Popen(
        [sys.executable, "-c", reader_script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None and child.stdin is not None
    assert child.stdout.readline().strip() == "['a']"
    writer.add(["b"], ["second"], _vectors(1, 2))
    child.stdin.write("go\n")
    child.stdin.flush()
    assert child.stdout.readline().strip() == "['a', 'b']"
    assert child.wait(timeout=60) == 0
    writer.close()
    with rk.DocStore(path, access="read_only") as reader:  # fine once the writer is gone
        assert reader.ids() == ["a", "b"]
        with pytest.raises(ValueError, match="read_write"):
            reader.add(["c"], ["x"], _vectors(1, 2))


def test_concurrent_reader_threads_never_see_half_a_write(tmp_path: pathlib.Path) -> None:
    docs = rk.DocStore(str(tmp_path / "docs"), dim=4)
    docs.upsert(["d"], ["v0"], np.zeros((1, 4), dtype=np.float32), [{"v": 0}])
    torn: list[str] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            d = docs.get(["d"])[0]
            assert d is not None and d.metadata is not None and d.vector is not None
            version = int(d.text[1:])
            if d.metadata["v"] != version or d.vector[0] != version:
                torn.append(d.text)

    readers = [threading.Thread(target=read) for _ in range(3)]
    for t in readers:
        t.start()
    for i in range(1, 500):
        docs.upsert(["d"], [f"v{i}"], np.full((1, 4), i, dtype=np.float32), [{"v": i}])
    stop.set()
    for t in readers:
        t.join()
    docs.close()
    assert torn == []


def test_closed_store_raises(tmp_path: pathlib.Path) -> None:
    docs = rk.DocStore(str(tmp_path / "docs"), dim=0)
    docs.close()
    assert docs.closed
    with pytest.raises(ValueError, match="closed"):
        len(docs)


def _damage(path: pathlib.Path, suffix: str, how: str) -> None:
    files = sorted(path.glob(f"*{suffix}"))
    assert files, f"no {suffix} file in {path}"
    for f in files:
        data = bytearray(f.read_bytes())
        if how == "truncate":
            f.write_bytes(bytes(data[: len(data) // 2]))
        else:
            start = len(data) // 3
            for i in range(start, min(start + 64, len(data))):
                data[i] ^= 0x5A
            f.write_bytes(bytes(data))


def _filled(path: pathlib.Path) -> None:
    with rk.DocStore(str(path), dim=8) as docs:
        n = 2000
        docs.add([f"id{i}" for i in range(n)], [f"text {i} " * 10 for i in range(n)], _vectors(n, 8))
        docs.compact()


@pytest.mark.parametrize("how", ["truncate", "flip"])
def test_damaged_table_files_raise_corruption_error(tmp_path: pathlib.Path, how: str) -> None:
    path = tmp_path / "docs"
    _filled(path)
    _damage(path, ".sst", how)
    with pytest.raises(rk.CorruptionError), rk.DocStore(str(path)) as docs:
        docs.verify()


def test_damaged_log_refuses_to_open_and_repair_keeps_the_tables(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "docs"
    script = textwrap.dedent(
        f"""
        import os, numpy as np, ragkernel as rk
        docs = rk.DocStore({str(path)!r}, dim=2)
        for i in range(200):
            docs.add([f"id{{i}}"], ["x" * 200], np.ones((1, 2), dtype=np.float32))
            if i == 99:
                docs.compact()  # the first 100 are in table files from here on
        os._exit(0)  # no close: the last 100 are in the write-ahead log only
        """
    )
    subprocess.run([sys.executable, "-c", script], check=True)
    _damage(path, ".log", "flip")  # damage in the middle of the log, not a torn tail
    with pytest.raises(rk.CorruptionError, match="repair"):
        rk.DocStore(str(path))
    rk.store.repair(str(path))
    # RocksDB's repair keeps every table; it replays logs for the default family only, so
    # documents that lived only in the damaged log are gone.
    with rk.DocStore(str(path)) as docs:
        assert set(docs.ids()) >= {f"id{i}" for i in range(100)}


def test_lost_current_file_is_corruption_and_repair_restores(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "docs"
    _filled(path)
    (path / "CURRENT").unlink()
    with pytest.raises(rk.CorruptionError, match="no CURRENT file"):
        rk.DocStore(str(path))
    rk.store.repair(str(path))
    with rk.DocStore(str(path)) as docs:
        assert len(docs) == 2000 and len(docs.ids()) == 2000
