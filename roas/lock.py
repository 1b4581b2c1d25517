"""One run per warehouse: an advisory lock file beside it, released by the OS on death.

`<warehouse>.lock` is held with flock(LOCK_EX | LOCK_NB) for the whole run. The
kernel drops the lock when the holder's last descriptor closes, so a run killed
with SIGKILL never leaves a stale lock behind. The file holds a line of JSON
naming the holder (pid, command, start time) for the message a second run shows.
The file itself is left in place (deleting a lock file races with its next
holder); its content is emptied when the lock is released.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import json
import os
import time
from pathlib import Path

from roas.errors import OutputRefused, RunInProgress

# how long a second run waits for the holder's details to appear (the holder
# writes them right after taking the lock)
_DETAILS_WAIT_SECONDS = 0.5


class RunLock:
    """`with RunLock(path, "roas run", what=warehouse):` — fails at once if held."""

    def __init__(self, path: Path, command: str, what: Path) -> None:
        self.path = Path(path)
        self.command = command
        self.what = Path(what)
        self._fd: int | None = None

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def acquire(self) -> None:
        try:
            # O_NOFOLLOW: a symlink planted at the lock path is never written through
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise OutputRefused(
                    f"{self.path} is a symbolic link; roas keeps its run lock there. "
                    "Remove the link or choose another --warehouse."
                ) from None
            raise OutputRefused(
                f"cannot create the run lock {self.path} ({exc.strerror}); check that the "
                "folder of --warehouse exists and is writable"
            ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise
            raise RunInProgress(self._busy_message()) from None
        self._fd = fd
        details = {
            "pid": os.getpid(),
            "command": self.command,
            "started": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, (json.dumps(details) + "\n").encode(), 0)

    def release(self) -> None:
        if self._fd is None:
            return
        with contextlib.suppress(OSError):
            os.ftruncate(self._fd, 0)
        os.close(self._fd)  # closing the descriptor releases the flock
        self._fd = None

    def _busy_message(self) -> str:
        holder = read_holder(self.path)
        who = f"`{holder.get('command', 'roas run')}`"
        facts = []
        if holder.get("pid"):
            facts.append(f"pid {holder['pid']}")
        if holder.get("started"):
            facts.append(f"started {holder['started']}")
        if facts:
            who += f" ({', '.join(facts)})"
        return (
            f"warehouse {self.what} is being built by {who}; wait for it to finish, "
            "then run again (or use another --warehouse)"
        )


def read_holder(path: Path) -> dict:
    """The holder's details; {} when unreadable or not written yet."""
    deadline = time.monotonic() + _DETAILS_WAIT_SECONDS
    while True:
        try:
            with open(path, encoding="utf-8") as fh:
                text = fh.read().strip()
            if text:
                value = json.loads(text)
                return value if isinstance(value, dict) else {}
        except (OSError, ValueError):
            pass
        if time.monotonic() >= deadline:
            return {}
        time.sleep(0.05)
