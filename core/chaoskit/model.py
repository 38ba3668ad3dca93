"""The Model interface: a data-driven model of a dynamical system."""

from __future__ import annotations

import abc
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import attrs
import numpy as np
import xarray as xr

from .data import STATE, TIME, _jsonable, encode_attrs, infer_dt, make_dataset, provenance, validate
from .dynamics import Dynamics
from .errors import ChaoskitError, DataError, NotFittedError, ParameterError
from .validators import choice, integer

__all__ = ["FitInfo", "Model", "load_model"]

M = TypeVar("M", bound="Model")
MODEL_FORMAT = "chaoskit-model/1"
MODEL_DTYPES = ("float32", "float64")
# attributes of a simulated context that do not describe a forecast made from it
_SIMULATION_ONLY = frozenset({"members", "transient", "noise", "integrator", "rtol", "atol", "seed", "device", "dtype"})


@attrs.frozen(kw_only=True)
class FitInfo:
    """What a fitted model remembers of its training data: variables, ``dt``, spatial grid."""

    variables: tuple[str, ...]
    dt: float
    space: Mapping[str, tuple[float, ...]] = attrs.field(factory=dict)
    n_train_points: int = 0

    @classmethod
    def from_dataset(cls, ds: xr.Dataset) -> FitInfo:
        space = {d: tuple(map(float, ds[d].values)) for d in ds.chaos.space_dims}
        return cls(
            variables=ds.chaos.variables, dt=infer_dt(ds), space=space,
            n_train_points=int(ds.sizes["member"] * ds.sizes[TIME]),
        )


def _device(instance: Any, attribute: Any, value: Any) -> None:
    if not isinstance(value, str) or not value:
        raise ParameterError(f"{type(instance).__name__}.device must be a device string such as 'cpu' or 'cuda', got {value!r}")


