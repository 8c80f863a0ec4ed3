"""The fault suite's HTTP client: one request per connection (`Connection: close`) on 127.0.0.1, with asyncio, so
hundreds of streams and probes run side by side without threads. Nothing raises: every outcome, a refused
connect, a reset, a timeout, is recorded in the returned Reply or Turn for the scenario to judge.
"""
import asyncio
import json
import time
from dataclasses import dataclass, field


@dataclass
class Reply:
    """One HTTP exchange as the client saw it."""
    method: str
    path: str
    started: float = 0.0
    status: int | None = None
    headers: dict = field(default_factory=dict)
    body: bytes = b""
    failure: str | None = None   # refused, reset, eof (closed before the end), timeout
    connected: float | None = None   # seconds from start to an established connection
    elapsed: float = 0.0   # seconds from start to the end of the answer (or the failure)

    @property
    def json(self):
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    @property
    def code(self):
        """The error code of a JSON error body (`{"error":{"code":…}}`), else None."""
        body = self.json
        if isinstance(body, dict) and isinstance(body.get("error"), dict):
            return body["error"].get("code")
        return None

    @property
    def retry_after(self):
        return self.headers.get("retry-after")

    def describe(self):
        if self.failure:
            return f"{self.method} {self.path}: {self.failure} after {self.elapsed:.2f} s"
        return f"{self.method} {self.path}: {self.status} {self.code or ''} after {self.elapsed:.2f} s".replace("  ", " ")


@dataclass
class Turn(Reply):
    """A chat turn: the Reply plus what its event stream said."""
    marker: str = ""
    model: str = ""
    conversation_id: str | None = None
    assistant_id: str | None = None
    text: str = ""
    done: str | None = None          # the `done` event's status
    errors: list = field(default_factory=list)   # (code, message) of `error` events
    ttft: float | None = None        # seconds from start to the first `delta`
    max_gap: float = 0.0             # longest silence between two `delta` events, seconds
    last_event: str | None = None


async def _until(awaitable, deadline):
    return await asyncio.wait_for(awaitable, max(0.001, deadline - time.monotonic()))


async def _head(reader, deadline):
    line = await _until(reader.readline(), deadline)
    if not line:
        raise EOFError("closed before the status line")
    status = int(line.split()[1])
    headers = {}
    while True:
        line = await _until(reader.readline(), deadline)
        if line in (b"\r\n", b"\n", b""):
            return status, headers
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()


async def _body(reader, headers, deadline):
    """Yields the body's pieces as they arrive (chunked, Content-Length or up to the close)."""
    if headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size_line = await _until(reader.readline(), deadline)
            if not size_line:
                raise EOFError("closed inside the chunked body")
            size = int(size_line.split(b";")[0].strip(), 16)
            if size == 0:
                while (await _until(reader.readline(), deadline)) not in (b"\r\n", b"\n", b""):
                    pass
                return
            data = await _until(reader.readexactly(size + 2), deadline)
            yield data[:-2]
    elif "content-length" in headers:
        size = int(headers["content-length"])
        if size:
            yield await _until(reader.readexactly(size), deadline)
    else:
        while chunk := await _until(reader.read(65536), deadline):
            yield chunk


async def exchange(port, method, path, body=None, timeout=10.0, reply=None, on_body=None):
    """Sends one request and reads the answer into `reply` (a new Reply unless given). `on_body(reply, bytes)`,
    when given, sees each piece of a 200 answer as it arrives instead of it being kept in `reply.body`."""
    reply = reply or Reply(method, path)
    reply.method, reply.path = method, path
    start = time.monotonic()
    reply.started = time.time()
    deadline = start + timeout
    payload = json.dumps(body).encode() if body is not None else b""
    writer = None
    try:
        reader, writer = await _until(asyncio.open_connection("127.0.0.1", port), deadline)
        reply.connected = time.monotonic() - start
        writer.write(f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n".encode() + payload)
        reply.status, reply.headers = await _head(reader, deadline)
        async for piece in _body(reader, reply.headers, deadline):
            if on_body and reply.status == 200:
                on_body(reply, piece)
            else:
                reply.body += piece
    except ConnectionRefusedError:
        reply.failure = "refused"
    except (ConnectionResetError, BrokenPipeError):
        reply.failure = "reset"
    except (EOFError, asyncio.IncompleteReadError):
        reply.failure = "eof"
    except asyncio.TimeoutError:
        reply.failure = "timeout"
    except OSError as error:
        reply.failure = f"os error {error.errno}"
    finally:
        reply.elapsed = time.monotonic() - start
        if writer:
            writer.close()
    return reply


class _SSE:
    """Splits the event stream into events and keeps what the invariants need."""

    def __init__(self, turn, start):
        self.turn, self.start, self.buffer, self.last_delta = turn, start, b"", None

    def feed(self, _reply, piece):
        self.buffer += piece
        while b"\n\n" in self.buffer:
            block, self.buffer = self.buffer.split(b"\n\n", 1)
            name, data = None, []
            for line in block.decode(errors="replace").split("\n"):
                if line.startswith("event:"):
                    name = line[6:].strip()
                elif line.startswith("data:"):
                    data.append(line[5:].lstrip())
            if name:
                try:
                    self.event(name, json.loads("\n".join(data) or "{}"))
                except ValueError:
                    self.turn.failure = f"malformed {name} event"

    def event(self, name, data):
        turn, now = self.turn, time.monotonic()
        turn.last_event = name
        if name == "meta":
            turn.conversation_id, turn.assistant_id = data.get("conversation_id"), data.get("assistant_message_id")
        elif name == "delta":
            if turn.ttft is None:
                turn.ttft = now - self.start
            if self.last_delta is not None:
                turn.max_gap = max(turn.max_gap, now - self.last_delta)
            self.last_delta = now
            turn.text += data.get("text", "")
        elif name == "error":
            turn.errors.append((data.get("code"), data.get("message")))
        elif name == "done":
            turn.done = data.get("status")


async def chat(port, marker, model="fake/lorem", timeout=60.0, conversation_id=None):
    """One chat turn through `POST /api/chat` whose message is `marker` (unique, so the stored row is found)."""
    turn = Turn("POST", "/api/chat", marker=marker, model=model)
    body = {"message": marker, "model": model}
    if conversation_id:
        body["conversation_id"] = conversation_id
    sse = _SSE(turn, time.monotonic())
    await exchange(port, "POST", "/api/chat", body, timeout, reply=turn, on_body=sse.feed)
    if turn.status == 200 and not turn.failure and turn.done is None:
        turn.failure = "no done event"
    return turn
