"""The ``ds.chaos`` accessor: the conveniences every trajectory set needs.

Importing :mod:`chaoskit` registers it; ``ds.chaos`` then works on any Dataset that follows the
conventions of :mod:`chaoskit.data`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import xarray as xr

from .data import FEATURE, MEMBER, STATE, TIME, VARIABLE, decode_attrs, infer_dt, validate
from ._optional import require
from .errors import DataError, ParameterError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["ChaosAccessor"]


@xr.register_dataset_accessor("chaos")
class ChaosAccessor:
    """Conveniences for a chaoskit trajectory set, available as ``ds.chaos``."""

    def __init__(self, ds: xr.Dataset) -> None:
        self._ds = ds

    # ------------------------------------------------------------------ description
    def validate(self, *, finite: bool = True) -> xr.Dataset:
        """Check the conventions (see :func:`chaoskit.data.validate`); return the dataset."""
        return validate(self._ds, finite=finite)

    @property
    def attrs(self) -> dict[str, Any]:
        """The attributes with JSON-encoded values decoded."""
        return decode_attrs(self._ds.attrs)

    @property
    def dt(self) -> float:
        """The sampling interval (``dt`` attribute, else the uniform time step)."""
        return infer_dt(self._ds)

    @property
    def variables(self) -> tuple[str, ...]:
        """Names of the state components."""
        return tuple(str(v) for v in self._ds[VARIABLE].values)

    @property
    def space_dims(self) -> tuple[str, ...]:
        """Spatial dims of a field, between ``time`` and ``variable`` (empty for ODEs)."""
        return tuple(map(str, self._ds[STATE].dims[2:-1]))

    @property
    def lyapunov_time(self) -> float:
        """One Lyapunov time, ``1 / λ1``, from the ``lyapunov_time`` or ``max_lyapunov`` attr."""
        attrs = self.attrs
        if attrs.get("lyapunov_time") is not None:
            value = float(attrs["lyapunov_time"])
        elif attrs.get("max_lyapunov") is not None:
            lam = float(attrs["max_lyapunov"])
            value = 1.0 / lam if lam > 0 else float("nan")
        else:
            raise DataError(
                "this dataset records no Lyapunov time (attrs 'lyapunov_time' or "
                "'max_lyapunov'); set ds.attrs['lyapunov_time'] = 1 / λ1"
            )
        if not np.isfinite(value) or value <= 0:
            raise DataError(f"the recorded Lyapunov time {value} is not a positive number")
        return value

    # ------------------------------------------------------------------ reshaping
    def features(self) -> xr.DataArray:
        """``state`` as ``(member, time, feature)``, all space and variable dims stacked."""
        da = self._ds[STATE]
        if not self.space_dims:
            return da.rename({VARIABLE: FEATURE})
        return da.stack({FEATURE: [*self.space_dims, VARIABLE]})

    def split(
        self, at: float | int | None = None, *, time: float | None = None
    ) -> tuple[xr.Dataset, xr.Dataset]:
        """Split along time into ``(before, after)``.

        ``at`` is a fraction in (0, 1) of the time points, or an integer count of points kept
        in the first part; ``time`` splits at a time value (points with ``t < time`` first).
        """
        n = self._ds.sizes[TIME]
        if (at is None) == (time is None):
            raise ParameterError("split: give exactly one of `at` (fraction or count) or `time=`")
        if time is not None:
            index = int(np.searchsorted(np.asarray(self._ds[TIME].values, float), time))
        elif isinstance(at, (float, np.floating)):
            if not 0.0 < at < 1.0:
                raise ParameterError(f"split: a fraction must lie in (0, 1), got {at}")
            index = int(round(float(at) * n))
        else:
            index = int(at)  # type: ignore[arg-type]
        if not 0 < index < n:
            raise ParameterError(
                f"split at point {index} leaves an empty part (the dataset has {n} time points)"
            )
        return self._ds.isel({TIME: slice(0, index)}), self._ds.isel({TIME: slice(index, None)})

    def windows(self, length: int, *, stride: int | None = None) -> xr.Dataset:
        """Cut every member into windows of ``length`` points, ``stride`` apart (default: length).

        The result follows the conventions: each window is a member; its ``time`` coordinate is
        the offset from the window start; member coordinates ``source_member`` and ``t0`` say
        where each window came from.
        """
        stride = length if stride is None else stride
        n = self._ds.sizes[TIME]
        if not isinstance(length, (int, np.integer)) or length < 1:
            raise ParameterError(f"windows: length must be a positive integer, got {length!r}")
        if not isinstance(stride, (int, np.integer)) or stride < 1:
            raise ParameterError(f"windows: stride must be a positive integer, got {stride!r}")
        if length > n:
            raise ParameterError(f"windows: length {length} exceeds the {n} time points available")
        starts = np.arange(0, n - length + 1, stride)
        time = np.asarray(self._ds[TIME].values, float)
        da = self._ds[STATE]
        pieces = [da.isel({TIME: slice(s, s + length)}).values for s in starts]
        array = np.stack(pieces, axis=1)  # (member, window, length, ...)
        array = array.reshape(-1, *array.shape[2:])
        n_members = da.sizes[MEMBER]
        source = np.repeat(np.arange(n_members), len(starts))
        t0 = np.tile(time[starts], n_members)
        coords = {
            MEMBER: np.arange(array.shape[0]),
            TIME: time[:length] - time[0],
            "source_member": (MEMBER, source),
            "t0": (MEMBER, t0),
        }
        for dim in [*self.space_dims, VARIABLE]:
            coords[dim] = self._ds[dim].values
        out = xr.DataArray(array, dims=da.dims, coords=coords)
        return xr.Dataset({STATE: out}, attrs=dict(self._ds.attrs))

    # ------------------------------------------------------------------ conversion and plots
    def to_tensor(self, device: str = "cpu", dtype: Any = None) -> Any:
        """``features()`` as a torch tensor ``(member, time, feature)``; imports torch lazily."""
        torch = require("torch", "ds.chaos.to_tensor")
        values = np.ascontiguousarray(self.features().values)
        if isinstance(dtype, str):
            if not hasattr(torch, dtype):
                raise ParameterError(f"to_tensor: unknown torch dtype {dtype!r}")
            dtype = getattr(torch, dtype)
        return torch.as_tensor(values, dtype=dtype, device=device)

    def plot(
        self,
        *,
        members: Any = None,
        variables: Any = None,
        ax: Any = None,
        label: str | None = None,
        **kwargs: Any,
    ) -> Figure:
        """Plot each variable against time (one panel per variable, one line per member).

        ``members`` and ``variables`` select (by index and by name); ``ax`` is an array of
        axes to draw into (one per variable); extra keyword arguments go to ``Axes.plot``.
        """
        import matplotlib.pyplot as plt

        if self.space_dims:
            raise DataError("plot draws ODE trajectories; select a grid point with ds.isel(...) first")
        ds = self._ds
        if members is not None:
            ds = ds.isel({MEMBER: np.atleast_1d(members)})
        if variables is not None:
            ds = ds.sel({VARIABLE: list(np.atleast_1d(variables))})
        names = [str(v) for v in ds[VARIABLE].values]
        if ax is None:
            fig, axes = plt.subplots(len(names), 1, sharex=True, squeeze=False,
                                     figsize=(8, 1.8 * len(names) + 0.6))
            axes = axes[:, 0]
        else:
            axes = np.atleast_1d(ax)
            fig = axes[0].figure
        if len(axes) != len(names):
            raise ParameterError(f"plot: got {len(axes)} axes for {len(names)} variables")
        time = ds[TIME].values
        for axis, name in zip(axes, names):
            values = ds[STATE].sel({VARIABLE: name}).values  # (member, time)
            for i, row in enumerate(values):
                axis.plot(time, row.real, label=label if i == 0 else None, **kwargs)
            axis.set_ylabel(name)
        axes[-1].set_xlabel("time")
        return fig
