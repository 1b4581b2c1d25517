"""Publishing folders and files atomically: a reader sees the old version or the new, never half.

A folder is written complete into a temporary sibling (`<name>.tmp-<pid>`, same
filesystem) and then swapped with the published one:

* Linux: renameat2(RENAME_EXCHANGE) swaps the two folders in one step; there is
  no moment where the published path is missing or half-written. The previous
  version, now at the temporary name, is then deleted.
* elsewhere (or a filesystem without the exchange): the published folder is
  renamed aside to `<name>.old-<pid>`, the new one renamed in, the old deleted.
  For the instant between the two renames the path does not exist; a run killed
  exactly there leaves `<name>.old-<pid>`, which the next run puts back first.

Left-overs of killed runs (`.tmp-<pid>` / `.old-<pid>` of a process that no
longer exists) are removed by the next run before it starts.

Only folders that are empty or carry the marker file `.roas-site` are ever
replaced: `--out ~` or `--out` pointing at a data folder is refused, never wiped.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import re
import shutil
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from roas.errors import OutputRefused

MARKER = ".roas-site"
MARKER_TEXT = "A report written by `roas`; `roas run` and `roas report` replace this folder.\n"
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
# `<name>.tmp-<pid>`, `<name>.old-<pid>`, `<name>.tmp-<pid>.duckdb(.wal)`
_LEFTOVER = re.compile(r"\.(tmp|old)-(\d+)(?:\..*)?")


# -- the swap -------------------------------------------------------------------


def _renameat2():
    if not sys.platform.startswith("linux"):
        return None
    try:
        func = ctypes.CDLL(None, use_errno=True).renameat2  # libc's symbols (glibc >= 2.28)
    except (OSError, AttributeError):
        return None
    func.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    func.restype = ctypes.c_int
    return func


_RENAMEAT2 = _renameat2()


def exchange(a: Path, b: Path) -> bool:
    """Swap two existing paths atomically; False when the system cannot (use the fallback)."""
    if _RENAMEAT2 is None:
        return False
    if _RENAMEAT2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
        return False
    raise OSError(err, os.strerror(err), str(a), None, str(b))


def remove_tree(path: Path) -> None:
    """Delete a folder (or file, or symlink: never followed)."""
    if path.is_symlink() or path.is_file():
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    elif path.exists():
        shutil.rmtree(path, ignore_errors=True)


def publish_dir(new: Path, target: Path) -> None:
    """Make the complete folder `new` appear at `target`, replacing what was there."""
    if not target.exists() and not target.is_symlink():
        try:
            os.rename(new, target)
            return
        except OSError as exc:  # created meanwhile by another publisher: swap instead
            if exc.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                raise
    if exchange(new, target):
        remove_tree(new)  # `new` now holds the previous version
        return
    aside = target.with_name(f"{target.name}.old-{os.getpid()}")
    remove_tree(aside)
    os.rename(target, aside)
    os.rename(new, target)
    remove_tree(aside)


def replace_file(target: Path, content: str | bytes) -> None:
    """Write `target` whole or not at all: a sibling staging file renamed over it, so a
    reader (or a parallel run) never sees half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f"{target.name}.tmp-{os.getpid()}")
    try:
        if isinstance(content, bytes):
            staging.write_bytes(content)
        else:
            staging.write_text(content, encoding="utf-8")
        os.replace(staging, target)
    finally:
        staging.unlink(missing_ok=True)


def fsync_dir(path: Path) -> None:
    """Persist a rename in `path` (best effort: not every system can open folders)."""
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# -- left-overs of killed runs ----------------------------------------------------


def pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    except OSError:
        return False
    return True


def leftovers(target: Path) -> Iterator[tuple[Path, str, int]]:
    """(path, 'tmp'|'old', pid) of the temporary siblings of `target`."""
    parent = target.parent
    if not parent.is_dir():
        return
    prefix = target.name
    for entry in parent.iterdir():
        name = entry.name
        if not name.startswith(prefix + "."):
            continue
        match = _LEFTOVER.fullmatch(name[len(prefix) :])
        if match:
            yield entry, match.group(1), int(match.group(2))


def clean_leftovers(target: Path) -> list[Path]:
    """Put back a previous version a killed run left aside; delete dead runs' temporaries."""
    removed = []
    found = [(p, kind, pid) for p, kind, pid in leftovers(target) if not pid_alive(pid)]
    for path, kind, _ in sorted(found, key=lambda f: f[1] != "old"):
        if kind == "old" and not target.exists() and not target.is_symlink():
            os.rename(path, target)  # killed between the two renames of the fallback
            continue
        remove_tree(path)
        removed.append(path)
    return removed


# -- the site folder --------------------------------------------------------------


def _inside(child: Path, parent: Path) -> bool:
    return child == parent or parent in child.parents


def site_target(out: Path, *, keep_clear_of: Iterable[Path] = ()) -> Path:
    """The absolute folder a site will be published at, after checking it may be replaced.

    A symlink given as --out is followed (the folder it points to is the one
    replaced). Refused: an existing file; a non-empty folder that is not a
    previous report (no `.roas-site` marker); a folder that is, contains or is
    inside the data folder, the warehouse or its build folder.
    """
    site = Path(out).expanduser().resolve()
    if site.parent == site:
        raise OutputRefused(f"--out {out}: the root folder cannot hold the report")
    for other in keep_clear_of:
        other = Path(other).expanduser().resolve()
        if _inside(site, other) or _inside(other, site):
            raise OutputRefused(
                f"--out {out} overlaps {other}; the report replaces its whole folder, so give "
                "it a folder of its own (e.g. a new folder named site)"
            )
    if site.exists() and not site.is_dir():
        raise OutputRefused(f"--out {out} is a file, not a folder; choose a folder for the report")
    if site.is_dir() and not is_site_folder(site):
        raise OutputRefused(
            f"--out {out} is a folder that holds other files and is not a report written by "
            f"roas (no {MARKER} file in it). The report replaces the whole folder, so choose "
            "a new or empty folder."
        )
    return site


def is_site_folder(folder: Path) -> bool:
    """Empty, or written by roas (the marker), or a report from before the marker existed."""
    try:
        names = {p.name for p in folder.iterdir()}
    except OSError:
        return False
    if not names or MARKER in names:
        return True
    # reports written before the marker: index.html and the assets folder, nothing foreign
    return {"index.html", "assets"} <= names and all(
        n in {"index.html", "assets", "influencers", "report.pdf"} or n.endswith(".html")
        for n in names
    )


def staging_path(site: Path) -> Path:
    """Where this process writes the new version of `site`: a sibling named by our pid.
    Name it before creating it, so the cleanup that removes it already covers a signal
    that lands the moment it appears."""
    return site.with_name(f"{site.name}.tmp-{os.getpid()}")


def make_staging(tmp: Path) -> None:
    """Create `tmp` fresh and empty."""
    tmp.parent.mkdir(parents=True, exist_ok=True)
    remove_tree(tmp)  # a dead process with our pid left it
    tmp.mkdir()  # exclusive: fails rather than reuse something planted meanwhile


def publish_site(tmp: Path, site: Path) -> None:
    """Mark the complete folder as a roas report and swap it in."""
    (tmp / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
    publish_dir(tmp, site)
    fsync_dir(site.parent)
