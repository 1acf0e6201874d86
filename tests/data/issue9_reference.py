#!/usr/bin/env python3
"""Reference numbers for issue 9's coordination checks (exact: enumeration and root finding,
no sampling). Standard library only. Run: python3 tests/data/issue9_reference.py

(a) Volunteer's dilemma, n identical players, b = 1 if at least one acts, cost c = 0.25: the
    symmetric logit QRE of the simultaneous game, q = 1/(1 + exp(-lam (b (1-q)^(n-1) - c))),
    P(nobody) = (1-q)^n; Nash limit (c/b)^(n/(n-1)).
(b) The "tour de table" meeting: tour 1, players speak once each in a fixed order, each seeing
    the realised earlier choices, each a logit response (precision lam) to its expected payoff
    anticipating the later speakers' logit responses (agent-form logit QRE of the perfect-
    information sequential game, backward induction over exact profiles: the state is the set of
    players who have acted). Tours 2..R ("last calls"): the players who have not acted are
    called again in the same order; each takes a logit response to the current record treating
    it as final (myopic); a tour 2..R in which nobody newly acts ends the meeting.
    Payoffs: act = b 1[final count >= k] - c, not act = b 1[final count >= k].

    Variants (reported separately): what tour-1 speakers anticipate
      "A" (primary): the rest of tour 1 only, as if the meeting ended after tour 1;
      "B": the rest of tour 1 and the myopic last calls that follow;
    and whether a quiet tour 1 also ends the meeting (primary: no; closure applies to tours 2..R).
"""

import math
from functools import lru_cache


def logistic(x):
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


# ---------------------------------------------------------------- (a) simultaneous games

def vd_symmetric_q(n, c, b, lam):
    """Unique root of q - logistic(lam (b (1-q)^(n-1) - c)) (the right side falls in q)."""
    f = lambda q: q - logistic(lam * (b * (1.0 - q) ** (n - 1) - c))
    lo, hi = 0.0, 1.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if f(mid) < 0.0:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def stag_symmetric_q(n, c, b, lam, steps=2000):
    """Symmetric logit QRE of the n-player stag hunt (good works iff all n act) on the principal
    branch: U_act - U_not = b q^(n-1) - c; homotopy in lambda from lam = 0 (q = 1/2), Newton at
    each step starting from the previous root."""
    g = lambda q, l: q - logistic(l * (b * q ** (n - 1) - c))

    def dg(q, l):
        s = logistic(l * (b * q ** (n - 1) - c))
        return 1.0 - s * (1.0 - s) * l * b * (n - 1) * q ** (n - 2)

    q = 0.5
    for i in range(1, steps + 1):
        l = lam * i / steps
        for _ in range(100):
            step = g(q, l) / dg(q, l)
            q -= step
            if abs(step) < 1e-15:
                break
        # the branch must stay a root and keep dg > 0 (no fold passed)
        assert abs(g(q, l)) < 1e-13 and dg(q, l) > 0.0, (l, q)
    return q


# ---------------------------------------------------------------- (b) the meeting

