"""Realtime: chat delivery over WebSockets through two server processes, PostgreSQL and Redis.

    python bench/realtime.py [--subscriptions 10000] [--per-connection 10] [--rate 100]
                             [--seconds 30] [--clients 2]

Needs PostgreSQL (BENCH_DATABASE_URL, default postgres@127.0.0.1:5432) and Redis
(BENCH_REDIS_URL, default 127.0.0.1:6379). It recreates a database of its own, fills it with
users in 2-person conversations, starts two `python server.py serve` processes on 127.0.0.1,
and opens `messageAdded` subscriptions over real `graphql-transport-ws` WebSockets from
`--clients` client processes: every conversation pairs a user served by process A with one
served by process B, and each user's socket carries all of that user's subscriptions, as an
app on a phone does. With both sides subscribed it measures the servers' memory per idle
subscription, then sends `sendMessage` over HTTP at a fixed total rate (open loop: each send
starts on schedule, whether or not the previous ones returned) from a random side of a random
conversation, and checks that every message reaches both sides' subscriptions exactly once.
Latency is from the message's `createdAt`, stamped in the transaction that commits it, to its
receipt by the client, so it includes the commit, the publish through Redis, the reload and the
WebSocket. The targets below are the issue's, for this 2-core machine.
"""

import argparse
import asyncio
import base64
import json
import multiprocessing
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import IO, Any

import asyncpg
import httpx
from redis.asyncio import Redis
from websockets.asyncio.client import ClientConnection, connect

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from bench.feed import plain, recreate_database  # noqa: E402
from migrations import upgrade  # noqa: E402
from models.settings import Settings  # noqa: E402
from resolvers.chat import message_channel  # noqa: E402
from resolvers.security import issue_access_token  # noqa: E402

SECRET = "bench-secret-" + "y" * 40
DATABASE = "gigstream_bench_rt"
BENCH_REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
TARGET_SUBSCRIPTIONS = 10_000
TARGET_P99_MS = 100.0
TARGET_RATE = 100.0
TARGET_KB_PER_SUBSCRIPTION = 30.0

SUBSCRIBE = (
    "subscription Added($conversationId: ID!) { messageAdded(conversationId: $conversationId)"
    " { id seq body createdAt sender { id name } } }"
)
SEND = (
    "mutation Send($input: SendMessageInput!) { sendMessage(input: $input)"
    " { message { id createdAt } errors { code message } } }"
)


# The world: users on two servers, conversations that pair them ----------------------------


