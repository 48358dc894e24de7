"""A scripted line-protocol TCP server for the tests (standard library only): banner services,
SMTP-like STARTTLS dialogues, and peers that accept and then say nothing.

    server = LineServer([("send", b"220 mail.test ESMTP ready\\r\\n"), ("read",), ("starttls",), ...],
                        ssl_context=ctx)
    server.port, server.lines (every line read, in order), server.connections, server.stop()

Listens on 127.0.0.1 (port 0), serves each connection in its own thread with the same script:
  ("send", bytes)  write bytes
  ("read",)        read one line (kept in .lines without its line end); the script ends at EOF
  ("starttls",)    wrap the connection in ssl_context (server side) and do the handshake
  ("hold",)        read and discard until the peer closes, never writing (a silent peer)
The connection is closed when the script ends.
"""
import socket
import threading


class LineServer:
    def __init__(self, script, ssl_context=None):
        self.script = list(script)
        self.ssl_context = ssl_context
        self.lines = []
        self.connections = 0
        self._lock = threading.Lock()
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        self.port = self._sock.getsockname()[1]
        self._stopped = False
        self._threads = []
        self._accepter = threading.Thread(target=self._accept, daemon=True)
        self._accepter.start()

    def _accept(self):
        while not self._stopped:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            with self._lock:
                self.connections += 1
            t = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            t.start()
            self._threads.append(t)

    def _serve(self, conn):
        conn.settimeout(30)
        reader = conn.makefile("rb")
        try:
            for step in self.script:
                if step[0] == "send":
                    conn.sendall(step[1])
                elif step[0] == "read":
                    line = reader.readline()
                    if not line:
                        return
                    with self._lock:
                        self.lines.append(line.rstrip(b"\r\n").decode("utf-8", "replace"))
                elif step[0] == "starttls":
                    reader.close()
                    conn = self.ssl_context.wrap_socket(conn, server_side=True)
                    reader = conn.makefile("rb")
                elif step[0] == "hold":
                    while conn.recv(4096):
                        pass
        except OSError:
            pass  # the prober gave up (a timeout under test) or the handshake failed: its side counts it
        finally:
            reader.close()
            conn.close()

    def received(self):
        with self._lock:
            return list(self.lines)

    def stop(self):
        self._stopped = True
        try:
            self._sock.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread; close() alone would not
        except OSError:
            pass
        self._sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