def meeting(n, k, b, c, lam, rounds, anticipate="A", close_quiet_tour1=False):
    """Exact outcome of the tour-de-table meeting. Returns (P(nobody acts), E[#acting],
    P(all act), P(count >= k))."""
    full = (1 << n) - 1

    def terminal_payoffs(actors):
        cnt = bin(actors).count("1")
        good = b if cnt >= k else 0.0
        return tuple(good - (c if actors >> p & 1 else 0.0) for p in range(n))

    def myopic_q(actors):
        cnt = bin(actors).count("1")
        u_act = (b if cnt + 1 >= k else 0.0) - c
        u_not = b if cnt >= k else 0.0
        return logistic(lam * (u_act - u_not))

    def after_tour(tour, actors, new, horizon):
        """State at the end of tour `tour`: go on to the next tour or stop."""
        if tour >= horizon or actors == full:
            return None
        if not new and (tour >= 2 or close_quiet_tour1):
            return None
        return (tour + 1, 0, actors, False)

    # Tour-1 choice probabilities from the anticipation model: a game with horizon `h`
    # (h = 1 for "A"; h = rounds for "B"), every tour >= 2 myopic.
    def make_value(h):
        @lru_cache(maxsize=None)
        def value(tour, pos, actors, new):
            """Expected payoff vector of all players from this node on, in the game with
            horizon h (tour-1 nodes take logit responses to these values)."""
            if pos == n:
                nxt = after_tour(tour, actors, new, h)
                if nxt is None:
                    return terminal_payoffs(actors)
                return value(*nxt)
            if actors >> pos & 1:
                return value(tour, pos + 1, actors, new)
            va = value(tour, pos + 1, actors | (1 << pos), True)
            vn = value(tour, pos + 1, actors, new)
            if tour == 1:
                q = logistic(lam * (va[pos] - vn[pos]))
            else:
                q = myopic_q(actors)
            return tuple(q * x + (1.0 - q) * y for x, y in zip(va, vn))

        return value

    anticip_value = make_value(1 if anticipate == "A" else rounds)

    def q_at(tour, pos, actors, new):
        if tour == 1:
            va = anticip_value(1, pos + 1, actors | (1 << pos), True)
            vn = anticip_value(1, pos + 1, actors, new)
            return logistic(lam * (va[pos] - vn[pos]))
        return myopic_q(actors)

    # Actual play: exact forward distribution over final actor sets.
    @lru_cache(maxsize=None)
    def outcome(tour, pos, actors, new):
        """Distribution of the final actor set, as a tuple of (set, prob)."""
        if pos == n:
            nxt = after_tour(tour, actors, new, rounds)
            if nxt is None:
                return ((actors, 1.0),)
            return outcome(*nxt)
        if actors >> pos & 1:
            return outcome(tour, pos + 1, actors, new)
        q = q_at(tour, pos, actors, new)
        d = {}
        for s, p in outcome(tour, pos + 1, actors | (1 << pos), True):
            d[s] = d.get(s, 0.0) + q * p
        for s, p in outcome(tour, pos + 1, actors, new):
            d[s] = d.get(s, 0.0) + (1.0 - q) * p
        return tuple(sorted(d.items()))

    dist = outcome(1, 0, 0, False)
    total = sum(p for _, p in dist)
    assert abs(total - 1.0) < 1e-12
    nobody = sum(p for s, p in dist if s == 0)
    mean = sum(p * bin(s).count("1") for s, p in dist)
    allp = sum(p for s, p in dist if s == full)
    atk = sum(p for s, p in dist if bin(s).count("1") >= k)
    return nobody, mean, allp, atk


def main():
    c, b = 0.25, 1.0
    print("(a) Volunteer's dilemma, simultaneous game, symmetric logit QRE (b = 1, c = 0.25)")
    for n in (5, 2):
        print(f"  n = {n}")
        print("    lambda        q          P(nobody)")
        for lam in (1, 5, 10, 20, 50, 100):
            q = vd_symmetric_q(n, c, b, lam)
            print(f"    {lam:>6}   {q:.6f}   {(1 - q) ** n:.6f}")
        qn = 1.0 - (c / b) ** (1.0 / (n - 1))
        print(f"    Nash     {qn:.6f}   {(c / b) ** (n / (n - 1)):.6f}   (c/b)^(n/(n-1))")

    for variant, close1, label in (
        ("A", False, "primary: tour 1 anticipates tour 1 only; closure in tours 2..R"),
        ("B", False, "variant B: tour 1 also anticipates the myopic last calls"),
        ("A", True, "variant A1: as primary, but a quiet tour 1 also ends the meeting"),
    ):
        print()
        print(f"(b) Meeting, {label}")
        print("  Volunteer's dilemma n = 5, k = 1, b = 1, c = 0.25")
        print("    R   lam=5 P(nobody)  E[#]      lam=20 P(nobody)  E[#]")
        for r in range(1, 11):
            a = meeting(5, 1, b, c, 5.0, r, variant, close1)
            z = meeting(5, 1, b, c, 20.0, r, variant, close1)
            print(f"   {r:>2}   {a[0]:.6e}   {a[1]:.6f}   {z[0]:.6e}   {z[1]:.6f}")
        print("  Stag hunt n = 4, k = 4, b = 1, c = 0.3: P(all act)")
        print("    R   lam=5       lam=10")
        for r in range(1, 11):
            a = meeting(4, 4, 1.0, 0.3, 5.0, r, variant, close1)
            z = meeting(4, 4, 1.0, 0.3, 10.0, r, variant, close1)
            print(f"   {r:>2}   {a[2]:.6f}   {z[2]:.6f}")

    print()
    print("Stag hunt n = 4, k = 4, c = 0.3, simultaneous game, symmetric logit QRE, principal branch")
    print("    lambda   q          P(all act)   P(nobody)")
    for lam in (5.0, 10.0):
        q = stag_symmetric_q(4, 0.3, 1.0, lam)
        print(f"    {lam:>5}   {q:.6f}   {q ** 4:.6e}   {(1 - q) ** 4:.6f}")


if __name__ == "__main__":
    main()
