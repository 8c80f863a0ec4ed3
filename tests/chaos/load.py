"""What a scenario sends: the ledger of every request to the web listener (the invariants read it) and the load,
clients each sending one chat turn after another."""
import asyncio
import uuid

from client import Turn, chat, exchange


class Ledger:
    """Every request a scenario sent to the web listener and what came back. Each chat message is a unique marker,
    so its stored row is found by its content."""

    def __init__(self, name):
        self.name, self.count, self.replies = name, 0, []

    def marker(self):
        self.count += 1
        return f"chaos {self.name} {self.count} {uuid.uuid4().hex[:12]}"

    @property
    def turns(self):
        return [r for r in self.replies if isinstance(r, Turn)]

    async def chat(self, port, model="fake/lorem", timeout=60.0, conversation_id=None):
        turn = await chat(port, self.marker(), model, timeout, conversation_id)
        self.replies.append(turn)
        return turn

    async def request(self, port, method, path, body=None, timeout=10.0):
        reply = await exchange(port, method, path, body, timeout)
        self.replies.append(reply)
        return reply


class Load:
    """`streams` clients, each sending chat turns one after another (models taken in turn from `models`) until
    `stop()`; after a refused or failed turn a client pauses `pause` seconds, so a dead listener is not a busy
    loop. `turns_each` bounds the turns per client (None: until stopped)."""

    def __init__(self, ledger, port, streams=20, models=("fake/lorem",), timeout=60.0, pause=0.2, turns_each=None):
        self.ledger, self.port, self.streams, self.models = ledger, port, streams, models
        self.timeout, self.pause, self.turns_each = timeout, pause, turns_each
        self.stopping, self.tasks, self.turns = False, [], []

    def start(self):
        self.tasks = [asyncio.create_task(self._client(i)) for i in range(self.streams)]
        return self

    async def _client(self, index):
        sent = 0
        while not self.stopping and (self.turns_each is None or sent < self.turns_each):
            model = self.models[(index + sent) % len(self.models)]
            sent += 1
            turn = await self.ledger.chat(self.port, model=model, timeout=self.timeout)
            self.turns.append(turn)
            if turn.status != 200 or turn.failure:
                await asyncio.sleep(self.pause)

    async def stop(self, timeout=None):
        """No new turns; waits for the turns under way (at most `timeout` seconds, then they are abandoned)."""
        self.stopping = True
        if self.tasks:
            _, pending = await asyncio.wait(self.tasks, timeout=timeout)
            for task in pending:
                task.cancel()
