"""The all-regions change of a metric that adds up over regions, as the sum of the regions' own
corrected estimates, so that the ``ALL`` row equals the sum of the rows above it (its expected
baseline value too).

Each region's expected change is corrected by its own regression on the spared strikes and
parameters (``control_variates.ControlFit``). A regression fitted to the regions' sum instead gives
another estimate of the same number, which differs from the sum of the regions by its Monte-Carlo
error (1.2–1.3 standard errors for person-days below 9 °C on the embedded case), and a reader
adding up the regions would find a total that is not the one printed. Estimates add, and so do
their jackknife replicates, because every region's replicates leave out the same groups of members
(``control_variates.jackknife_groups``): the error of the sum comes from the summed replicates and
carries the covariance between regions. The known means' own errors are bounded by adding their
standard deviations, as for the controls of the sum.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from gridimpact.model.control_variates import jackknife_error


@dataclass
class RegionSums:
    """Running sums over blocks of regions for one scenario and metric."""

    mean: dict[str, float] = field(default_factory=dict)
    replicates: dict[str, np.ndarray] = field(default_factory=dict)
    known_sd: dict[str, float] = field(default_factory=dict)

    def add(self, kind: str, mean: np.ndarray, again: np.ndarray, extra: np.ndarray) -> None:
        """Fold in one block's corrected mean changes ``kind`` (U,), their replicates (G, U) and the
        variance (U,) of their known means (``ControlFit.estimate_with_replicates``)."""
        self.mean[kind] = self.mean.get(kind, 0.0) + float(mean.sum())
        self.replicates[kind] = self.replicates.get(kind, 0.0) + again.sum(axis=1)
        self.known_sd[kind] = self.known_sd.get(kind, 0.0) + float(np.sqrt(extra).sum())

    def estimate(self, kind: str) -> tuple[float, float]:
        """The sum over regions of the change ``kind`` and its standard error."""
        return self.mean[kind], float(jackknife_error(self.replicates[kind], self.known_sd[kind] ** 2))

    def overwrite(self, row: dict) -> dict:
        """The ``ALL`` comparison row with its changes replaced by the sums over regions."""
        difference, se = self.estimate("expected")
        base, base_se = self.estimate("baseline")  # a region may have more members than ALL's totals
        row = row | {"difference": difference, "difference_mean": difference, "difference_se": se,
                     "baseline_value": base, "baseline_value_se": base_se, "scenario_value": base + difference,
                     "relative_change": difference / base if base else np.nan}
        if "held" in self.mean:
            held, held_se = self.estimate("held")
            row |= {"difference_if_held": held, "difference_if_held_se": held_se,
                    "difference_if_breached": self.mean["breached"]}
        return row
