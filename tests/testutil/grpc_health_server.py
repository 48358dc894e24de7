"""A real gRPC server that implements the standard health service (grpc.health.v1.Health/Check), for
the grpc check tests. Run it with Debian's /usr/bin/python3 (python3-grpcio); the python3 first on
PATH may be another interpreter without grpc.

    /usr/bin/python3 grpc_health_server.py --port N --status-file F [--cert C --key K]

python3-grpcio does not ship grpc_health, so the service is registered through grpc's generic
handler API, with serializers that encode and decode the two tiny protobuf messages by hand:
    HealthCheckRequest  { string service = 1; }
    HealthCheckResponse { ServingStatus status = 1; }  (UNKNOWN 0, SERVING 1, NOT_SERVING 2, SERVICE_UNKNOWN 3)
The status of each service is read from the JSON file F on every call ({"": "SERVING", "svc":
"NOT_SERVING"}), so a test changes it by rewriting the file. A service the file does not name gets
NOT_FOUND, as grpc's own health servicer answers. With --cert/--key it serves TLS (ALPN h2).
Prints "serving on <port>" to stderr once it listens, and "metadata <name>=<value>" for each x-*
metadata entry of a call; ends on SIGTERM.
"""
import argparse
import json
import signal
import sys
import threading
from concurrent import futures

import grpc

STATUS = {"UNKNOWN": 0, "SERVING": 1, "NOT_SERVING": 2, "SERVICE_UNKNOWN": 3}


def read_varint(data, i):
    shift = value = 0
    while True:
        b = data[i]
        i += 1
        value |= (b & 0x7F) << shift
        if not b & 0x80:
            return value, i
        shift += 7


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def decode_request(data):
    """The service name of a HealthCheckRequest (fields other than 1 are skipped, as protobuf does)."""
    i, service = 0, ""
    while i < len(data):
        key, i = read_varint(data, i)
        wire = key & 7
        if wire == 0:
            _, i = read_varint(data, i)
        elif wire == 2:
            n, i = read_varint(data, i)
            if key >> 3 == 1:
                service = data[i:i + n].decode("utf-8")
            i += n
        elif wire == 1:
            i += 8
        elif wire == 5:
            i += 4
        else:
            raise ValueError("unsupported wire type %d" % wire)
    return service


def encode_response(status):
    return b"" if status == 0 else b"\x08" + varint(status)  # proto3 leaves out a zero field


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--status-file", required=True)
    p.add_argument("--cert")
    p.add_argument("--key")
    args = p.parse_args()

    def check(service, context):
        for name, value in context.invocation_metadata():
            if name.startswith("x-"):
                print("metadata %s=%s" % (name, value), file=sys.stderr, flush=True)
        with open(args.status_file) as f:
            statuses = json.load(f)
        if service not in statuses:
            context.abort(grpc.StatusCode.NOT_FOUND, "unknown service: %s" % service)
        return STATUS[statuses[service]]

    handler = grpc.method_handlers_generic_handler("grpc.health.v1.Health", {
        "Check": grpc.unary_unary_rpc_method_handler(check, request_deserializer=decode_request,
                                                     response_serializer=encode_response)})
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    server.add_generic_rpc_handlers((handler,))
    address = "127.0.0.1:%d" % args.port
    if args.cert:
        with open(args.cert, "rb") as c, open(args.key, "rb") as k:
            creds = grpc.ssl_server_credentials([(k.read(), c.read())])
        bound = server.add_secure_port(address, creds)
    else:
        bound = server.add_insecure_port(address)
    if bound != args.port:
        print("cannot bind %s" % address, file=sys.stderr, flush=True)
        sys.exit(1)
    server.start()
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    print("serving on %d" % args.port, file=sys.stderr, flush=True)
    done.wait()
    server.stop(0)


if __name__ == "__main__":
    main()
