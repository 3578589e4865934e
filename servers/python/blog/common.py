"""What the blog's four servers share here, and nothing the blog's code did:
the listening socket on an address the harness gives (port 0 for any), the
"serving on" line netbench waits for, and SIGTERM turned into the
KeyboardInterrupt the blog's servers stop on (its fixed versions join their
workers there).

Debian's python3 only; no third-party module.
"""

import argparse
import signal
import socket
import sys

# The answer each of the blog's servers sends to any request: 200 OK, and
# the connection closed after it.
RESPONSE = (b"HTTP/1.1 200 OK\r\n"
            b"Content-Type: text/plain\r\n"
            b"Content-Length: 6\r\n"
            b"Connection: close\r\n"
            b"\r\n"
            b"hello\n")

# The one read each server makes of a request, as the blog's recv(1024).
RECV = 1024

# The listen queue: the same as the Go models' (servers/rawsock), so that
# a difference is not the queue's.
BACKLOG = 1024


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def listen(doc, join_flag=False):
    """Parses the flags, binds and listens, and says where on stderr.

    Returns the listening socket and the parsed flags."""
    p = argparse.ArgumentParser(description=doc)
    p.add_argument("--addr", default="127.0.0.1:8000",
                   help="host:port to listen on (port 0: any free one)")
    if join_flag:
        p.add_argument("--join", action="store_true",
                       help="join() each worker inside the accept loop, as the "
                            "blog's first version did (serial); without it, "
                            "the blog's fix: join them only on the way out")
    args = p.parse_args()
    host, _, port = args.addr.rpartition(":")
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host or "127.0.0.1", int(port)))
    s.listen(BACKLOG)
    signal.signal(signal.SIGTERM, _interrupt)
    h, pt = s.getsockname()[:2]
    print(f"serving on {h}:{pt}", file=sys.stderr, flush=True)
    return s, args
