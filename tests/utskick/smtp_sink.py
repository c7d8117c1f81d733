"""A real SMTP server for the outbox tests: it counts what it is given.

Every accepted message is appended to a log file as "<Message-ID>\\t<time>\\n" before the
server answers 250, as a mail server commits a message before it says so. Options make it
refuse (451 or 550) the first messages, or pause (to let a test kill the client there):

- before taking a message (in RCPT, before the hand-over): the client is killed before the
  server has anything;
- after taking it and before answering 250: the window in which the client cannot know.

Used in-process (`start()`, a thread) and as a process of its own (`python smtp_sink.py`),
which a killed worker cannot take down with it.
"""

from __future__ import annotations

import argparse
import asyncio
import email
import os
import socket
import time
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Sink:
    def __init__(
        self,
        log: Path,
        *,
        refuse: int = 0,
        refuse_code: str = "451 4.3.0 Try again later",
        pause_at: str = "",
        pause_nth: int = 0,
        pause_seconds: float = 0.0,
        flag: Path | None = None,
    ) -> None:
        self.log = log
        self.refuse = refuse
        self.refuse_code = refuse_code
        self.pause_at = pause_at
        self.pause_nth = pause_nth
        self.pause_seconds = pause_seconds
        self.flag = flag
        self.taken = 0
        self.refused = 0
        self.rcpt_seen = 0

    async def _pause(self) -> None:
        if self.flag is not None:
            self.flag.write_text(str(time.time()))
        await asyncio.sleep(self.pause_seconds)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        self.rcpt_seen += 1
        if self.pause_at == "rcpt" and self.rcpt_seen == self.pause_nth:
            await self._pause()
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refused < self.refuse:
            self.refused += 1
            return self.refuse_code
        message = email.message_from_bytes(envelope.content)
        with self.log.open("a") as f:
            f.write(f"{message['Message-ID']}\t{time.time()}\n")
            f.flush()
            os.fsync(f.fileno())
        self.taken += 1
        if self.pause_at == "reply" and self.taken == self.pause_nth:
            await self._pause()
        return "250 OK"


def start(sink: Sink, port: int) -> Controller:
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    return controller


def read_log(log: Path) -> list[tuple[str, float]]:
    if not log.exists():
        return []
    rows = []
    for line in log.read_text().splitlines():
        mid, at = line.split("\t")
        rows.append((mid, float(at)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log", type=Path, required=True)
    parser.add_argument("--pause-at", default="", choices=["", "rcpt", "reply"])
    parser.add_argument("--pause-nth", type=int, default=0)
    parser.add_argument("--pause-seconds", type=float, default=0.0)
    parser.add_argument("--flag", type=Path)
    args = parser.parse_args()
    sink = Sink(
        args.log,
        pause_at=args.pause_at,
        pause_nth=args.pause_nth,
        pause_seconds=args.pause_seconds,
        flag=args.flag,
    )
    controller = start(sink, args.port)
    print("ready", flush=True)
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
