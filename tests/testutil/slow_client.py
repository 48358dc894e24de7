"""Slow HTTP clients, the kind that try to hold a server's workers (standard library only): used by
tests/integration/test_abuse.py, test_web_transport.py and bench/slow_clients.py."""
import socket
import threading
import time


def open_slowloris(port, count):
    """Opens count connections that each send half a request line and then stall."""
    socks = []
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(b"GET /metrics HT")
        socks.append(s)
    return socks


def close_all(socks):
    for s in socks:
        try:
            s.close()
        except OSError:
            pass


def drain(sock):
    """(what the server has sent on sock so far, whether it has closed or reset it). Never blocks."""
    sock.setblocking(False)
    data = b""
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return data, True
            data += chunk
    except BlockingIOError:
        return data, False
    except OSError:
        return data, True


class Trickler:
    """count connections that each send `head` and then one byte (`drip`) a second, until the server
    closes them or stop() is called: a request head that never ends (head without its blank line) or
    a declared body that never arrives. closed_by_server() counts the connections the server closed;
    responses[i] holds what it sent on connection i. Use as a context manager or call stop()."""

    def __init__(self, port, head, count, drip=b"x"):
        self.socks = []
        try:
            for _ in range(count):
                s = socket.create_connection(("127.0.0.1", port), timeout=5)
                self.socks.append(s)
                s.sendall(head)
                s.setblocking(False)
        except OSError:
            close_all(self.socks)
            raise
        self.drip = drip
        self.open = set(range(count))
        self.responses = [b""] * count
        self.started = time.monotonic()
        self.closed_after = [None] * count  # seconds from start until the server closed connection i
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.wait(1.0):
            with self._lock:
                for i in list(self.open):
                    closed = False
                    try:
                        self.socks[i].send(self.drip)
                    except BlockingIOError:
                        pass  # the server reads nothing, and its receive buffer is full
                    except OSError:
                        closed = True
                    if not closed:
                        data, closed = drain(self.socks[i])
                        self.responses[i] += data
                    if closed:
                        self.open.discard(i)
                        self.closed_after[i] = time.monotonic() - self.started

    def closed_by_server(self):
        with self._lock:
            return len(self.socks) - len(self.open)

    def wait_all_closed(self, timeout):
        """The number of connections the server has closed, once it is all of them or after timeout s."""
        deadline = time.monotonic() + timeout
        while self.closed_by_server() < len(self.socks) and time.monotonic() < deadline:
            time.sleep(0.2)
        return self.closed_by_server()

    def stop(self):
        self._stop.set()
        self._thread.join()
        close_all(self.socks)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
