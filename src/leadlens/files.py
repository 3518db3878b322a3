"""Writing output files: atomically, and never over an existing file without ``force``."""

from __future__ import annotations

import os
import tempfile
from importlib import resources
from pathlib import Path

from leadlens.errors import Code, LeadlensError, OutputExistsError, Problem


class OutputError(LeadlensError):
    """An output file could not be written."""


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def check_writable(path: Path, *, force: bool) -> None:
    """Raise before any work is done when ``path`` exists and ``force`` is off."""
    if path.exists() and not force:
        raise OutputExistsError([Problem(
            file=str(path), message="file exists; not overwritten",
            hint="Pass --force to replace it, or choose another -o path",
            code=Code.OUTPUT_EXISTS)])


def write_atomic(path: Path, data: str | bytes, *, force: bool) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and a rename.

    Readers never see a half-written file, and a failure leaves any old file untouched.
    A missing folder is created. Operating-system failures (no permission, a folder where
    the file should be, a full disk) become an :class:`OutputError`.
    """
    check_writable(path, force=force)
    if path.is_dir():
        raise OutputError([Problem(file=str(path), message="is a folder, not a file",
                                   hint="Give a file name, e.g. -o results.json",
                                   code=Code.OUTPUT_IS_FOLDER)])
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        _replace_with(path, payload, force=force)
    except OSError as exc:
        raise OutputError([Problem(file=str(path), message="cannot write: "
                                   f"{exc.strerror or exc}",
                                   code=Code.OUTPUT_UNWRITABLE)]) from None


def _replace_with(path: Path, payload: bytes, *, force: bool) -> None:
    folder = path.parent if str(path.parent) else Path(".")
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        # mkstemp makes the file private (0600); give it the mode a plain open() would.
        os.fchmod(fd, _default_mode())
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        if not force and path.exists():  # created by someone else while we worked
            raise OutputExistsError([Problem(file=str(path), message="file exists; not overwritten",
                                             hint="Pass --force to replace it",
                                             code=Code.OUTPUT_EXISTS)])
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def bundled_dir(name: str) -> Path:
    """A folder of bundled data (``question_sets``, ``report_templates``).

    Inside an installed wheel it sits in the package; in an editable install of the
    repository, at the repository's root.
    """
    packaged = Path(str(resources.files("leadlens"))) / name
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / name
