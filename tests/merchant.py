"""A seller's side of the merchant integration, written from docs/merchant-interfaces.md and independent of
the project's signing code: a production-interface receiver on loopback that verifies the V2 signature
(§2.4) and answers as scripted, and an SDK-HMAC-SHA256 signer for open-API calls (§2.5)."""
import hashlib
import hmac
import json
import threading
import time
from collections import defaultdict
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, urlsplit


def v2_valid(access_key: str, raw_body: bytes, query: dict, fresh: bool = False) -> bool:
    """§2.4 over the raw body: inner hash lower-case hex, outer compared case-insensitively; `fresh`: the
    timestamp (ms) within 60 s of this machine's clock."""
    try:
        signature, timestamp, nonce = (query[name][0] for name in ("signature", "timestamp", "nonce"))
    except KeyError:
        return False
    if fresh and abs(time.time() * 1000 - int(timestamp)) > 60_000:
        return False
    inner = hmac.new(access_key.encode(), raw_body, hashlib.sha256).hexdigest().lower()
    outer = hmac.new(access_key.encode(), f"{access_key}{nonce}{timestamp}{inner}".encode(), hashlib.sha256)
    return hmac.compare_digest(outer.hexdigest(), signature.lower())


class _Listener(ThreadingHTTPServer):
    # socketserver's listen backlog is 5: two scheduler processes sending a batch each at once overflowed it,
    # and a connection the kernel left waiting for its SYN to be retried could run out its callback timeout
    request_queue_size = 128
    daemon_threads = True


class Receiver:
    """Records every call; `answers[activity]` is a list of (resultCode, extra) consumed per call (the last
    one repeats); `hold` is an Event a call waits on before answering when `holding` is set."""

    def __init__(self):
        self.calls: list[dict] = []
        self.answers: dict[str, list] = defaultdict(list)
        self.access_key = ""
        self.lock = threading.Lock()
        self.held = threading.Event()  # set when a held call arrived
        self.release = threading.Event()
        self.holding = False
        self.server = _Listener(("127.0.0.1", 0), self._handler())
        # shutdown() waits for the loop's next poll: 0.5 s by default, 12 s of every run's wall time
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02},
                                       daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/saasproduce"

    def _answer(self, body: dict) -> dict:
        script = self.answers.get(body.get("activity"), [])
        code, extra = (script.pop(0) if len(script) > 1 else script[0]) if script else ("000000", {})
        answer = {"resultCode": code, "resultMsg": "success." if code == "000000" else "scripted failure", **extra}
        if body.get("activity") == "newInstance" and "instanceId" not in extra:
            answer["instanceId"] = f"inst-{body.get('orderId')}"
        return answer

    def _handler(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                query = parse_qs(urlsplit(self.path).query)
                body = json.loads(raw)
                with receiver.lock:
                    answer = receiver._answer(body)
                    call = {"body": body, "query": query, "signed": v2_valid(receiver.access_key, raw, query, fresh=True),
                            "content_type": self.headers.get("Content-Type"), "answer": answer, "answered": False}
                    receiver.calls.append(call)
                    hold = receiver.holding
                if hold:
                    receiver.held.set()
                    receiver.release.wait(30)
                out = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)
                call["answered"] = True

        return Handler

    def of(self, activity: str) -> list[dict]:
        return [c["body"] for c in self.calls if c["body"].get("activity") == activity]

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def _enc(value: str) -> str:
    return quote(value, safe="~")


def sdk_headers(ak: str, sk: str, method: str, url: str, body: bytes = b"", when: datetime | None = None,
                extra: dict | None = None) -> dict:
    """Headers of an SDK-HMAC-SHA256 signed request (every header given is signed, with Host and X-Sdk-Date)."""
    parts = urlsplit(url)
    headers = {"Host": parts.netloc, "X-Sdk-Date": (when or datetime.utcnow()).strftime("%Y%m%dT%H%M%SZ"),
               **(extra or {})}
    lowered = {k.lower(): v.strip() for k, v in headers.items()}
    names = sorted(lowered)
    path = "/".join(_enc(s) for s in parts.path.split("/"))
    path = path if path.endswith("/") else path + "/"
    query = "&".join(f"{_enc(k)}={_enc(v)}" for k, vs in sorted(parse_qs(parts.query).items()) for v in vs)
    canonical = "\n".join([method, path, query, "".join(f"{n}:{lowered[n]}\n" for n in names), ";".join(names),
                           hashlib.sha256(body).hexdigest()])
    to_sign = f"SDK-HMAC-SHA256\n{headers['X-Sdk-Date']}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    signature = hmac.new(sk.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
    headers["Authorization"] = f"SDK-HMAC-SHA256 Access={ak}, SignedHeaders={';'.join(names)}, Signature={signature}"
    return headers
