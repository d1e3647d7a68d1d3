#!/usr/bin/python3
"""Optuna's TPE on the servokit optimizer benchmark: the same functions, budget, seeds and noise.

bench-optimizer (the C++ side) defines the problems, measures each trial (the noise depends on the
seed and the trial number, so every method sees the same draws) and scores the reported best, so
the functions exist once. Prints one JSON line per function: {"function": ..., "tpe": [regrets]}.

usage: optimizer_tpe.py BENCH_OPTIMIZER [seeds]
needs Debian's python3-optuna (apt-get install python3-optuna); it is for this benchmark only.
"""
import json
import math
import subprocess
import sys
import warnings

import optuna

BUDGET = 30


class Evaluator:
    def __init__(self, program):
        self.process = subprocess.Popen([program, "serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def ask(self, request):
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def close(self):
        self.process.stdin.close()
        self.process.wait()


def space_of(descriptor):
    """(component, setting, kind, arguments) for each setting that is not pinned."""
    settings = []
    for component, body in descriptor["application"]["components"].items():
        for name, setting in body["settings"].items():
            settings.append((component, name, setting))
    return settings


def suggest(trial, settings):
    chosen = {}
    for component, name, setting in settings:
        key = component + "." + name
        if setting.get("pinned"):
            value = setting["value"]
        elif setting.get("type") == "enum":
            value = trial.suggest_categorical(key, setting["values"])
        else:
            low, high, step = setting["min"], setting["max"], setting["step"]
            last = math.floor((high - low) / step + 1e-9)
            if float(low).is_integer() and float(step).is_integer():
                value = trial.suggest_int(key, int(low), int(low + last * step), step=int(step))
            else:
                value = trial.suggest_float(key, low, low + last * step, step=step)
                value = round(value, 9)
        chosen.setdefault(component, {})[name] = value
    return chosen


def run(evaluator, problem, noisy, seed):
    settings = space_of(problem["descriptor"])
    baseline = {c + "." + n: s["value"] for c, n, s in settings if not s.get("pinned")}
    sampler = optuna.samplers.TPESampler(
        seed=seed, constraints_func=lambda frozen: [frozen.user_attrs["violation"]])
    study = optuna.create_study(direction="maximize" if problem["maximize"] else "minimize", sampler=sampler)
    study.enqueue_trial(baseline)   # the same first trial as servokit's
    measured = []
    for number in range(BUDGET):
        trial = study.ask()
        chosen = suggest(trial, settings)
        answer = evaluator.ask({"function": problem["name"], "noisy": noisy, "seed": seed, "trial": number,
                                "settings": chosen})
        if answer["status"] == "failed" or answer["value"] is None:
            trial.set_user_attr("violation", 1.0)
            study.tell(trial, state=optuna.trial.TrialState.FAIL)
            continue
        trial.set_user_attr("violation", answer["violation"])
        study.tell(trial, answer["value"])
        if answer["status"] == "ok":
            measured.append((answer["value"], chosen))
    if not measured:
        best = None
    else:
        pick = max if problem["maximize"] else min
        best = pick(measured, key=lambda item: item[0])[1]
    return evaluator.ask({"function": problem["name"], "score": True, "settings": best})["regret"]


def main():
    program = sys.argv[1]
    seeds = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
    problems = [json.loads(line) for line in subprocess.run([program, "problems"], check=True, capture_output=True,
                                                            text=True).stdout.splitlines()]
    evaluator = Evaluator(program)
    for problem in problems:
        for noisy in (False, True):
            regrets = [run(evaluator, problem, noisy, seed) for seed in range(1, seeds + 1)]
            print(json.dumps({"function": problem["name"] + ("+noise" if noisy else ""), "tpe": regrets}), flush=True)
    evaluator.close()


if __name__ == "__main__":
    main()