@dataclass
class World:
    """Users 0..half-1 are served by process A, half..2*half-1 by B; conversation j pairs
    A-user j // per_user with B-user (j // per_user + j % per_user) % half, so every user
    is in `per_user` distinct conversations and every conversation crosses the two."""

    half: int
    per_user: int
    users: list[uuid.UUID] = field(default_factory=list)
    conversations: list[uuid.UUID] = field(default_factory=list)

    @classmethod
    def make(cls, subscriptions: int, per_user: int) -> "World":
        users = subscriptions // per_user
        if users < 2 or users % 2 or subscriptions % per_user or per_user > users // 2:
            raise SystemExit(
                "--subscriptions must be an even multiple of --per-connection, "
                "with at least --per-connection users on each server"
            )
        world = cls(half=users // 2, per_user=per_user)
        world.users = [uuid.uuid4() for _ in range(users)]
        world.conversations = [uuid.uuid4() for _ in range(subscriptions // 2)]
        return world

    def pair(self, conversation: int) -> tuple[int, int]:
        a, k = divmod(conversation, self.per_user)
        return a, self.half + (a + k) % self.half

    def conversations_of(self, user: int) -> list[int]:
        if user < self.half:
            return [user * self.per_user + k for k in range(self.per_user)]
        b = user - self.half
        return [((b - k) % self.half) * self.per_user + k for k in range(self.per_user)]

    def server_of(self, user: int) -> int:
        return 0 if user < self.half else 1


async def seed(url: str, world: World) -> None:
    """The users, and one inquiry-kind conversation with its two participants per pair."""
    now = datetime.now(UTC)
    conn = await asyncpg.connect(plain(url))
    try:
        await copy(
            conn,
            "user",
            "id email password_hash name role rating_sum rating_count completed_orders"
            " on_time_orders created_at updated_at",
            [
                (user, f"rt{n}@bench.local", "x", f"User {n}", "CLIENT", 0, 0, 0, 0, now, now)
                for n, user in enumerate(world.users)
            ],
        )
        await copy(
            conn,
            "conversation",
            "id kind inquiry_key message_count last_message_at created_at updated_at",
            [
                (conversation, "INQUIRY", f"bench:{conversation}", 0, now, now, now)
                for conversation in world.conversations
            ],
        )
        await copy(
            conn,
            "conversation_participant",
            "id conversation_id user_id last_read_seq created_at updated_at",
            [
                (uuid.uuid4(), conversation, world.users[user], 0, now, now)
                for j, conversation in enumerate(world.conversations)
                for user in world.pair(j)
            ],
        )
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


async def copy(conn: asyncpg.Connection, table: str, columns: str, records: list) -> None:
    await conn.copy_records_to_table(table, columns=columns.split(), records=records)


def conversation_gid(key: uuid.UUID) -> str:
    """The Relay global id, as `schema.relay.encode_id` makes it (importing `schema` would
    build the whole schema in every client process)."""
    return base64.b64encode(f"Conversation:{key}".encode()).decode()


# Servers --------------------------------------------------------------------------------


@dataclass
class Server:
    process: subprocess.Popen
    base_url: str
    log: IO[bytes]

    def rss_kib(self) -> int:
        """Resident memory, from the kernel's own account of the process."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise RuntimeError("no VmRSS")

    def tail(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-2000:]


def start_servers(env: dict[str, str], ports: list[int]) -> list[Server]:
    """Start one `serve` process per port (one worker each, so the pid is the server), and
    wait until each answers /readyz: database and Redis reachable."""
    servers = []
    for port in ports:
        log = tempfile.TemporaryFile()  # noqa: SIM115 -- read back only if a server dies
        process = subprocess.Popen(
            [sys.executable, "server.py", "serve", "--port", str(port), "--workers", "1"],
            cwd=PROJECT,
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        servers.append(Server(process, f"http://127.0.0.1:{port}", log))
    deadline = time.monotonic() + 120
    for server in servers:
        while True:
            if server.process.poll() is not None:
                raise RuntimeError(f"server exited: {server.tail()}")
            try:
                if httpx.get(f"{server.base_url}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{server.base_url} not ready: {server.tail()}")
            time.sleep(0.2)
    return servers


def stop(servers: list[Server]) -> None:
    for server in servers:
        if server.process.poll() is None:
            server.process.terminate()
    for server in servers:
        try:
            server.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()
        server.log.close()


# A graphql-transport-ws client ------------------------------------------------------------


async def open_socket(base_url: str, token: str) -> ClientConnection:
    """Connect, send `connection_init` with the token, and wait for the ack."""
    url = base_url.replace("http://", "ws://") + "/graphql"
    ws = await connect(url, subprotocols=["graphql-transport-ws"], open_timeout=30, max_queue=None)
    await ws.send(
        json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
    )
    reply = json.loads(await asyncio.wait_for(ws.recv(), 30))
    if reply.get("type") != "connection_ack":
        raise RuntimeError(f"connection refused: {reply}")
    return ws


async def subscribe(ws: ClientConnection, op_id: str, conversation_gid: str) -> None:
    payload = {"query": SUBSCRIBE, "variables": {"conversationId": conversation_gid}}
    await ws.send(json.dumps({"id": op_id, "type": "subscribe", "payload": payload}))


@dataclass
class Receipts:
    """What one client process saw: (user, conversation, message id, createdAt, received at)."""

    received: list[tuple[int, int, str, str, float]] = field(default_factory=list)
    ended: list[tuple[int, int, str]] = field(default_factory=list)  # error or complete
    closed: list[tuple[int, str]] = field(default_factory=list)  # socket lost

    async def read(self, ws: ClientConnection, user: int) -> None:
        try:
            async for raw in ws:
                received = time.time()
                message = json.loads(raw)
                kind = message["type"]
                if kind == "next":
                    data = (message["payload"].get("data") or {}).get("messageAdded")
                    if data is None:
                        self.ended.append((user, int(message["id"]), json.dumps(message)))
                        continue
                    self.received.append(
                        (user, int(message["id"]), data["id"], data["createdAt"], received)
                    )
                elif kind == "ping":
                    await ws.send('{"type":"pong"}')
                elif kind in ("error", "complete"):
                    self.ended.append((user, int(message["id"]), json.dumps(message)[:300]))
        except Exception as error:
            self.closed.append((user, repr(error)))


def client_process(
    sockets: list[tuple[int, str, str, list[tuple[int, str]]]], rate: float, pipe: Connection
) -> None:
    """Hold `sockets` (user, server URL, token, [(conversation, its global id)]) open and
    record every message; open the next ones on ("open", count), report and stop on
    ("stop",). The parent owns Ctrl-C."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    asyncio.run(_client(sockets, rate, pipe))


async def _client(
    sockets: list[tuple[int, str, str, list[tuple[int, str]]]], rate: float, pipe: Connection
) -> None:
    receipts = Receipts()
    loop = asyncio.get_running_loop()
    opened: list[ClientConnection] = []
    readers: list[asyncio.Task[None]] = []
    failures: list[str] = []
    sent = total = 0
    # Paced: the subscriptions of this process open at `rate` per second, so the bench
    # measures holding them, not a reconnect storm (see the README on what a storm does).
    gate = asyncio.Semaphore(32)

    async def open_one(user: int, base_url: str, token: str, subs: list[tuple[int, str]]):
        nonlocal sent, total
        async with gate:
            try:
                ws = await open_socket(base_url, token)
            except Exception as error:
                failures.append(f"user {user}: {error!r}")
                return
            opened.append(ws)
            readers.append(asyncio.create_task(receipts.read(ws, user)))
            for conversation, gid in subs:
                await subscribe(ws, str(conversation), gid)
            sent += len(subs)
            total += len(subs)
            await asyncio.sleep(max(0.0, started + sent / rate - time.monotonic()))

    next_socket = 0
    while (command := await loop.run_in_executor(None, pipe.recv))[0] == "open":
        batch = sockets[next_socket : next_socket + command[1]]
        next_socket += len(batch)
        started, sent = time.monotonic(), 0
        await asyncio.gather(*(open_one(*socket) for socket in batch))
        pipe.send((len(opened), total, failures))
    pipe.send((receipts.received, receipts.ended, receipts.closed))
    for task in readers:
        task.cancel()
    await asyncio.gather(*(ws.close() for ws in opened), return_exceptions=True)


# Sending --------------------------------------------------------------------------------


@dataclass
class Sent:
    conversation: int
    sender: int
    started: float
    created_at: float = 0.0
    message_id: str | None = None
    error: str | None = None


class Poster:
    """POSTs JSON to one server over keep-alive HTTP/1.1 connections, reused newest first.

    The sender shares the machine's two cores with the servers, so it must cost little per
    request: httpx spends about a millisecond of CPU on each, and more the more connections
    its pool holds, which starved the sender itself whenever the servers slowed down. This
    writes a prepared request and reads the `Content-Length` body back, nothing else."""

    IDLE_SECONDS = 2.0  # uvicorn closes a keep-alive connection idle for 5 s

    def __init__(self, base_url: str) -> None:
        host, port = base_url.removeprefix("http://").split(":")
        self.host, self.port = host, int(port)
        self._idle: list[tuple[float, asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def post(self, path: str, body: bytes, token: str) -> bytes:
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode()
        now = time.monotonic()
        while self._idle:
            used, reader, writer = self._idle.pop()
            if now - used < self.IDLE_SECONDS:
                break
            writer.close()
        else:
            reader, writer = await asyncio.open_connection(self.host, self.port)
        try:
            writer.write(head + body)
            headers = await reader.readuntil(b"\r\n\r\n")
            status = int(headers.split(b" ", 2)[1])
            match = re.search(rb"(?i)\r\ncontent-length: *(\d+)", headers)
            if match is None:
                raise RuntimeError(f"no Content-Length in {headers[:200]!r}")
            payload = await reader.readexactly(int(match[1]))
        except BaseException:
            writer.close()
            raise
        if status != 200:
            writer.close()
            raise RuntimeError(f"HTTP {status}: {payload[:200]!r}")
        self._idle.append((time.monotonic(), reader, writer))
        return payload

    def close(self) -> None:
        for _used, _reader, writer in self._idle:
            writer.close()
        self._idle.clear()


async def send_at_rate(
    world: World, servers: list[Server], tokens: list[str], rate: float, seconds: float
) -> tuple[list[Sent], float]:
    """Send `rate * seconds` messages on schedule; return them and the late start, worst case."""
    rng = random.Random(11)
    posters = [Poster(server.base_url) for server in servers]
    sends: list[Sent] = []
    worst_late = 0.0

    async def send(record: Sent, n: int) -> None:
        variables = {
            "input": {
                "conversationId": conversation_gid(world.conversations[record.conversation]),
                "body": f"message {n} of the realtime bench",
                "clientMessageId": f"rt-{n}",
            }
        }
        body = json.dumps({"query": SEND, "variables": variables}).encode()
        try:
            response = await asyncio.wait_for(
                posters[world.server_of(record.sender)].post(
                    "/graphql", body, tokens[record.sender]
                ),
                30,
            )
            payload = json.loads(response)["data"]["sendMessage"]
            if payload["errors"]:
                record.error = str(payload["errors"])
                return
            record.message_id = payload["message"]["id"]
            record.created_at = parse_time(payload["message"]["createdAt"])
        except Exception as error:
            record.error = repr(error)

    tasks = []
    start = time.monotonic()
    try:
        for n in range(round(rate * seconds)):
            due = start + n / rate
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            worst_late = max(worst_late, time.monotonic() - due)
            conversation = rng.randrange(len(world.conversations))
            record = Sent(conversation, rng.choice(world.pair(conversation)), time.time())
            sends.append(record)
            tasks.append(asyncio.create_task(send(record, n)))
        await asyncio.gather(*tasks)
    finally:
        for poster in posters:
            poster.close()
    return sends, worst_late


def parse_time(value: str) -> float:
    return datetime.fromisoformat(value).timestamp()


# Waiting for the subscriptions ------------------------------------------------------------


async def server_subscriptions(redis_url: str, channels: list[str]) -> int:
    """Subscriptions to `channels` that the server processes hold in Redis. Each process
    subscribes a channel once, and each conversation has one subscriber on each process, so
    this counts the `messageAdded` subscriptions that are live on the servers."""
    redis = Redis.from_url(redis_url)
    try:
        total = 0
        for at in range(0, len(channels), 1000):
            counts = await redis.pubsub_numsub(*channels[at : at + 1000])
            total += sum(count for _channel, count in counts)
        return total
    finally:
        await redis.aclose()


def wait_subscribed(redis_url: str, channels: list[str], expected: int, timeout: float) -> int:
    """Wait until the servers hold `expected` subscriptions (or `timeout`); return how many."""
    deadline = time.monotonic() + timeout
    while True:
        live = asyncio.run(server_subscriptions(redis_url, channels))
        if live >= expected or time.monotonic() > deadline:
            return live
        time.sleep(0.5)


async def warm_up(world: World, servers: list[Server], tokens: list[str]) -> None:
    """One exchange through each server, so both code paths are loaded (and known to work)
    before the memory baseline is taken."""
    a, b = world.pair(0)
    gid = conversation_gid(world.conversations[0])
    sockets = [await open_socket(servers[world.server_of(u)].base_url, tokens[u]) for u in (a, b)]
    try:
        for ws in sockets:
            await subscribe(ws, "warm", gid)
        channel = message_channel(world.conversations[0])
        for _ in range(100):
            if await server_subscriptions(BENCH_REDIS_URL, [channel]) == 2:
                break
            await asyncio.sleep(0.1)
        async with httpx.AsyncClient(timeout=30) as client:
            for user in (a, b):
                response = await client.post(
                    f"{servers[world.server_of(user)].base_url}/graphql",
                    json={
                        "query": SEND,
                        "variables": {"input": {"conversationId": gid, "body": "warm-up"}},
                    },
                    headers={"Authorization": f"Bearer {tokens[user]}"},
                )
                if response.json()["data"]["sendMessage"]["errors"]:
                    raise RuntimeError(f"warm-up send failed: {response.text}")
        for ws in sockets:
            for _ in range(2):
                while True:
                    message = json.loads(await asyncio.wait_for(ws.recv(), 10))
                    if message["type"] == "next":
                        break
                    if message["type"] != "ping":
                        raise RuntimeError(f"warm-up subscription failed: {message}")
    finally:
        await asyncio.gather(*(ws.close() for ws in sockets))


# Figures --------------------------------------------------------------------------------


def latency_table(title: str, rows: list[tuple[str, list[float]]]) -> None:
    print(f"{title:<44}{'count':>8}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for name, values in rows:
        print(
            f"{name:<44}{len(values):>8}{percentile(values, 0.5):>9.1f}"
            f"{percentile(values, 0.99):>9.1f}{max(values, default=float('nan')):>9.1f}"
        )


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subscriptions", type=int, default=TARGET_SUBSCRIPTIONS)
    parser.add_argument(
        "--per-connection",
        type=int,
        default=10,
        help="conversations per user, all subscribed on the user's one WebSocket",
    )
    parser.add_argument("--rate", type=float, default=TARGET_RATE, help="messages/s, in total")
    parser.add_argument("--seconds", type=float, default=30, help="how long to send")
    parser.add_argument("--clients", type=int, default=2, help="client processes")
    parser.add_argument("--open-rate", type=float, default=150, help="subscriptions/s to open")
    parser.add_argument("--settle", type=float, default=5, help="idle seconds before RSS")
    parser.add_argument("--drain", type=float, default=5, help="seconds to wait after sending")
    parser.add_argument("--ports", type=int, nargs=2, default=[8111, 8112])
    parser.add_argument(
        "--timeline", action="store_true", help="also print p50/p99 for each second of sending"
    )
    args = parser.parse_args()

    world = World.make(args.subscriptions, args.per_connection)
    machine_load = Path("/proc/loadavg").read_text().split()[0]
    server_url = os.environ.get(
        "BENCH_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
    )
    url = asyncio.run(recreate_database(server_url, DATABASE))
    upgrade(url)
    asyncio.run(seed(url, world))
    settings = Settings(jwt_secret=SECRET, access_token_ttl_seconds=3600)
    tokens = [issue_access_token(settings, user_id=user).token for user in world.users]
    env = {
        "DATABASE_URL": url,
        "REDIS_URL": BENCH_REDIS_URL,
        "JWT_SECRET": SECRET,
        "ENVIRONMENT": "production",
        "PAYMENT_PROVIDER": "simulator",
        "LOG_LEVEL": "WARNING",
    }

    servers: list[Server] = []
    clients: list[tuple[multiprocessing.Process, Connection]] = []

    def interrupted(_signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupted)
    try:
        servers = start_servers(env, args.ports)
        asyncio.run(warm_up(world, servers, tokens))
        time.sleep(2)

        sockets = [
            (
                user,
                servers[world.server_of(user)].base_url,
                tokens[user],
                [
                    (j, conversation_gid(world.conversations[j]))
                    for j in world.conversations_of(user)
                ],
            )
            for user in range(len(world.users))
        ]
        spawn = multiprocessing.get_context("spawn")
        for n in range(args.clients):
            parent, child = spawn.Pipe()
            process = spawn.Process(
                target=client_process,
                args=(sockets[n :: args.clients], args.open_rate / args.clients, child),
                daemon=True,
            )
            process.start()
            clients.append((process, parent))
        # In two halves, so that the second half's growth is what a subscription costs,
        # apart from what the first ones paid once (the database pool filling up, caches).
        channels = [message_channel(conversation) for conversation in world.conversations]
        memory = [[server.rss_kib() for server in servers]]
        live: list[int] = []
        open_seconds = 0.0
        for count in (len(world.users) // (2 * args.clients), len(world.users)):
            started = time.monotonic()
            for _process, pipe in clients:
                pipe.send(("open", count))
            opened = [pipe.recv() for _process, pipe in clients]
            requested = sum(report[1] for report in opened)
            live.append(wait_subscribed(BENCH_REDIS_URL, channels, requested, timeout=180))
            open_seconds += time.monotonic() - started
            time.sleep(args.settle)
            memory.append([server.rss_kib() for server in servers])
        connections = sum(report[0] for report in opened)
        requested = sum(report[1] for report in opened)
        open_failures = [failure for report in opened for failure in report[2]]

        sends, late = asyncio.run(send_at_rate(world, servers, tokens, args.rate, args.seconds))
        time.sleep(args.drain)
        for _process, pipe in clients:
            pipe.send(("stop",))
        reports = [pipe.recv() for _process, pipe in clients]
        memory.append([server.rss_kib() for server in servers])
    finally:
        for process, _pipe in clients:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()
        stop(servers)

    report(
        args=args,
        world=world,
        connections=connections,
        open_failures=open_failures,
        requested=requested,
        live=live,
        open_seconds=open_seconds,
        memory=memory,
        machine_load=machine_load,
        sends=sends,
        late=late,
        reports=reports,
    )


def report(
    *,
    args: argparse.Namespace,
    world: World,
    connections: int,
    open_failures: list[str],
    requested: int,
    live: list[int],
    open_seconds: float,
    memory: list[list[int]],
    machine_load: str,
    sends: list[Sent],
    late: float,
    reports: list[tuple[Any, ...]],
) -> None:
    baseline, half, idle, after = (sum(kib) / 1024 for kib in memory)
    delivered = [sent for sent in sends if sent.message_id is not None]
    by_id = {sent.message_id: sent for sent in delivered}
    counts: dict[tuple[int, str], int] = {}
    cross, local, end_to_end = [], [], []
    by_second: dict[int, list[float]] = {}
    first_start = min((sent.started for sent in sends), default=0.0)
    unexpected = 0
    for received in (row for r in reports for row in r[0]):
        user, _conversation, message_id, _created_at, at = received
        sent = by_id.get(message_id)
        if sent is None:
            unexpected += 1
            continue
        key = (user, message_id)
        counts[key] = counts.get(key, 0) + 1
        if counts[key] > 1:
            continue
        latency = (at - sent.created_at) * 1000
        (local if user == sent.sender else cross).append(latency)
        by_second.setdefault(int(sent.started - first_start), []).append(latency)
        end_to_end.append((at - sent.started) * 1000)
    expected = {
        (user, sent.message_id) for sent in delivered for user in world.pair(sent.conversation)
    }
    lost = len(expected - counts.keys())
    duplicated = sum(count - 1 for count in counts.values())
    ended = [row for r in reports for row in r[1]]
    ended_subscriptions = len({(user, op) for user, op, _message in ended})
    closed = [row for r in reports for row in r[2]]
    failed_sends = [sent for sent in sends if sent.error is not None]
    subscriptions = live[-1]
    marginal = (idle - half) * 1024 / max(live[1] - live[0], 1)  # KiB per subscription
    average = (idle - baseline) * 1024 / max(subscriptions, 1)
    all_latency = cross + local
    p99 = percentile(all_latency, 0.99)
    span = max(s.started for s in sends) - min(s.started for s in sends) if sends else 0
    achieved = (len(sends) - 1) / span if span else 0

    print(
        f"realtime: {len(world.users)} users in {len(world.conversations)} 2-person "
        f"conversations, each pair split across two server processes (PostgreSQL + Redis); "
        f"{os.cpu_count()} cores, load average {machine_load} before the start"
    )
    print(
        f"  {connections} WebSockets from {args.clients} client processes, "
        f"{args.per_connection} messageAdded subscriptions each: {subscriptions} subscriptions "
        f"live on the servers (of {requested} requested) after {open_seconds:.0f}s; "
        f"{len(open_failures)} sockets refused"
    )
    print(
        f"  sent {len(sends)} messages at {achieved:.1f}/s for {args.seconds:g}s (scheduler "
        f"late by {late * 1000:.0f} ms at worst); {len(failed_sends)} sends failed"
    )
    print()
    latency_table(
        "delivery",
        [
            ("other side, other process (through Redis)", cross),
            ("sender's own subscription (same process)", local),
            ("all deliveries", all_latency),
            ("all, from the client's send (HTTP incl.)", end_to_end),
        ],
    )
    if args.timeline:
        print()
        latency_table(
            "sent in second",
            [(str(second), values) for second, values in sorted(by_second.items())],
        )
    print()
    print(
        f"deliveries expected {len(expected)}, lost {lost}, duplicated {duplicated}, "
        f"unexpected {unexpected}; subscriptions ended early {ended_subscriptions}, sockets "
        f"lost {len(closed)}"
    )
    print()
    print(
        f"server RSS, both processes: {baseline:.0f} MiB after start-up, {half:.0f} MiB with "
        f"{live[0]} subscriptions, {idle:.0f} MiB with {live[1]}, {after:.0f} MiB after the "
        f"messages"
    )
    print(
        f"memory per idle subscription: {marginal:.1f} KiB (the second half's growth; "
        f"{average:.1f} KiB averaged from start-up, with fixed costs such as the pool filling)"
    )
    print()
    rate_ok = achieved >= TARGET_RATE * 0.98
    held = subscriptions >= max(TARGET_SUBSCRIPTIONS, requested) and not ended and not closed
    clean = lost == 0 and duplicated == 0 and not failed_sends
    print("targets (2-core machine):")
    print(f"  {TARGET_SUBSCRIPTIONS} open subscriptions held: {verdict(held)}")
    print(
        f"  p99 <= {TARGET_P99_MS:.0f} ms at {TARGET_RATE:.0f} msg/s, 0 lost, 0 duplicated: "
        f"{verdict(rate_ok and p99 <= TARGET_P99_MS and clean)}"
        f" (p99 {p99:.1f} ms, lost {lost}, duplicated {duplicated})"
    )
    print(
        f"  <= {TARGET_KB_PER_SUBSCRIPTION:.0f} KB per idle subscription: "
        f"{verdict(marginal * 1.024 <= TARGET_KB_PER_SUBSCRIPTION)} "
        f"({marginal * 1.024:.1f} KB; {average * 1.024:.1f} KB averaged)"
    )
    for label, rows in (
        ("refused", open_failures),
        ("ended", ended),
        ("lost", closed),
        ("failed", [s.error for s in failed_sends]),
    ):
        for row in rows[:3]:
            print(f"  e.g. {label}: {row}")


if __name__ == "__main__":
    main()
