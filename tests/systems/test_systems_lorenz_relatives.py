"""The Lorenz relatives (``flows/lorenz_relatives.py``) against plain numpy transcriptions of
their published equations, their analytic Jacobians, and properties the papers state."""

from __future__ import annotations

from functools import partial

import attrs
import numpy as np
import pytest

import chaoskit


def variants(system: chaoskit.System) -> list[chaoskit.System]:
    """The system at its defaults and with every scalar parameter changed by a different factor."""
    changed = {}
    for i, (key, value) in enumerate(sorted(system.parameters.items())):
        if isinstance(value, float):
            changed[key] = value * (1.07 + 0.031 * i) if value != 0 else 0.03 * (i + 1)
    return [system, attrs.evolve(system, **changed)]


def check_rhs(name: str, reference, states, rtol: float = 1e-12) -> None:
    for system in variants(chaoskit.systems.create(name)):
        x = np.asarray(states, dtype=float)
        want = np.array([reference(s, **system.parameters) for s in x])
        got = system.rhs(0.0, x)
        np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol * np.abs(want).max())


def check_jacobian(name: str, states) -> None:
    for system in variants(chaoskit.systems.create(name)):
        x = np.asarray(states, dtype=float)
        numeric = chaoskit.finite_difference_jacobian(partial(system.rhs, 0.0), x)
        np.testing.assert_allclose(
            system.jacobian(0.0, x), numeric, rtol=1e-6, atol=1e-7 * np.abs(numeric).max()
        )


# ----------------------------------------------------------------- the papers' equations, in numpy
def lorenz_bounded(s, beta, r, rho, sigma):  # Sprott & Xiong: Lorenz field times (1 - |x|²/r²)
    x, y, z = s
    squeeze = 1.0 - (x**2 + y**2 + z**2) / r**2
    return [
        sigma * (y - x) * squeeze,
        (rho * x - x * z - y) * squeeze,
        (x * y - beta * z) * squeeze,
    ]


def lorenz_coupled(s, beta, eps, rho1, rho2, sigma):
    x1, y1, z1, x2, y2, z2 = s
    return [
        sigma * (y1 - x1),
        rho1 * x1 - x1 * z1 - y1,
        x1 * y1 - beta * z1,
        sigma * (y2 - x2) + eps * (x1 - x2),
        rho2 * x2 - x2 * z2 - y2,
        x2 * y2 - beta * z2,
    ]


def lorenz_stenflo(s, a, b, c, d):  # Stenflo 1996 (σ = a, b, r = c, s = d)
    x, y, z, w = s
    return [a * (y - x) + d * w, c * x - x * z - y, x * y - b * z, -x - a * w]


def lu_chen(s, a, b, c):  # Lü & Chen 2002
    x, y, z = s
    return [a * (y - x), -x * z + c * y, x * y - b * z]


def lu_chen_cheng(s, a, b, c):  # Lü, Chen & Cheng 2004
    x, y, z = s
    return [-(a * b) / (a + b) * x - y * z + c, a * y + x * z, b * z + x * y]


def pan_xu_zhou(s, a, c, d, eps, f, k):  # Dequan Li family form
    x, y, z = s
    return [a * (y - x) + d * x * z, k * x + f * y - x * z, c * z + x * y - eps * x**2]


def qi_chen(s, a, b, c):
    x, y, z = s
    return [a * (y - x) + y * z, c * x + y - x * z, x * y - b * z]


def liu_chen(s, a, b, c, h, p, q, r, s_):  # Sakarya form
    x, y, z = s
    return [a * x + h * y + s_ * y * z, -b * y - p * x + q * x * z, c * z - r * x * y]


def rayleigh_benard(s, a, b, r):
    x, y, z = s
    return [a * (y - x), r * y - x * z, x * y - b * z]


def lorenz84(s, a, b, f, g):  # Lorenz 1984
    x, y, z = s
    return [-(y**2) - z**2 - a * x + a * f, x * y - b * x * z - y + g, b * x * y + x * z - z]


