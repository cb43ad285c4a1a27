"""The lifecycle every RocksDB-backed object shares: compact, catch_up, close, ``with``."""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

if TYPE_CHECKING:
    from typing_extensions import Self


class _StoreBackedCore(Protocol):
    def compact(self) -> None: ...
    def catch_up(self) -> None: ...
    def close(self) -> None: ...
    @property
    def closed(self) -> bool: ...


CoreT = TypeVar("CoreT", bound=_StoreBackedCore)


class StoreHandle(Generic[CoreT]):
    """Base of the Python objects that wrap one compiled, store-backed ``_core`` object."""

    _core: CoreT

    def compact(self) -> None:
        """Flush and compact: expired and deleted entries leave the disk."""
        self._core.compact()

    def catch_up(self) -> None:
        """For ``access="secondary"``: see what the writer has written since the last call."""
        self._core.catch_up()

    def close(self) -> None:
        """Flush and release the directory (another process may then open it for writing)."""
        self._core.close()

    @property
    def closed(self) -> bool:
        return self._core.closed

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
