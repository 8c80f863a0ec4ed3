"""Locust load test of the chat API against the fake upstream (bench/run.sh starts both; loopback only).

Two kinds of user, 3:1: a conversationalist creates a conversation and chats in it through
/api/conversations/{id}/messages; a scripter posts one-shot questions to /api/chat. Every answer is read to the
end of its event stream; one that does not end with `"status":"complete"` counts as a failure.
"""
from locust import HttpUser, between, task


def read_stream(response):
    body = response.content.decode("utf-8", "replace")
    if response.status_code != 200:
        response.failure(f"HTTP {response.status_code}")
    elif '"status":"complete"' not in body:
        response.failure("stream did not complete: " + body[-200:])
    else:
        response.success()


class Conversationalist(HttpUser):
    weight = 3
    wait_time = between(0.5, 1.5)

    def on_start(self):
        answer = self.client.post("/api/conversations", json={"title": "locust"}, name="/api/conversations [create]")
        self.conversation = answer.json()["id"]

    @task
    def chat(self):
        with self.client.post(f"/api/conversations/{self.conversation}/messages", json={"content": "tell me more"},
                              name="/api/conversations/{id}/messages", stream=False, catch_response=True) as r:
            read_stream(r)


class Scripter(HttpUser):
    weight = 1
    wait_time = between(0.5, 1.5)

    @task
    def one_shot(self):
        with self.client.post("/api/chat", json={"message": "one question"}, name="/api/chat",
                              catch_response=True) as r:
            read_stream(r)
