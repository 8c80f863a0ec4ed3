/// The local test upstream: a Python `http.server` on 127.0.0.1 (plus an HTTPS twin with a fresh self-signed
/// certificate when the `openssl` tool is present). It prints `<http port> <https port or 0> <cert path>` and exits
/// when its stdin reaches EOF, i.e. when the test process ends.
let testServerScript = #"""
import json, os, select, shutil, socket, ssl, subprocess, sys, tempfile, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse, parse_qs

lock = threading.Lock()
disconnects, progress, stats = {}, {}, {"connections": 0}
PATTERN = bytes(i % 251 for i in range(251 * 256))

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    def log_message(self, *args): pass
    def setup(self):
        with lock: stats["connections"] += 1
        super().setup()
    def do_GET(self): self.route()
    do_POST = do_PUT = do_DELETE = do_PATCH = do_GET

    def route(self):
        url = urlparse(self.path)
        self.q = {k: v[0] for k, v in parse_qs(url.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        self.body = self.rfile.read(length) if length else b""
        getattr(self, "r_" + url.path.strip("/").replace("-", "_"), self.r_missing)()

    def send_body(self, status, body, ctype="text/plain", extra=()):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra: self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD": self.wfile.write(body)
    def start_chunked(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
    def chunk(self, data): self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
    def end_chunked(self): self.wfile.write(b"0\r\n\r\n")
    def wait_eof(self, seconds):
        """Waits up to `seconds`; True when the client closed (or reset) the connection meanwhile."""
        readable, _, _ = select.select([self.connection], [], [], seconds)
        if not readable: return False
        try: return self.connection.recv(1, socket.MSG_PEEK) == b""
        except OSError: return True

    def r_missing(self): self.send_body(404, b"no such path")
    def r_echo(self):
        body = [] if "summary" in self.q else list(self.body)
        echo = {"method": self.command, "path": self.path, "body": body, "length": len(self.body),
                "headers": [[k, v] for k, v in self.headers.items()]}
        self.send_body(200, json.dumps(echo).encode(), "application/json", [("X-Echo", "yes")])
    def r_status(self):
        code = int(self.q.get("code", "200"))
        self.send_body(code, b"status %d" % code, extra=[("X-Test", "yes"), ("X-Multi", "a"), ("X-Multi", "b")])
    def r_interim(self):
        self.wfile.write(b"HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n")
        self.send_body(200, b"final", extra=[("X-Final", "yes")])
    def r_redirect(self): self.send_body(302, b"moved", extra=[("Location", "/echo")])
    def r_stream(self):
        self.start_chunked()
        for i in range(int(self.q.get("chunks", "5"))):
            self.chunk(b"data: %d\n\n" % i)
            time.sleep(float(self.q.get("delay", "0.02")))
        self.end_chunked()
    def r_first_byte(self):
        self.start_chunked()
        if not self.wait_eof(float(self.q["delay"])): self.chunk(b"late"); self.end_chunked()
    def r_idle(self):
        self.start_chunked(); self.chunk(b"first")
        if not self.wait_eof(float(self.q["stall"])): self.chunk(b"second"); self.end_chunked()
    def r_hang(self):
        self.wait_eof(30); self.close_connection = True
    def r_watch(self):
        self.start_chunked()
        while True:
            try: self.chunk(b"tick\n")
            except OSError: break
            if self.wait_eof(0.02): break
        with lock: disconnects[self.q["id"]] = time.monotonic()
        self.close_connection = True
    def r_observed(self):
        with lock: at = disconnects.get(self.q["id"])
        self.send_body(404, b"") if at is None else self.send_body(200, repr(at).encode())
    def r_big(self):
        total, key, sent = int(self.q["bytes"]), self.q.get("id", ""), 0
        self.send_response(200); self.send_header("Content-Length", str(total)); self.end_headers()
        try:
            while sent < total:
                part = PATTERN[: min(len(PATTERN), total - sent)]
                self.wfile.write(part); sent += len(part)
                with lock: progress[key] = sent
        except OSError: self.close_connection = True
    def r_progress(self):
        with lock: sent = progress.get(self.q["id"], 0)
        self.send_body(200, str(sent).encode())
    def r_stats(self):
        with lock: count = stats["connections"]
        self.send_body(200, str(count).encode())

class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024
    def handle_error(self, request, client_address): pass  # clients hanging up mid-response is what tests do

def serve(server): threading.Thread(target=server.serve_forever, daemon=True).start()

plain = Server(("127.0.0.1", 0), Handler); serve(plain)
tls_port, cert = 0, "-"
folder = tempfile.mkdtemp(prefix="ntcurl-tls-")
try:
    cert, key = os.path.join(folder, "cert.pem"), os.path.join(folder, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); context.load_cert_chain(cert, key)
    secure = Server(("127.0.0.1", 0), Handler)
    secure.socket = context.wrap_socket(secure.socket, server_side=True)
    serve(secure); tls_port = secure.server_address[1]
except Exception as error:
    print("no TLS server:", error, file=sys.stderr)
print(plain.server_address[1], tls_port, cert, flush=True)
sys.stdin.read()
shutil.rmtree(folder, ignore_errors=True)
os._exit(0)
"""#
