"""The blog's multi-process socket server: fork() a process per connection.

multiprocessing's "fork" start method is os.fork() underneath: the child is
a copy-on-write copy of the whole interpreter, with nothing executed anew
(netmodels' fork model, by contrast, is fork+exec of a small Go binary).

--join keeps the blog's first version: p.join() right after p.start(),
inside the accept loop, so the parent waits for each child before the next
accept and the server is serial. Without it, the blog's fix: the children
are joined only when the server stops (multiprocessing.active_children(),
which also reaps each finished child as the next one starts, so that no
descriptor or zombie is held for a child that is gone).
"""

import multiprocessing

from common import RECV, RESPONSE, listen

fork = multiprocessing.get_context("fork")


def handler(conn, addr):
    conn.recv(RECV)
    conn.sendall(RESPONSE)
    conn.close()


def main():
    server, args = listen(__doc__, join_flag=True)
    try:
        while True:
            conn, addr = server.accept()
            p = fork.Process(target=handler, args=(conn, addr))
            p.start()
            conn.close()  # the child has its copy
            if args.join:
                p.join()  # the blog's first version: serial
    except KeyboardInterrupt:
        for p in multiprocessing.active_children():  # the blog's fix
            p.join()
    finally:
        server.close()


if __name__ == "__main__":
    main()