@attrs.define(frozen=True, kw_only=True, slots=False)
class Model(abc.ABC):
    """A data-driven model: fit on trajectories, forecast from a context window.

    Hyperparameters are frozen attrs fields with validators (``attrs.evolve(model, units=800)``
    gives an unfitted variant; ``attrs.asdict(model)`` lists them). The fitted state lives
    outside the attrs fields.

    Contract for implementers
    -------------------------
    - ``_fit(train, valid, trainer)`` learns from a validated training Dataset. Closed-form
      models ignore ``trainer``; torch models use their default trainer when it is ``None``.
    - ``_forecast(context, steps)`` returns an array ``(member, steps, *space, variable)``
      (numpy or torch): the ``steps`` states that follow the last context point, after warming
      up on the context of each member. This class builds the Dataset: its time axis continues
      the context's.
    - ``_get_state()`` returns the fitted state as ``{name: numpy array}``; ``_set_state`` takes
      it back. ``save``/``load`` store it as ``.npz`` without pickle, with a JSON config.
    - ``_dynamics()`` returns the model's own one-step map where it has one; default ``None``.
    - ``min_context`` (a class attribute, or a property when it depends on hyperparameters such
      as a number of lags) is the shortest context window ``forecast`` accepts;
      ``backend`` (``"numpy"`` or ``"torch"``) says whether ``device`` can name a GPU.
    """

    device: str = attrs.field(default="cpu", validator=_device)
    dtype: str = attrs.field(default="float64", validator=choice(MODEL_DTYPES))
    seed: int | None = attrs.field(default=None, validator=integer(0, optional=True))

    min_context: ClassVar[int] = 1
    backend: ClassVar[str] = "numpy"

    # ------------------------------------------------------------------ fitted state
    @property
    def fit_info(self) -> FitInfo:
        """What the model learned about its data; raises :class:`NotFittedError` before ``fit``."""
        info = self.__dict__.get("_fit_info")
        if info is None:
            raise NotFittedError(f"{type(self).__name__} is not fitted; call fit(train) first")
        return info

    @property
    def is_fitted(self) -> bool:
        return self.__dict__.get("_fit_info") is not None

    def hyperparameters(self) -> dict[str, Any]:
        """The hyperparameters by name (``attrs.asdict`` of the instance)."""
        return attrs.asdict(self, recurse=False)

    # ------------------------------------------------------------------ public API
    def fit(self: M, train: xr.Dataset, *, valid: xr.Dataset | None = None, trainer: Any = None) -> M:
        """Fit on ``train`` (and ``valid`` for early stopping where used); return ``self``."""
        validate(train, name="train", min_times=2)
        info = FitInfo.from_dataset(train)
        if valid is not None:
            validate(valid, name="valid", min_times=2)
            self.check_compatible(valid, info, "valid")
        self.__dict__["_fit_info"] = None
        self._fit(train, valid=valid, trainer=trainer)
        self.__dict__["_fit_info"] = info
        return self

    def forecast(self, context: xr.Dataset, steps: int) -> xr.Dataset:
        """Warm up on ``context`` (each member), then run ``steps`` steps in closed loop.

        The result has the context's members and variables; its time axis continues the
        context's at the training ``dt``. Non-finite values (a diverged forecast) are kept.
        """
        info = self.fit_info
        validate(context, name="context", min_times=self.min_context)
        self.check_compatible(context, info, "context")
        if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
            raise ParameterError(f"forecast: steps must be a positive integer, got {steps!r}")
        values = self._forecast(context, int(steps))
        values = values.detach().cpu().numpy() if hasattr(values, "detach") else np.asarray(values)
        expected = (context.sizes["member"], int(steps), *context[STATE].shape[2:])
        if values.shape != expected:
            raise ChaoskitError(
                f"{type(self).__name__}._forecast returned shape {values.shape}, expected {expected}; "
                "this is a bug in the model"
            )
        t_last = float(context[TIME].values[-1])
        time = t_last + info.dt * np.arange(1, steps + 1)
        attrs_ = {k: v for k, v in context.chaos.attrs.items() if k not in _SIMULATION_ONLY}
        attrs_.update(provenance(
            model=type(self).__name__, model_class=_target(type(self)),
            hyperparameters=self.hyperparameters(), forecast_from=t_last, dt=info.dt,
        ))
        space = {d: context[d].values for d in context.chaos.space_dims}
        member_coords = {str(n): c.values for n, c in context.coords.items()
                         if c.dims == ("member",) and n != "member"}
        out = make_dataset(values, time=time, variables=info.variables, space=space, attrs=attrs_,
                           member_coords=member_coords)
        return out.assign_coords(member=context["member"].values)

    def dynamics(self) -> Dynamics | None:
        """The model's differentiable one-step map (advancing ``dt``), or ``None`` if it has none."""
        self.fit_info  # noqa: B018 - raises when not fitted
        return self._dynamics()

    def check_compatible(self, ds: xr.Dataset, info: FitInfo, what: str) -> None:
        """Raise :class:`DataError` unless ``ds`` has the training variables and ``dt``.

        For subclasses' own public methods that take data (e.g. a ``warm_up(context)``).
        """
        variables = ds.chaos.variables
        if variables != info.variables:
            raise DataError(
                f"{what}: variables {list(variables)} differ from the training variables "
                f"{list(info.variables)}; select or reorder them with ds.sel(variable=[...])"
            )
        if ds.sizes[TIME] > 1:
            dt = infer_dt(ds)
            if not np.isclose(dt, info.dt, rtol=1e-6):
                raise DataError(f"{what}: sampled at dt = {dt}, but the model was trained at dt = {info.dt}")

    # ------------------------------------------------------------------ persistence
    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the model to the directory ``path``: ``config.json`` and ``state.npz``."""
        info = self.fit_info
        directory = Path(path)
        directory.mkdir(parents=True, exist_ok=True)
        state = {k: np.asarray(v) for k, v in self._get_state().items()}
        for key, value in state.items():
            if value.dtype == object:
                raise ChaoskitError(f"{type(self).__name__}._get_state: entry {key!r} is not a numeric array")
        config = {
            "format": MODEL_FORMAT,
            "class": _target(type(self)),
            "hyperparameters": encode_attrs(self.hyperparameters()),
            "fit_info": {"variables": list(info.variables), "dt": info.dt,
                         "space": {k: list(v) for k, v in info.space.items()},
                         "n_train_points": info.n_train_points},
            "versions": provenance()["versions"],
        }
        text = json.dumps(config, indent=2, sort_keys=True, default=_jsonable)
        tmp = directory / "state.npz.tmp"
        with open(tmp, "wb") as fh:
            np.savez(fh, **state)  # type: ignore[arg-type]  # stub: **kwds are arrays
        os.replace(tmp, directory / "state.npz")
        (directory / "config.json").write_text(text)
        return directory

    @classmethod
    def load(cls: type[M], path: str | os.PathLike[str]) -> M:
        """Read a model written by :meth:`save` (no pickle: JSON config and an ``.npz`` of arrays)."""
        config = _read_config(path)
        if config["class"] != _target(cls):
            raise DataError(
                f"{path} holds a {config['class']} model, not {_target(cls)}; "
                "use chaoskit.load_model(path) to load whatever it holds"
            )
        return _restore(cls, config, Path(path))

    # ------------------------------------------------------------------ to implement
    @abc.abstractmethod
    def _fit(self, train: xr.Dataset, *, valid: xr.Dataset | None, trainer: Any) -> None:
        """Learn from validated data (see the class docstring)."""

    @abc.abstractmethod
    def _forecast(self, context: xr.Dataset, steps: int) -> Any:
        """Return ``(member, steps, *space, variable)`` states after the context."""

    @abc.abstractmethod
    def _get_state(self) -> Mapping[str, Any]:
        """The fitted state as named numeric arrays."""

    @abc.abstractmethod
    def _set_state(self, state: Mapping[str, np.ndarray]) -> None:
        """Restore the fitted state from :meth:`_get_state`'s arrays."""

    def _dynamics(self) -> Dynamics | None:
        return None


