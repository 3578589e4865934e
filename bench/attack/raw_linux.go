package attack

import (
	"encoding/binary"
	"net/netip"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The event loop's system calls, made raw: none of them blocks (every
// socket is non-blocking), and a raw call does not tell the Go runtime
// that it entered the kernel. Told, the runtime's monitor hands the
// processor to another thread whenever a connect or close lasts past
// 20 µs, as they do on loopback (the handshake and the FIN run inside
// them), and the loop paid a thread switch for it. epoll_wait, which does
// block, stays an ordinary call.

func errno(e unix.Errno) error {
	if e != 0 {
		return e
	}
	return nil
}

func rawSocket(family int) (int, error) {
	fd, _, e := unix.RawSyscall(unix.SYS_SOCKET, uintptr(family), unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	return int(fd), errno(e)
}

// rawSockaddr is a's sockaddr_in or sockaddr_in6.
type rawSockaddr struct {
	family int
	buf    [unix.SizeofSockaddrInet6]byte
	len    uintptr
}

func newRawSockaddr(a netip.AddrPort) *rawSockaddr {
	var s rawSockaddr
	ip := a.Addr().Unmap()
	if ip.Is4() {
		sa := (*unix.RawSockaddrInet4)(unsafe.Pointer(&s.buf[0]))
		sa.Family = unix.AF_INET
		sa.Addr = ip.As4()
		s.family, s.len = unix.AF_INET, unix.SizeofSockaddrInet4
		binary.BigEndian.PutUint16((*[2]byte)(unsafe.Pointer(&sa.Port))[:], a.Port())
	} else {
		sa := (*unix.RawSockaddrInet6)(unsafe.Pointer(&s.buf[0]))
		sa.Family = unix.AF_INET6
		sa.Addr = ip.As16()
		s.family, s.len = unix.AF_INET6, unix.SizeofSockaddrInet6
		binary.BigEndian.PutUint16((*[2]byte)(unsafe.Pointer(&sa.Port))[:], a.Port())
	}
	return &s
}

func rawConnect(fd int, sa *rawSockaddr) error {
	_, _, e := unix.RawSyscall(unix.SYS_CONNECT, uintptr(fd), uintptr(unsafe.Pointer(&sa.buf[0])), sa.len)
	return errno(e)
}

func rawRead(fd int, b []byte) (int, error) {
	n, _, e := unix.RawSyscall(unix.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)))
	return int(n), errno(e)
}

func rawWrite(fd int, b []byte) (int, error) {
	n, _, e := unix.RawSyscall(unix.SYS_WRITE, uintptr(fd), uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)))
	return int(n), errno(e)
}

func rawClose(fd int) { unix.RawSyscall(unix.SYS_CLOSE, uintptr(fd), 0, 0) }

func rawEpollAdd(ep, fd int, events uint32) error {
	ev := unix.EpollEvent{Events: events, Fd: int32(fd)}
	_, _, e := unix.RawSyscall6(unix.SYS_EPOLL_CTL, uintptr(ep), unix.EPOLL_CTL_ADD, uintptr(fd), uintptr(unsafe.Pointer(&ev)), 0, 0)
	return errno(e)
}

func rawSetsockoptInt(fd, level, opt, v int) error {
	x := int32(v)
	_, _, e := unix.RawSyscall6(unix.SYS_SETSOCKOPT, uintptr(fd), uintptr(level), uintptr(opt), uintptr(unsafe.Pointer(&x)), 4, 0)
	return errno(e)
}

// rawRecvmsg reads into b as read(2) does, and hands the kernel's control
// messages to oob: with SO_TIMESTAMPNS set, the receive time of the last
// segment read (rxStamp).
func rawRecvmsg(fd int, b, oob []byte) (n, oobn int, err error) {
	return rawRecvmsgFlags(fd, b, oob, 0)
}

func rawRecvmsgFlags(fd int, b, oob []byte, flags int) (n, oobn int, err error) {
	iov := unix.Iovec{Base: &b[0]}
	iov.SetLen(len(b))
	msg := unix.Msghdr{Iov: &iov, Control: &oob[0]}
	msg.Iovlen = 1
	msg.SetControllen(len(oob))
	r, _, e := unix.RawSyscall(unix.SYS_RECVMSG, uintptr(fd), uintptr(unsafe.Pointer(&msg)), uintptr(flags))
	return int(r), int(msg.Controllen), errno(e)
}

// txStampFlags asks the kernel for a software stamp when each send's last
// byte leaves for the device, to be read from the socket's error queue
// with no copy of the data (SO_TIMESTAMPING; on loopback, loopback_xmit
// stamps it, inside the write, just before the server's side receives it).
const txStampFlags = unix.SOF_TIMESTAMPING_TX_SOFTWARE | unix.SOF_TIMESTAMPING_SOFTWARE | unix.SOF_TIMESTAMPING_OPT_TSONLY

// rawTxStamp reads fd's error queue up to the first send stamp not before
// since (the start of the request in flight: older ones are an earlier
// request's) and returns it; zero when the queue ran out first. One read
// in the usual case, a request sent by one write, where reading on until
// the queue is empty would cost a second system call per request.
func rawTxStamp(fd int, b, oob []byte, since time.Time) time.Time {
	for {
		_, oobn, err := rawRecvmsgFlags(fd, b, oob, unix.MSG_ERRQUEUE|unix.MSG_DONTWAIT)
		if err != nil {
			return time.Time{}
		}
		if t := txStamp(oob[:oobn]); !t.Before(since) {
			return t
		}
	}
}

// txStamp finds the SCM_TIMESTAMPING message of a send stamp in the
// control messages oob (read from the error queue) and returns its
// software time; zero when there is none.
func txStamp(oob []byte) time.Time {
	var ts unix.ScmTimestamping
	if !findCmsg(oob, unix.SOL_SOCKET, unix.SCM_TIMESTAMPING, (*[unsafe.Sizeof(ts)]byte)(unsafe.Pointer(&ts))[:]) || ts.Ts[0].Sec == 0 && ts.Ts[0].Nsec == 0 {
		return time.Time{}
	}
	return time.Unix(ts.Ts[0].Sec, ts.Ts[0].Nsec)
}

// rxStamp finds the SCM_TIMESTAMPNS message in the control messages oob
// and returns its time; zero when there is none (a read of nothing, or a
// segment the kernel did not stamp).
func rxStamp(oob []byte) time.Time {
	var ts unix.Timespec
	if !findCmsg(oob, unix.SOL_SOCKET, unix.SCM_TIMESTAMPNS, (*[unsafe.Sizeof(ts)]byte)(unsafe.Pointer(&ts))[:]) {
		return time.Time{}
	}
	return time.Unix(ts.Sec, ts.Nsec)
}

// findCmsg copies the data of the first control message of level and type in
// oob into v, and says whether there was one with room for v.
func findCmsg(oob []byte, level, typ int32, v []byte) bool {
	for len(oob) >= unix.SizeofCmsghdr {
		h := (*unix.Cmsghdr)(unsafe.Pointer(&oob[0]))
		l := int(h.Len)
		if l < unix.SizeofCmsghdr || l > len(oob) {
			return false
		}
		if h.Level == level && h.Type == typ && l >= unix.CmsgLen(len(v)) {
			copy(v, oob[unix.CmsgLen(0):])
			return true
		}
		oob = oob[min(unix.CmsgSpace(l-unix.SizeofCmsghdr), len(oob)):]
	}
	return false
}
