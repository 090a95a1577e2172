"""Run the real server in a subprocess and talk to it like a client does."""

import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

PROJECT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_server(
    env: dict[str, str], *, workers: int = 1, port: int | None = None
) -> Iterator[str]:
    """Start `python server.py serve` on `port` (a free one by default); yield its base URL;
    stop it after."""
    port = port or free_port()
    # A file, not a pipe: nobody reads the server's log while it runs, and a full pipe would
    # block it. It is read back only to explain a server that died or never became ready.
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(  # noqa: S603 -- our own server, fixed arguments
            [sys.executable, "server.py", "serve", "--port", str(port), "--workers", str(workers)],
            cwd=PROJECT,
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        base_url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_ready(base_url, process, log)
            yield base_url
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_ready(
    base_url: str, process: subprocess.Popen, log: IO[bytes], timeout: float = 60
) -> None:
    """Poll /readyz; each worker imports the whole app, which on a loaded 2-core machine takes
    a good part of a minute, so the deadline is generous (and still bounded)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {_tail(log)}")
        try:
            if httpx.get(f"{base_url}/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"server at {base_url} not ready after {timeout}s: {_tail(log)}")


def _tail(log: IO[bytes]) -> str:
    log.seek(0)
    return log.read().decode(errors="replace")[-2000:]


class GraphQLWebSocket:
    """A minimal `graphql-transport-ws` client."""

    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection

    async def send(self, message: dict[str, Any]) -> None:
        await self.connection.send(json.dumps(message))

    async def receive(self, within: float = 5) -> dict[str, Any]:
        """The next message that is not a keep-alive ping, waiting at most `within` seconds."""
        while True:
            message = json.loads(await asyncio.wait_for(self.connection.recv(), within))
            if message["type"] == "ping":
                await self.send({"type": "pong"})
                continue
            return message

    async def init(self, token: str | None = None) -> dict[str, Any]:
        payload = {"authorization": f"Bearer {token}"} if token else {}
        await self.send({"type": "connection_init", "payload": payload})
        return await self.receive()

    async def close_code(self) -> int:
        """Read until the server closes the connection; return its close code."""
        try:
            while True:
                await self.receive()
        except ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else 1006  # 1006: closed without a frame

    async def subscribe(self, op_id: str, query: str, variables: dict | None = None) -> None:
        await self.send(
            {
                "id": op_id,
                "type": "subscribe",
                "payload": {"query": query, "variables": variables or {}},
            }
        )


async def open_websocket(base_url: str) -> tuple[ClientConnection, GraphQLWebSocket]:
    url = base_url.replace("http://", "ws://") + "/graphql"
    connection = await connect(url, subprotocols=["graphql-transport-ws"], open_timeout=5)
    return connection, GraphQLWebSocket(connection)
