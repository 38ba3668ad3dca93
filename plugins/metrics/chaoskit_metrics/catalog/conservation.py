"""Conservation diagnostics for Hamiltonian systems and PDE solvers."""

ENTRIES = [
    dict(name="conservation_drift", target="chaoskit_metrics.conservation:ConservationDrift",
         summary="Relative drift of a conserved quantity (max or secular slope), per member",
         tags=["long_term", "conservation"], aliases=["conserved_quantity_drift", "energy_drift"]),
]
