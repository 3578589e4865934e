"""The blog's multi-thread socket server: a thread per connection.

--join keeps the blog's first version: t.join() right after t.start(),
inside the accept loop, so each connection's thread ends before the next
accept and the server is serial. Without it, the blog's fix: the threads
are joined only when the server stops (threading.enumerate(): no list of
finished threads is kept). netmodels' analogue: the thread
model (an OS thread per connection; here the GIL lets one run Python at a
time).
"""

import threading

from common import RECV, RESPONSE, listen


def handler(conn, addr):
    conn.recv(RECV)
    conn.sendall(RESPONSE)
    conn.close()


def main():
    server, args = listen(__doc__, join_flag=True)
    try:
        while True:
            conn, addr = server.accept()
            t = threading.Thread(target=handler, args=(conn, addr))
            t.start()
            if args.join:
                t.join()  # the blog's first version: serial
    except KeyboardInterrupt:
        for t in threading.enumerate():  # the blog's fix
            if t is not threading.main_thread():
                t.join()
    finally:
        server.close()


if __name__ == "__main__":
    main()