def newton_liepnik(s, a, b):  # Leipnik & Newton 1981
    x, y, z = s
    return [-a * x + y + 10 * y * z, -x - 0.4 * y + 5 * x * z, b * z - 5 * x * y]


REFERENCES = {
    "LorenzBounded": lorenz_bounded,
    "LorenzCoupled": lorenz_coupled,
    "LorenzStenflo": lorenz_stenflo,
    "LuChen": lu_chen,
    "LuChenCheng": lu_chen_cheng,
    "PanXuZhou": pan_xu_zhou,
    "QiChen": qi_chen,
    "RayleighBenard": rayleigh_benard,
    "Lorenz84": lorenz84,
    "NewtonLiepnik": newton_liepnik,
}


def states(name: str) -> np.ndarray:
    x0 = np.array(chaoskit.systems.create(name).metadata.initial_state)
    other = np.array([1.3, -0.7, 2.9, -1.9, 0.4, 3.3])[: x0.size]
    return np.stack([x0, other, 0.5 * x0[::-1]])


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_rhs_matches_the_published_equations(name: str) -> None:
    check_rhs(name, REFERENCES[name], states(name))


def test_liu_chen_matches_the_sakarya_form() -> None:  # parameter s clashes with the state name
    def reference(x, a, b, c, h, p, q, r, s):
        return liu_chen(x, a, b, c, h, p, q, r, s_=s)

    check_rhs("LiuChen", reference, states("LiuChen"))


@pytest.mark.parametrize("name", [*sorted(REFERENCES), "LiuChen"])
def test_analytic_jacobian_matches_finite_differences(name: str) -> None:
    check_jacobian(name, states(name))


def test_pan_xu_zhou_defaults_are_the_paper_system() -> None:
    # Zhou et al. 2008: ẋ = a(y − x), ẏ = cx − xz, ż = xy − bz with a = 10, b = 8/3, c = 16
    system = chaoskit.systems.create("PanXuZhou")
    assert system.c == -8.0 / 3.0
    x = states("PanXuZhou")
    want = np.stack(
        [
            10 * (x[:, 1] - x[:, 0]),
            16 * x[:, 0] - x[:, 0] * x[:, 2],
            x[:, 0] * x[:, 1] - 8 / 3 * x[:, 2],
        ],
        axis=-1,
    )
    np.testing.assert_allclose(system.rhs(0.0, x), want, rtol=1e-13)


def test_lorenz_bounded_sphere_is_fixed_and_inside_is_lorenz() -> None:
    system = chaoskit.systems.create("LorenzBounded")
    assert system.beta == 8.0 / 3.0
    direction = np.array([[0.3, -0.5, 0.8], [-1.0, 0.2, 0.1]])
    on_sphere = system.r * direction / np.linalg.norm(direction, axis=1, keepdims=True)
    np.testing.assert_allclose(system.rhs(0.0, on_sphere), 0.0, atol=1e-10)
    lorenz = chaoskit.systems.create("lorenz")
    x = np.array([[1.0, 2.0, 3.0]])
    factor = 1.0 - 14.0 / system.r**2
    np.testing.assert_allclose(system.rhs(0.0, x), factor * lorenz.rhs(0.0, x), rtol=1e-13)


def test_lorenz_coupled_drive_ignores_the_response() -> None:
    system = chaoskit.systems.create("LorenzCoupled")
    assert system.beta == 8.0 / 3.0 and "rho" not in system.parameters
    jac = system.jacobian(0.0, states("LorenzCoupled"))
    assert np.all(jac[:, :3, 3:] == 0.0)


def test_lu_chen_cheng_rejects_a_plus_b_zero() -> None:
    with pytest.raises(chaoskit.ParameterError, match="a \\+ b"):
        chaoskit.systems.create("LuChenCheng", a=-4.0, b=4.0)


def test_newton_leipnik_aliases() -> None:
    for alias in ("NewtonLiepnik", "newton_leipnik", "leipnik_newton"):
        assert chaoskit.systems.info(alias).name == "newton_liepnik"
