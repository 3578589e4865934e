"""The blog's select server: one process, select() over r_list.

r_list holds the listening socket and every client socket; select() says
which are readable; a readable listening socket is accepted into r_list, a
readable client is read once, answered 200 OK, closed and removed. Python's
select.select() takes descriptors below FD_SETSIZE (1024) only.
netmodels' analogue: the select model.
"""

import select

from common import RECV, RESPONSE, listen


def main():
    server, _ = listen(__doc__)
    r_list = [server]
    try:
        while True:
            readable, _, _ = select.select(r_list, [], [])
            for s in readable:
                if s is server:
                    conn, addr = server.accept()
                    r_list.append(conn)
                else:
                    s.recv(RECV)
                    s.sendall(RESPONSE)
                    s.close()
                    r_list.remove(s)
    except KeyboardInterrupt:
        pass
    finally:
        for s in r_list:
            s.close()


if __name__ == "__main__":
    main()
