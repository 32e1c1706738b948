"""The image's HEALTHCHECK: GET /healthz of the component this container runs.

The component is the word after `jwtpizza` in PID 1's command line; its port comes from the
same environment variable the component reads (JWTPIZZA_PORT, JWTPIZZA_FACTORY_PORT,
JWTPIZZA_OPS_PORT), so one image serves every component. Exit 0 if healthy, 1 if not.
"""

import itertools
import os
import sys
import urllib.request

PORTS = {
    "service": ("JWTPIZZA_PORT", "3000"),
    "up": ("JWTPIZZA_PORT", "3000"),
    "factory": ("JWTPIZZA_FACTORY_PORT", "4000"),
    "ops": ("JWTPIZZA_OPS_PORT", "3300"),
}


def component() -> str:
    with open("/proc/1/cmdline", "rb") as cmdline:
        words = [word.decode() for word in cmdline.read().split(b"\0") if word]
    for before, word in itertools.pairwise(words):
        if before.endswith("jwtpizza") and word in PORTS:
            return word
    return "service"


def main() -> int:
    variable, default = PORTS[component()]
    port = os.environ.get(variable, default)
    try:
        url = f"http://127.0.0.1:{port}/healthz"
        with urllib.request.urlopen(url, timeout=2) as answer:
            return 0 if answer.status == 200 else 1
    except OSError as error:
        print(f"unhealthy: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
