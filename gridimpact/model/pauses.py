"""How a pause turns out: it fails to start, holds for part of its window and is breached, or holds.

The outcome of a pause in a member is one number, the share of its window that held, ``h`` in
[0, 1]: 0 when it failed, ``U[low, high]`` when it was breached, 1 when it held. A strike that falls
a share ``φ`` of the way into the window (on a region the pause covers) is suppressed when ``h > φ``,
so the chance that it is suppressed is the survival function

    S(φ) = P(h > φ) = p_held + p_breached · P(U > φ),

and the strikes a member suppresses are always its first ones in the window: the outcomes of a
member are nested. That is what lets ``ensemble`` take the expectation over the outcome exactly,
from one run per nested set, instead of from the luck of which members' pauses held.

The outcome probabilities (p_failed, p_breached, p_held) carry their uncertainty as a Dirichlet
posterior built from the precedents in seeds/pause_outcomes.toml, each with a stated weight.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gridimpact.errors import ParameterError

OUTCOMES = ("failed", "breached", "held")


@dataclass(frozen=True)
class PauseOutcomes:
    """Probabilities of the three outcomes and how much of its window a breached pause holds.

    ``concentration`` is the Dirichlet posterior (pseudo-counts of failed, breached, held) when the
    probabilities are uncertain, else None and ``probabilities`` are fixed.
    """

    probabilities: tuple[float, float, float]
    held_share: tuple[float, float] = (0.0, 0.571)
    concentration: tuple[float, float, float] | None = None

    @classmethod
    def fixed(cls, held: float, breached: float = 0.0, held_share: tuple[float, float] = (0.0, 0.571)) -> PauseOutcomes:
        if not (0.0 <= held <= 1.0 and 0.0 <= breached <= 1.0 - held + 1e-12):
            raise ParameterError(f"pause outcome probabilities must lie in [0, 1] and add up to at most 1: "
                                 f"held {held}, breached {breached}")
        return cls((max(0.0, 1.0 - held - breached), breached, held), held_share)

    @classmethod
    def posterior(cls, concentration, held_share) -> PauseOutcomes:
        alpha = np.asarray(concentration, dtype=float)
        return cls(tuple(float(a) for a in alpha / alpha.sum()), tuple(held_share), tuple(float(a) for a in alpha))

    @property
    def held(self) -> float:
        return self.probabilities[2]

    @property
    def breached_given_not_held(self) -> float:
        """Of the members in which the pause does not hold fully, the share in which it holds for a while."""
        failed, breached, _ = self.probabilities
        return breached / (failed + breached) if failed + breached > 0 else 0.0

    def with_full_hold(self, held: float) -> PauseOutcomes:
        """Fixed probabilities with P(held) = ``held``; the rest split as failed / breached are now."""
        if not 0.0 <= held <= 1.0:
            raise ParameterError(f"compliance must be between 0 and 1, got {held}")
        return PauseOutcomes.fixed(held, (1.0 - held) * self.breached_given_not_held, self.held_share)

    def survival(self, phi: np.ndarray, probabilities=None) -> np.ndarray:
        """P(held share > φ) for φ in [0, 1): the chance that a strike at φ of the window is suppressed."""
        _, breached, held = self.probabilities if probabilities is None else probabilities
        low, high = self.held_share
        phi = np.asarray(phi, dtype=float)
        beyond = (np.clip((high - phi) / (high - low), 0.0, 1.0) if high > low
                  else (phi < low).astype(float))
        return np.where(phi < 1.0, held + breached * beyond, 0.0)

    def expected_held_share(self) -> float:
        _, breached, held = self.probabilities
        return held + breached * (self.held_share[0] + self.held_share[1]) / 2

    def draw(self, rng: np.random.Generator) -> float:
        """One member's share of the window held: probabilities from the posterior, then the outcome.

        Always two uniforms and, when the probabilities are uncertain, one Dirichlet draw, so the
        number of draws does not depend on the outcome.
        """
        probabilities = (rng.dirichlet(self.concentration) if self.concentration is not None
                         else np.asarray(self.probabilities))
        pick, share = rng.uniform(size=2)
        low, high = self.held_share
        if pick < probabilities[0]:
            return 0.0
        if pick < probabilities[0] + probabilities[1]:
            return low + share * (high - low)
        return 1.0


def outcomes_from_precedents(document: dict) -> PauseOutcomes:
    """The Dirichlet posterior of a precedents document (seeds/pause_outcomes.toml, read by
    ``io.readers.scenarios.precedent_outcomes``): its flat prior plus each weighted precedent."""
    counts = np.asarray(document["prior"], dtype=float)
    for precedent in document["precedents"]:
        counts[OUTCOMES.index(precedent["outcome"])] += float(precedent["weight"])
    return PauseOutcomes.posterior(counts, tuple(document["breach"]["held_share"]))


def beta_interval(outcomes: PauseOutcomes, outcome: str = "held", level: float = 0.9) -> tuple[float, float]:
    """Central interval of one outcome's probability under the posterior (a Beta marginal)."""
    if outcomes.concentration is None:
        value = outcomes.probabilities[OUTCOMES.index(outcome)]
        return value, value
    alpha = np.asarray(outcomes.concentration)
    a = alpha[OUTCOMES.index(outcome)]
    draws = np.random.default_rng(0).beta(a, alpha.sum() - a, size=200_000)
    tail = (1 - level) / 2
    low, high = np.quantile(draws, [tail, 1 - tail])
    return float(low), float(high)
