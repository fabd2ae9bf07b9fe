"""Plots the limiter's behaviour in the throttled benchmark: the concurrency limit, calls in flight and
the learned rate over time, with the creates answered 429 marked. Reads the CSV the reconciler
benchmark writes (`--flow-csv`), writes a PNG.

    python3 Benchmarks/plot_flow_control.py flow-control.csv docs/flow-control.png
"""

from __future__ import annotations

import csv
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main() -> None:
    source, target = sys.argv[1], sys.argv[2]
    rows = list(csv.DictReader(open(source)))
    seconds = [float(row["seconds"]) for row in rows]
    figure, (top, bottom) = plt.subplots(2, 1, figsize=(9, 6), sharex=True)
    top.step(seconds, [float(row["limit"]) for row in rows], where="post", label="concurrency limit")
    top.step(seconds, [int(row["in_flight"]) for row in rows], where="post", label="calls in flight", alpha=0.6)
    top.set_ylabel("calls")
    top.legend(loc="upper right")
    top.set_title("Converging 1,500 sandboxes against an API limited to 100 requests/s (default flags)")
    bottom.step(seconds, [float(row["learned_rate"]) for row in rows], where="post", label="learned rate (calls/s)")
    bottom.step(seconds, [float(row["creates_per_s"]) for row in rows], where="post", label="creates answered 201 (/s)", alpha=0.6)
    throttled = [(s, float(row["throttled_total"])) for s, row in zip(seconds, rows)]
    marks = [s for (s, total), (_, previous) in zip(throttled[1:], throttled) if total > previous]
    bottom.plot(marks, [5] * len(marks), "rv", label="429 answers in the interval")
    bottom.axhline(100, color="grey", linestyle=":", label="the API's quota")
    bottom.set_ylim(0, 300)  # the first burst (the quota's bucket, then 429s) goes off the top
    bottom.set_xlabel("seconds")
    bottom.set_ylabel("per second")
    bottom.legend(loc="lower right")
    figure.tight_layout()
    figure.savefig(target, dpi=110)


if __name__ == "__main__":
    main()
