"""The production server (`flask --app wsgi serve`, waitress) survives slow clients: connections that send
part of a request and stall hold no worker thread, and are closed after SERVE_CHANNEL_TIMEOUT.

The server runs as it does in production, in its own process (FLASK_CONFIG=production) on the test
database, on a free port of 127.0.0.1, with two worker threads and a two-second idle timeout."""
import os
import queue
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
THREADS, CHANNEL_TIMEOUT, CLEANUP_INTERVAL = 2, 2, 1
STALLED = 20
# headers without the blank line that ends them; a body shorter than its Content-Length
PARTIAL_HEADERS = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "
PARTIAL_BODY = (b"POST /api/v1/attachments HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\n"
                b"Content-Length: 100000\r\n\r\nonly the first bytes")


def _read_lines(stream, lines: queue.Queue) -> None:
    for line in stream:
        lines.put(line)


def _wait_for_address(process, lines: queue.Queue, within: float = 60) -> str:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            break
        if line.startswith("serving on "):
            return line.split("serving on ", 1)[1].strip()
    process.kill()
    raise AssertionError(f"the server did not start: {process.communicate()[1][-2000:]}")


@pytest.fixture(scope="module")
def server(app, tmp_path_factory):
    """The base URL of `flask --app wsgi serve --port 0` in a subprocess with the production settings."""
    env = {**os.environ, "FLASK_CONFIG": "production", "SCHEDULER_ENABLED": "0", "SERVE_THREADS": str(THREADS),
           "SERVE_CHANNEL_TIMEOUT": str(CHANNEL_TIMEOUT), "SERVE_CLEANUP_INTERVAL": str(CLEANUP_INTERVAL),
           "MAX_ATTACHMENT_BYTES": "1024", "ATTACHMENT_DIR": str(tmp_path_factory.mktemp("served-files"))}
    process = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "serve", "--host", "127.0.0.1",
                                "--port", "0"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    lines = queue.Queue()
    threading.Thread(target=_read_lines, args=(process.stdout, lines), daemon=True).start()
    try:
        yield _wait_for_address(process, lines)
    finally:
        process.terminate()
        try:
            process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()


def _port(base: str) -> int:
    return int(base.rsplit(":", 1)[1])


@pytest.fixture
def stall(server):
    """stall(data) -> a connected socket that sent `data` (an incomplete request) and sends nothing more."""
    opened = []

    def open_one(data: bytes) -> socket.socket:
        sock = socket.create_connection(("127.0.0.1", _port(server)), timeout=5)
        sock.sendall(data)
        opened.append(sock)
        return sock

    yield open_one
    for sock in opened:
        sock.close()


def _timed_health(server: str) -> tuple[int, float]:
    started = time.monotonic()
    response = requests.get(f"{server}/healthz", timeout=1)
    return response.status_code, time.monotonic() - started


def test_healthz_answers_within_a_second_while_twenty_clients_stall_mid_request(server, stall):
    for i in range(STALLED):
        stall(PARTIAL_HEADERS if i % 2 else PARTIAL_BODY)
    answers = [_timed_health(server) for _ in range(5)]
    assert all(status == 200 and elapsed < 1 for status, elapsed in answers), answers


def test_a_stalled_connection_is_closed_after_the_channel_timeout(server, stall):
    sock = stall(PARTIAL_HEADERS)
    started = time.monotonic()
    try:
        received = sock.recv(1024)  # blocks until the server closes (b"") or the 5 s socket timeout
    except ConnectionResetError:
        received = b""
    elapsed = time.monotonic() - started
    assert received == b"", received
    assert CHANNEL_TIMEOUT - 0.2 <= elapsed < CHANNEL_TIMEOUT + CLEANUP_INTERVAL + 2, elapsed


def test_a_stalled_upload_is_closed_after_the_channel_timeout(server, stall):
    sock = stall(PARTIAL_BODY)
    started = time.monotonic()
    assert sock.recv(1024) == b""
    assert time.monotonic() - started < CHANNEL_TIMEOUT + CLEANUP_INTERVAL + 2


def test_a_body_over_the_request_limit_is_refused_before_it_is_read(server, stall):
    sock = stall(b"POST /api/v1/attachments HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                 b"Content-Length: 50000000\r\n\r\n")
    assert sock.recv(1024).startswith(b"HTTP/1.1 413 ")


def test_after_the_stalled_clients_the_server_still_serves(server):
    assert _timed_health(server)[0] == 200
