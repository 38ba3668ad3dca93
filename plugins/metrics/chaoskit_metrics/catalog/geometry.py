"""Attractor geometry and statistics: state-space divergence, spectra, marginals, MMD."""

ENTRIES = [
    dict(name="dstsp", target="chaoskit_metrics.dstsp:StateSpaceDivergence",
         summary="State-space divergence KL(p_true || p_gen): binned below 6 dimensions, GMM above",
         tags=["long_term", "geometry", "dsr"], aliases=["state_space_divergence", "d_stsp"]),
    dict(name="dstsp_binned", target="chaoskit_metrics.dstsp:BinnedStateSpaceDivergence",
         summary="Binned D_stsp: 30 bins per dimension, Laplace smoothing 1e-5, sparse histogram",
         tags=["long_term", "geometry", "dsr"], aliases=["binned_state_space_divergence"]),
    dict(name="dstsp_gmm", target="chaoskit_metrics.dstsp_gmm:GMMStateSpaceDivergence",
         summary="Gaussian-mixture Monte-Carlo D_stsp for high-dimensional states",
         tags=["long_term", "geometry", "dsr"], aliases=["gmm_state_space_divergence"]),
    dict(name="dh", target="chaoskit_metrics.power_spectrum:PowerSpectrumDistance",
         summary="Hellinger distance of smoothed power spectra (sigma 20 bins), mean over dimensions",
         tags=["long_term", "spectrum", "dsr"], aliases=["power_spectrum_distance", "d_h", "hellinger_spectrum"]),
    dict(name="wasserstein", target="chaoskit_metrics.wasserstein:MarginalWasserstein",
         summary="Wasserstein-1 distance of each variable's marginal distribution, mean over variables",
         tags=["long_term", "geometry"], aliases=["marginal_wasserstein", "wasserstein_distance"]),
    dict(name="mmd", target="chaoskit_metrics.mmd:MMD",
         summary="MMD^2 with PhyxMamba's rational-quadratic kernel mixture on standardized states",
         tags=["long_term", "geometry"], aliases=["maximum_mean_discrepancy"]),
]