def _target(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def _read_config(path: str | os.PathLike[str]) -> dict[str, Any]:
    file = Path(path) / "config.json"
    if not file.is_file():
        raise DataError(f"{path} is not a saved chaoskit model (no config.json); save one with model.save(path)")
    config = json.loads(file.read_text())
    if config.get("format") != MODEL_FORMAT:
        raise DataError(f"{file}: unknown format {config.get('format')!r}, expected {MODEL_FORMAT!r}")
    return config


def _restore(cls: type[M], config: Mapping[str, Any], directory: Path) -> M:
    from .data import decode_attrs

    hyper = decode_attrs(config["hyperparameters"])
    fields = {f.name: f for f in attrs.fields(cls)}
    for key, value in list(hyper.items()):
        if isinstance(value, list) and key in fields:
            hyper[key] = tuple(value)
    model = cls(**hyper)
    with np.load(directory / "state.npz", allow_pickle=False) as npz:
        model._set_state({k: npz[k] for k in npz.files})
    fi = config["fit_info"]
    model.__dict__["_fit_info"] = FitInfo(
        variables=tuple(fi["variables"]), dt=float(fi["dt"]),
        space={k: tuple(v) for k, v in fi["space"].items()}, n_train_points=int(fi["n_train_points"]),
    )
    return model


def load_model(path: str | os.PathLike[str]) -> Model:
    """Load a saved model of any registered class (only registered classes are imported)."""
    from . import models

    config = _read_config(path)
    for entry in models.list():
        if entry.target == config["class"]:
            return _restore(models.get(entry.qualified_name), config, Path(path))
    raise DataError(
        f"{path} holds a {config['class']} model, which no installed plugin registers; "
        "install the plugin that provides it (see `chaoskit plugins`)"
    )
