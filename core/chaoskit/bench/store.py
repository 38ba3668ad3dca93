"""The store of a benchmark run: a directory that makes runs resumable.

Layout::

    STORE/
      config.toml         the config as given (text), for people
      config.json         the parsed config and its fingerprint, for the resume check
      cells/*.npz         one file per finished cell (scores, timings, status, traceback …)
      data/*.npz          simulations shared by the models of a row (a cache; removed when the
                          run completes)
      result.nc           the combined result (and result.zarr when zarr is installed)

Every file is written to a temporary name in its folder and moved into place with
``os.replace``, so a run killed at any moment (SIGKILL included) leaves either the old file or
the new one, never a torn one. A second run on the same store waits for nothing: it is refused
while the first holds the store's lock.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ChaoskitError, ConfigError
from .config import BenchmarkConfig

__all__ = ["STORE_FORMAT", "Store"]

STORE_FORMAT = "chaoskit-bench-store/1"


class Store:
    """A benchmark store directory (see the module docstring).

    Parameters
    ----------
    path
        The directory; created when missing.
    config
        The run's config. An existing store made with a different config (another
        :meth:`BenchmarkConfig.fingerprint`) is refused unless ``force``.
    force
        Accept a changed config: the store takes the new config, keeps the finished cells
        whose keys did not change and drops the others (see :meth:`prune`).
    """

    def __init__(self, path: str | os.PathLike[str], config: BenchmarkConfig, *, force: bool = False) -> None:
        self.path = Path(path)
        self.config = config
        self.force = force
        self.cells_dir = self.path / "cells"
        self.data_dir = self.path / "data"
        self._lock: Any = None

    # ------------------------------------------------------------------ opening
    def open(self) -> Store:
        """Create or reopen the store, take its lock and check the config."""
        if self.path.exists() and not self.path.is_dir():
            raise ChaoskitError(f"{self.path} is a file, not a store directory; give another --store")
        marker = self.path / "config.json"
        if self.path.is_dir() and any(self.path.iterdir()) and not marker.is_file():
            raise ChaoskitError(
                f"{self.path} exists, is not empty and is not a chaoskit benchmark store (no config.json); "
                "give an empty or new directory as --store"
            )
        self.cells_dir.mkdir(parents=True, exist_ok=True)
        self._take_lock()
        for stale in [*self.cells_dir.glob(".tmp-*"), *self.path.glob(".tmp-*"), *self.path.glob(".old-*")]:
            if stale.is_dir():  # left by a run killed while writing
                shutil.rmtree(stale, ignore_errors=True)
            else:
                stale.unlink(missing_ok=True)
        if marker.is_file():
            self._check_config(marker)
        text = self.config.text if self.config.text is not None else _as_toml_comment(self.config)
        atomic_write_text(self.path / "config.toml", text)
        atomic_write_text(marker, json.dumps({
            "format": STORE_FORMAT, "fingerprint": self.config.fingerprint(), "config": self.config.to_dict(),
        }, indent=1, sort_keys=True))
        return self

    def close(self) -> None:
        """Release the store's lock."""
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def __enter__(self) -> Store:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _take_lock(self) -> None:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: no lock
            return
        handle = open(self.path / ".lock", "a+")  # noqa: SIM115 - kept open while the run lasts
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            owner = handle.read().strip() or "another process"
            handle.close()
            raise ChaoskitError(
                f"{self.path} is in use by another chaoskit bench run ({owner}); wait for it to finish "
                "or give another --store"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        self._lock = handle

    def _check_config(self, marker: Path) -> None:
        try:
            stored = json.loads(marker.read_text())
        except (OSError, ValueError) as exc:
            raise ChaoskitError(f"{marker} is unreadable ({exc}); remove the store or give another --store") from None
        if stored.get("format") != STORE_FORMAT:
            raise ChaoskitError(f"{self.path} is a store of format {stored.get('format')!r}, expected {STORE_FORMAT!r}; "
                                "give another --store")
        old, new = stored.get("fingerprint", {}), self.config.fingerprint()
        if old == new or self.force:
            return
        changed = [k for k in sorted(set(old) | set(new)) if old.get(k) != new.get(k)]
        details = "; ".join(_difference(k, old.get(k), new.get(k)) for k in changed)
        raise ConfigError(
            f"{self.path} holds a run of a different config ({details}). Rerun with --force (force=True) to "
            "accept the new config (finished cells whose settings are unchanged are kept, the others "
            "dropped), or give another --store"
        )

    # ------------------------------------------------------------------ cells
    def finished(self) -> dict[str, Path]:
        """``{short id: file}`` of every cell file in the store (the first 16 hex digits of the
        cell id, which end its file name)."""
        out = {}
        for file in self.cells_dir.glob("*.npz"):
            if not file.name.startswith("."):  # temporary files of an interrupted write
                out[file.stem.rsplit("__", 1)[-1]] = file
        return out

    def cell_path(self, filename: str) -> Path:
        return self.cells_dir / filename

    def write_cell(self, filename: str, result: Mapping[str, Any]) -> Path:
        """Write one cell's result atomically (an ``.npz``: arrays plus a JSON ``meta`` string)."""
        arrays = {f"a:{k}": np.asarray(v) for k, v in result["arrays"].items()}
        arrays["meta"] = np.array(json.dumps(result["meta"], default=_json_default))
        path = self.cells_dir / filename
        fd, tmp = tempfile.mkstemp(dir=self.cells_dir, prefix=".tmp-", suffix=".npz")
        try:
            with os.fdopen(fd, "wb") as fh:
                np.savez(fh, **arrays)  # type: ignore[arg-type]  # stub: **kwds are arrays
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        return path

    @staticmethod
    def read_cell(path: Path) -> dict[str, Any] | None:
        """A cell's result, or ``None`` (with a warning) if the file cannot be read."""
        try:
            with np.load(path, allow_pickle=False) as npz:
                meta = json.loads(str(npz["meta"]))
                arrays = {k[2:]: npz[k] for k in npz.files if k.startswith("a:")}
        except (OSError, ValueError, KeyError) as exc:
            warnings.warn(f"{path} is unreadable ({exc}); the cell will run again", RuntimeWarning, stacklevel=2)
            return None
        return {"meta": meta, "arrays": arrays}

    def prune(self, keep: Iterable[str]) -> int:
        """Remove cell files whose ids are not in ``keep``; return how many were removed."""
        short = {k[:16] for k in keep}
        removed = 0
        for cell_id, path in self.finished().items():
            if cell_id not in short:
                path.unlink(missing_ok=True)
                removed += 1
        for tmp in self.cells_dir.glob(".tmp-*"):
            tmp.unlink(missing_ok=True)
        return removed

    def clear_data_cache(self) -> None:
        """Remove the cached simulations (once every cell is finished)."""
        shutil.rmtree(self.data_dir, ignore_errors=True)

    # ------------------------------------------------------------------ combined result
    def write_result(self, ds: Any) -> list[Path]:
        """Write ``result.nc`` (and ``result.zarr`` when zarr is installed), atomically."""
        written = []
        target = self.path / "result.nc"
        fd, tmp = tempfile.mkstemp(dir=self.path, prefix=".tmp-result-", suffix=".nc")
        os.close(fd)
        try:
            ds.to_netcdf(tmp)
            os.replace(tmp, target)
            written.append(target)
        except (ImportError, ValueError, OSError) as exc:
            warnings.warn(f"result.nc not written ({type(exc).__name__}: {exc}); install chaoskit[io] for "
                          "NetCDF4 output. The cell files hold every result.", RuntimeWarning, stacklevel=2)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        zarr_path = write_zarr(ds, self.path / "result.zarr")
        if zarr_path is not None:
            written.append(zarr_path)
        return written


def write_zarr(ds: Any, target: Path) -> Path | None:
    """Write ``ds`` as Zarr at ``target`` (a directory, swapped in by renames); ``None`` if zarr is absent."""
    try:
        import zarr  # noqa: F401
    except ImportError:
        return None
    tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=".tmp-result-", suffix=".zarr"))
    old = target.with_name(f".old-{target.name}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # zarr v3 warns that string arrays are not in its spec yet
            ds.to_zarr(tmp, mode="w", consolidated=True)
        shutil.rmtree(old, ignore_errors=True)
        if target.exists():
            os.replace(target, old)
        os.replace(tmp, target)
        shutil.rmtree(old, ignore_errors=True)
    except Exception as exc:  # noqa: BLE001 - Zarr output is an extra; NetCDF and the cells remain
        shutil.rmtree(tmp, ignore_errors=True)
        warnings.warn(f"result.zarr not written ({type(exc).__name__}: {exc})", RuntimeWarning, stacklevel=2)
        return None
    return target


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and ``os.replace``."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _as_toml_comment(config: BenchmarkConfig) -> str:
    body = json.dumps(config.to_dict(), indent=1, sort_keys=True)
    return "# This run's config came from Python, not from a TOML file; as JSON:\n" + "".join(
        f"# {line}\n" for line in body.splitlines())


def _difference(key: str, old: Any, new: Any) -> str:
    if isinstance(old, list) and isinstance(new, list) and key in ("systems", "models", "metrics"):
        labels = lambda items: [i.get("label") if isinstance(i, dict) else i for i in items]
        added = [x for x in labels(new) if x not in labels(old)]
        removed = [x for x in labels(old) if x not in labels(new)]
        parts = ([f"added {added}"] if added else []) + ([f"removed {removed}"] if removed else [])
        return f"{key}: " + (", ".join(parts) or "settings changed")
    if isinstance(old, dict) and isinstance(new, dict):
        keys = [k for k in sorted(set(old) | set(new)) if old.get(k) != new.get(k)]
        return "; ".join(f"{key}.{k}: {old.get(k)!r} -> {new.get(k)!r}" for k in keys)
    return f"{key}: {old!r} -> {new!r}"


def _json_default(value: Any) -> Any:
    if isinstance(value, (np.integer, np.floating, np.bool_)):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)
