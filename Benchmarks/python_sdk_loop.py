"""The baseline the reconciler is measured against: a plain loop over the official Python SDK
(`porter-sandbox`), creating COUNT sandboxes with THREADS threads, the same requests porter-fleet sends
(name, image, command and four ownership tags). Prints the seconds the creates took (start-up excluded).

    python3 Benchmarks/python_sdk_loop.py --base-url URL --count 1000 --threads 16 --prefix py
"""

from __future__ import annotations

import argparse
import time
from concurrent.futures import ThreadPoolExecutor

from porter_sandbox import Porter


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--prefix", default="py")
    options = parser.parse_args()

    client = Porter(base_url=options.base_url)

    def create(index: int) -> None:
        name = f"{options.prefix}-{index}"
        client.sandboxes.create(
            "bench:1",
            name=f"{name}-g1",
            tags={
                "porter-fleet/fleet": options.prefix,
                "porter-fleet/name": name,
                "porter-fleet/generation": "1",
                "porter-fleet/spec-hash": "0123456789abcdef",
            },
            command=["sleep", "infinity"],
        )

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=options.threads) as pool:
        list(pool.map(create, range(options.count)))
    print(f"{time.perf_counter() - started:.3f}")
    client.close()


if __name__ == "__main__":
    main()
