"""Overlap the stages of validation on a second core, in file order.

Arrow's CSV parser and Parquet writer release the GIL, so reading the next batch
and writing the previous one can run while the current batch is checked. Each
helper keeps the order of its items (one thread, one FIFO queue), holds at most
`depth` items (memory stays bounded), and hands exceptions back to the caller at
the point where the sequential code would have raised them.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")

_DONE = object()
_POLL = 0.1


class Prefetch(Iterator[T]):
    """Iterate `source` in a thread, up to `depth` items ahead of the consumer."""

    def __init__(self, source: Callable[[], Iterable[T]], depth: int = 1, name: str = "") -> None:
        self._queue: queue.Queue = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(source,), name=f"prefetch {name}", daemon=True
        )
        self._thread.start()

    def _put(self, item: Any) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=_POLL)
                return True
            except queue.Full:
                continue
        return False

    def _run(self, source: Callable[[], Iterable[T]]) -> None:
        try:
            for item in source():
                if not self._put((item, None)):
                    return
        except BaseException as exc:  # handed to the consumer, raised there
            self._put((_DONE, exc))
            return
        self._put((_DONE, None))

    def __next__(self) -> T:
        item, exc = self._queue.get()
        if item is _DONE:
            self._queue.put((_DONE, exc))  # stay exhausted
            if exc is not None:
                raise exc
            raise StopIteration
        return item

    def close(self) -> None:
        """Stop the thread early (the consumer gave up); items not yet read are dropped."""
        self._stop.set()
        self._thread.join()


class Worker:
    """Run calls in order in one thread; errors surface on the next call or on drain()."""

    def __init__(self, depth: int = 2, name: str = "") -> None:
        self._queue: queue.Queue = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=f"worker {name}", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            call = self._queue.get()
            if call is None:
                return
            if self._error is None:  # after a failure, later calls are skipped
                try:
                    call()
                except BaseException as exc:
                    self._error = exc

    def _raise(self) -> None:
        if self._error is not None:
            exc, self._error = self._error, None
            raise exc

    def submit(self, call: Callable[[], None]) -> None:
        self._raise()
        self._queue.put(call)

    def drain(self) -> None:
        """Wait for every submitted call; raise the first error."""
        self._queue.put(None)
        self._thread.join()
        self._raise()
