"""The blog's single-process socket server: one connection at a time.

accept, one recv, send 200 OK, close; the next client waits in the listen
queue meanwhile (the blog: "blocked until send/recv complete; it cannot
serve clients at the same time"). netmodels' analogue: the iterative model.
"""

from common import RECV, RESPONSE, listen


def main():
    server, _ = listen(__doc__)
    try:
        while True:
            conn, addr = server.accept()
            conn.recv(RECV)
            conn.sendall(RESPONSE)
            conn.close()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


if __name__ == "__main__":
    main()
