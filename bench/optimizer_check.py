#!/usr/bin/python3
"""The design check of a held-out set (bench/optimizer_heldout*.py run as a program): for each
problem its baseline, optimum and argmin, baseline regret, the crashing and infeasible share of its
grid, and optionally random search's median regret at 60 trials, without and with noise. It checks
that the known minimum is attained on the grid and never undercut and that the baseline is
feasible (and, for the later sets, that every default is on its grid and the optimum is not the
baseline), and for the sets from the sixth on that the centre of each box is not a good point.
Runs no optimizer other than random search."""
import itertools
import math
import statistics
import sys
import time

import numpy as np

import optimizer_suite as suite


def scan_grid(p):
    """Scans a problem's grid (every point up to 1.5M points, else 200k uniform draws): returns
    (size, how, crashed, infeasible, count, best feasible value, its configuration); every feasible
    value must be positive."""
    keys = [d["name"] for d in p.dims]
    grids = [suite.grid(d) for d in p.dims]
    size = math.prod(len(g) for g in grids)
    if size <= 1_500_000:
        configs, how = itertools.product(*grids), "enumerated"
    else:
        rng = np.random.default_rng(1)
        configs, how = (tuple(g[rng.integers(len(g))] for g in grids) for _ in range(200_000)), "200k drawn"
    crashed = infeasible = count = 0
    best, argmin = math.inf, None
    for combo in configs:
        config = dict(zip(keys, combo))
        value, feasible = p.value(config)
        count += 1
        if value is None:
            crashed += 1
        elif not feasible:
            infeasible += 1
        else:
            assert value > 0, (p.name, config)
            if value < best:
                best, argmin = value, config
    return size, how, crashed, infeasible, count, best, argmin


def check_set(add_problems, known_argmin, random_seeds=0, strict=True):
    """Checks and prints every problem of a set (or those named on the command line).

    add_problems: the set's add_problems(P, Problem, rng_range, enum, positive).
    known_argmin(name, problem): for a grid too large to enumerate, (argmin, exact minimum or None
        when the argmin is known by construction); the minimum, when given, must equal the
        problem's known_min.
    random_seeds: seeds of random search's 60-trial median regret (0: not run).
    strict: also every default on its grid, every range's grid ending at its max, and the optimum
        not at the baseline (asked of the sets from the fourth on; the third has a range whose
        step does not divide it)."""
    only = sys.argv[1:]
    problems = {}
    started = time.time()
    names = add_problems(problems, suite.Problem, suite.rng_range, suite.enum, suite.positive)
    print("built %d problems in %.1f s" % (len(names), time.time() - started))
    for name in names:
        if only and name not in only:
            continue
        started = time.time()
        p = problems[name]
        keys = [d["name"] for d in p.dims]
        grids = [suite.grid(d) for d in p.dims]
        size, how, crashed, infeasible, count, best, argmin = scan_grid(p)
        optimum = p.optimum
        assert best >= optimum * (1 - 1e-12), (name, best, optimum)
        if size <= 1_500_000:
            assert best == optimum, name
        else:
            argmin, exact = known_argmin(name, p)
            if exact is not None:
                assert abs(exact - optimum) <= 1e-12 * optimum, (name, exact, optimum)
        assert all(argmin[k] in g for k, g in zip(keys, grids)), (name, argmin)
        assert p.value(argmin) == (optimum, True), (name, argmin, p.value(argmin), optimum)
        baseline = p.value(p.baseline)
        assert baseline[0] is not None and baseline[1], name
        if strict:
            assert argmin != p.baseline, name
            for d, g in zip(p.dims, grids):
                assert d["value"] in g, (name, d)
                if d["kind"] == "range":
                    assert g[-1] == d["max"], (name, d)
        line = "%-22s %2d settings, %10d points (%s): baseline %.5g, optimum %.6g, baseline regret %.3f, crash %.1f%%, infeasible %.1f%%" % (
            name, len(keys), size, how, baseline[0], optimum, (baseline[0] - optimum) / optimum,
            100 * crashed / count, 100 * infeasible / count)
        if random_seeds:
            regrets = [statistics.median(p.regret(suite.run_random(p, seed, suite.Measurer(p, seed, noisy), 60)[0][60])
                                         for seed in range(1, random_seeds + 1)) for noisy in (False, True)]
            line += "; random@60 median regret %.3f (noise %.3f)" % tuple(regrets)
        print("%s; %.0f s\n%22s argmin %s" % (line, time.time() - started, "", argmin), flush=True)
    return problems


def centre_regrets(p):
    """The regret at the centre of the box (each range's midpoint on its grid, each enum's middle
    value), with the lower and with the upper middle where there are two: what a method that
    starts at the centre gets for free. None when it crashes or violates a bound."""
    regrets = []
    for upper in (False, True):
        centre = {}
        for d in p.dims:
            values = suite.grid(d)
            if d["kind"] == "enum":
                centre[d["name"]] = values[len(values) // 2 if upper else (len(values) - 1) // 2]
            else:
                middle = (d["min"] + d["max"]) / 2.0
                centre[d["name"]] = min(values, key=lambda v, m=middle: (abs(v - m), -v if upper else v))
        value, feasible = p.value(centre)
        regrets.append(None if value is None or not feasible else (value - p.optimum) / p.optimum)
    return regrets


def check_centres(problems, floor=0.3):
    """Prints each problem's centre regrets (those named on the command line, or all) and asserts
    that the centre of its box is not a good point: a regret of at least `floor`, or a crash or an
    infeasible point."""
    only = sys.argv[1:]
    for name, p in problems.items():
        if only and name not in only:
            continue
        regrets = centre_regrets(p)
        print("%-24s centre of the box: regret %s" % (name, ", ".join("crash or infeasible" if r is None else "%.3f" % r
                                                                     for r in regrets)))
        assert all(r is None or r >= floor for r in regrets), (name, regrets)


def check_later_set(add_problems, known_argmin):
    """The design check of a set from the sixth on, run as its program: check_set with random
    search over 10 seeds, then the centre of each box (check_centres). Arguments: problem names
    (default all)."""
    check_centres(check_set(add_problems, known_argmin, random_seeds=10))
