"""The benchmark's lean HTTP client (bench/load.py, Wire) reads every framing a server uses."""

import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench"))
from load import Wire, _call  # noqa: E402


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        reply = b"got " + body + b" as " + self.headers["Content-Type"].encode()
        if self.path == "/length":
            self.send_response(201)
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)
        elif self.path == "/chunked":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for part in (reply[:3], reply[3:]):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            self.wfile.write(b"0\r\n\r\n")
        else:  # no length: the end of the connection ends the body
            self.send_response(409)
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(reply)
            self.close_connection = True


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield httpd.server_address
    httpd.shutdown()


def test_wire_reads_length_chunks_and_close_and_keeps_the_connection_alive(server):
    wire = Wire(*server, timeout=5)
    status, body, t0, t1 = _call(wire, "POST", "/length", "tok", {"a": 1})
    assert (status, body) == (201, b'got {"a": 1} as application/json') and t1 >= t0
    kept = wire.sock
    assert _call(wire, "POST", "/chunked", None, {"b": 2})[:2] == (
        200,
        b'got {"b": 2} as application/json',
    )
    assert wire.sock is kept  # HTTP/1.1 keep-alive: the same socket
    assert _call(wire, "POST", "/close", None, {"c": 3})[:2] == (
        409,
        b'got {"c": 3} as application/json',
    )
    assert wire.sock is None  # closed by the server, opened anew for the next request
    assert _call(wire, "POST", "/length", None, {})[0] == 201


def test_a_refused_connection_is_status_0():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    status, body, *_ = _call(Wire("127.0.0.1", port, timeout=2), "GET", "/")
    assert status == 0 and b"ConnectionRefused" in body
