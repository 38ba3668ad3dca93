"""Complexity and chaos indicators: ordinal-pattern entropy and complexity, 0-1 test, SampEn."""

ENTRIES = [
    dict(name="permutation_entropy", target="chaoskit_metrics.permutation_entropy:PermutationEntropy",
         summary="Normalized permutation entropy (Bandt-Pompe; pattern size n, sampling interval lag)",
         tags=["long_term", "complexity"], aliases=["pe_bandt_pompe", "permutation_entropy_normalized"]),
    dict(name="statistical_complexity", target="chaoskit_metrics.permutation_entropy:StatisticalComplexity",
         summary="Jensen-Shannon statistical complexity of ordinal patterns (Rosso 2007)",
         tags=["long_term", "complexity"], aliases=["jensen_shannon_complexity"]),
    dict(name="zero_one_test", target="chaoskit_metrics.zero_one:ZeroOneTest",
         summary="0-1 test for chaos (Gottwald-Melbourne, median K), with automatic subsampling",
         tags=["long_term", "complexity", "chaos"], aliases=["zero_one", "01_test", "gottwald_melbourne"]),
    dict(name="sample_entropy", target="chaoskit_metrics.sample_entropy:SampleEntropy",
         summary="Sample entropy (m = 2, r = 0.2 std), tree-based pair counts",
         tags=["long_term", "complexity"], aliases=["sampen"]),
]
