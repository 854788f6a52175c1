"""Peak RSS while playing 1080p30 in real time with audio (target <= 250 MB).

.venv/bin/python -m benchmarks.memory [--seconds 20]
"""

from __future__ import annotations

import argparse
import json
import resource

from player import Player, PlayerState
from player.video_sink import NullVideoSink

from .media import make_1080p30


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=20)
    args = parser.parse_args()
    clip = make_1080p30(args.seconds)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    player = Player(video_sink=NullVideoSink())
    player.open(str(clip))
    state = player.wait_for_state({PlayerState.ENDED, PlayerState.ERROR}, args.seconds + 30)
    report = player.report()
    player.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "benchmark": "memory",
                "state": None if state is None else state.value,
                "rss_before_open_mb": round(before, 1),
                "peak_rss_mb": round(peak, 1),
                "frames": report["frames"],
                "target": "peak <= 250 MB",
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
