package iouring

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The kernel's io_uring ABI (include/uapi/linux/io_uring.h), the part this
// model uses. golang.org/x/sys/unix has the system call numbers only.

// Opcodes.
const (
	opNop         = 0
	opAccept      = 13
	opAsyncCancel = 14
	opClose       = 19
	opRead        = 22
	opSend        = 26
	opRecv        = 27
)

// Submission flags (sqe.flags).
const (
	sqeIOLink        = 1 << 2
	sqeIOHardLink    = 1 << 3
	sqeBufferSelect  = 1 << 5
	sqeCQESkipOnSucc = 1 << 6
)

// Setup flags.
const (
	setupCQSize        = 1 << 3
	setupClamp         = 1 << 4
	setupSubmitAll     = 1 << 7
	setupCoopTaskrun   = 1 << 8
	setupSingleIssuer  = 1 << 12
	setupDeferTaskrun  = 1 << 13
	acceptMultishot    = 1 << 0 // in sqe.ioprio
	cancelAll          = 1 << 0 // in sqe.cancel_flags: every match, not the first
	cancelFD           = 1 << 1 // match by descriptor
	cancelAny          = 1 << 2 // every request
	enterGetEvents     = 1 << 0
	enterExtArg        = 1 << 3
	featSingleMmap     = 1 << 0
	featNoDrop         = 1 << 1
	featExtArg         = 1 << 8
	cqeFBuffer         = 1 << 0
	cqeFMore           = 1 << 1
	registerPbufRing   = 22
	offSQRing          = 0
	offSQEs            = 0x10000000
	ioringSetupDisable = "/proc/sys/kernel/io_uring_disabled"
)

// sqe is struct io_uring_sqe (64 bytes), with the unions named for the
// fields this model sets.
type sqe struct {
	opcode   uint8
	flags    uint8
	ioprio   uint16
	fd       int32
	off      uint64
	addr     uint64
	len      uint32
	opFlags  uint32 // msg_flags, accept_flags, cancel_flags, ...
	userData uint64
	bufGroup uint16
	_        uint16
	_        uint32
	_        [2]uint64
}

// cqe is struct io_uring_cqe (16 bytes).
type cqe struct {
	userData uint64
	res      int32
	flags    uint32
}

type sqringOffsets struct {
	head, tail, ringMask, ringEntries, flags, dropped, array, resv1 uint32
	userAddr                                                        uint64
}

type cqringOffsets struct {
	head, tail, ringMask, ringEntries, overflow, cqes, flags, resv1 uint32
	userAddr                                                        uint64
}

// params is struct io_uring_params (120 bytes).
type params struct {
	sqEntries, cqEntries, flags, sqThreadCPU, sqThreadIdle, features, wqFD uint32
	resv                                                                   [3]uint32
	sqOff                                                                  sqringOffsets
	cqOff                                                                  cqringOffsets
}

// getEventsArg is struct io_uring_getevents_arg: the timeout of a wait.
type getEventsArg struct {
	sigmask   uint64
	sigmaskSz uint32
	_         uint32
	ts        uint64
}

// bufReg is struct io_uring_buf_reg.
type bufReg struct {
	ringAddr    uint64
	ringEntries uint32
	bgid        uint16
	flags       uint16
	_           [3]uint64
}

// ring is one io_uring: the submission queue the loop fills, the
// completion queue the kernel fills, both shared memory.
type ring struct {
	fd       int
	mem      []byte // SQ and CQ rings, one mapping (IORING_FEAT_SINGLE_MMAP)
	sqeMem   []byte
	sqes     []sqe
	sqHead   *uint32 // the kernel's: how far it consumed
	sqTail   *uint32 // ours
	sqMask   uint32
	sqArray  []uint32
	cqHead   *uint32 // ours
	cqTail   *uint32 // the kernel's
	cqMask   uint32
	cqes     []cqe
	tail     uint32 // SQ entries filled, not yet published
	features uint32
	flags    uint32 // the setup flags the kernel took
}

// ErrUnavailable wraps why io_uring can't be used here.
var ErrUnavailable = errors.New("io_uring is unavailable")

// newRing sets up a ring of n submission entries. It tries the cheapest
// task-running mode first (one issuer, completions run only when the loop
// waits: Linux 6.1), then cooperative task running (5.19), then none.
// The caller's goroutine must be locked to its thread.
func newRing(n uint32) (*ring, error) {
	var p params
	var err error
	fd := -1
	for _, f := range []uint32{
		setupSingleIssuer | setupDeferTaskrun,
		setupCoopTaskrun,
		0,
	} {
		p = params{flags: f | setupCQSize | setupClamp | setupSubmitAll, cqEntries: 4 * n}
		r, _, e := unix.Syscall(unix.SYS_IO_URING_SETUP, uintptr(n), uintptr(unsafe.Pointer(&p)), 0)
		if e == 0 {
			fd = int(r)
			break
		}
		err = e
		if e != unix.EINVAL {
			break // not a flag it lacks: it refuses io_uring itself
		}
	}
	if fd < 0 {
		return nil, unavailable(err)
	}
	r := &ring{fd: fd, features: p.features, flags: p.flags}
	if p.features&featSingleMmap == 0 || p.features&featExtArg == 0 || p.features&featNoDrop == 0 {
		unix.Close(fd)
		return nil, fmt.Errorf("%w: the kernel lacks IORING_FEAT_SINGLE_MMAP, EXT_ARG or NODROP (Linux 5.11 or later has them)", ErrUnavailable)
	}
	size := max(p.sqOff.array+p.sqEntries*4, p.cqOff.cqes+p.cqEntries*uint32(unsafe.Sizeof(cqe{})))
	r.mem, err = unix.Mmap(fd, offSQRing, int(size), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED|unix.MAP_POPULATE)
	if err != nil {
		unix.Close(fd)
		return nil, os.NewSyscallError("mmap", err)
	}
	r.sqeMem, err = unix.Mmap(fd, offSQEs, int(p.sqEntries)*int(unsafe.Sizeof(sqe{})), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED|unix.MAP_POPULATE)
	if err != nil {
		_ = unix.Munmap(r.mem)
		unix.Close(fd)
		return nil, os.NewSyscallError("mmap", err)
	}
	at := func(off uint32) unsafe.Pointer { return unsafe.Pointer(&r.mem[off]) }
	r.sqes = unsafe.Slice((*sqe)(unsafe.Pointer(&r.sqeMem[0])), p.sqEntries)
	r.sqHead, r.sqTail = (*uint32)(at(p.sqOff.head)), (*uint32)(at(p.sqOff.tail))
	r.sqMask = *(*uint32)(at(p.sqOff.ringMask))
	r.sqArray = unsafe.Slice((*uint32)(at(p.sqOff.array)), p.sqEntries)
	r.cqHead, r.cqTail = (*uint32)(at(p.cqOff.head)), (*uint32)(at(p.cqOff.tail))
	r.cqMask = *(*uint32)(at(p.cqOff.ringMask))
	r.cqes = unsafe.Slice((*cqe)(at(p.cqOff.cqes)), p.cqEntries)
	r.tail = atomic.LoadUint32(r.sqTail)
	for i := range r.sqArray {
		r.sqArray[i] = uint32(i) // SQE i always sits in slot i
	}
	return r, nil
}

// unavailable explains an io_uring_setup error.
func unavailable(err error) error {
	why := ""
	switch {
	case errors.Is(err, unix.ENOSYS):
		why = "this kernel has no io_uring (CONFIG_IO_URING=n, or older than Linux 5.1)"
	case errors.Is(err, unix.EPERM):
		why = "io_uring is not permitted to this process"
		if b, e := os.ReadFile(ioringSetupDisable); e == nil && strings.TrimSpace(string(b)) != "0" {
			why += fmt.Sprintf(": kernel.io_uring_disabled is %s (0 allows it)", strings.TrimSpace(string(b)))
		} else {
			why += ": a seccomp profile blocks it (Docker's default profile does: run the container with --security-opt seccomp=unconfined)"
		}
	}
	if why == "" {
		return fmt.Errorf("%w: io_uring_setup: %v", ErrUnavailable, err)
	}
	return fmt.Errorf("%w: io_uring_setup: %v; %s", ErrUnavailable, err, why)
}

// get returns the next free submission entry, zeroed, or nil when the
// queue is full (submit, then ask again).
func (r *ring) get() *sqe {
	head := atomic.LoadUint32(r.sqHead)
	if r.tail-head >= uint32(len(r.sqes)) {
		return nil
	}
	e := &r.sqes[r.tail&r.sqMask]
	*e = sqe{}
	r.tail++
	return e
}

// pending is how many filled entries the kernel has not taken yet.
func (r *ring) pending() uint32 { return r.tail - atomic.LoadUint32(r.sqHead) }

// enter publishes the filled entries and submits them; with wait it then
// waits for at least one completion, at most timeout nanoseconds (< 0:
// no limit). A timeout or a signal is not an error.
func (r *ring) enter(wait bool, timeout int64) error {
	atomic.StoreUint32(r.sqTail, r.tail)
	flags := uintptr(0)
	minComplete := uintptr(0)
	if wait {
		flags, minComplete = enterGetEvents, 1
	}
	var arg getEventsArg
	var ts unix.Timespec
	argp, argsz := uintptr(0), uintptr(0)
	if wait && timeout >= 0 {
		ts = unix.NsecToTimespec(timeout)
		arg.ts = uint64(uintptr(unsafe.Pointer(&ts)))
		flags |= enterExtArg
		argp, argsz = uintptr(unsafe.Pointer(&arg)), unsafe.Sizeof(arg)
	}
	_, _, e := unix.Syscall6(unix.SYS_IO_URING_ENTER, uintptr(r.fd), uintptr(r.pending()), minComplete, flags, argp, argsz)
	switch e {
	case 0, unix.ETIME, unix.EINTR:
		return nil
	case unix.EBUSY, unix.EAGAIN:
		// The completion queue is full or the kernel is short of memory:
		// reaping completions makes room; the entries stay queued.
		return nil
	}
	return os.NewSyscallError("io_uring_enter", e)
}

// reap calls f for every completion ready and marks them seen.
func (r *ring) reap(f func(*cqe)) int {
	head := *r.cqHead
	tail := atomic.LoadUint32(r.cqTail)
	n := 0
	for ; head != tail; head++ {
		f(&r.cqes[head&r.cqMask])
		n++
	}
	atomic.StoreUint32(r.cqHead, head)
	return n
}

func (r *ring) close() {
	_ = unix.Munmap(r.sqeMem)
	_ = unix.Munmap(r.mem)
	unix.Close(r.fd)
}

// bufRing is a ring of provided buffers (IORING_REGISTER_PBUF_RING, Linux
// 5.19): the kernel picks a buffer only when data arrives, so a
// connection waiting to read holds none.
type bufRing struct {
	mem     []byte // the ring of struct io_uring_buf, 16 bytes each
	data    []byte // the buffers
	size    int
	mask    uint16
	tail    uint16
	tailPtr *uint16 // in the first entry's resv field
	group   uint16
}

// newBufRing registers count buffers of size bytes as group gid of r.
func newBufRing(r *ring, gid uint16, count, size int) (*bufRing, error) {
	mem, err := unix.Mmap(-1, 0, count*16, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANONYMOUS|unix.MAP_PRIVATE)
	if err != nil {
		return nil, os.NewSyscallError("mmap", err)
	}
	data, err := unix.Mmap(-1, 0, count*size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANONYMOUS|unix.MAP_PRIVATE)
	if err != nil {
		_ = unix.Munmap(mem)
		return nil, os.NewSyscallError("mmap", err)
	}
	b := &bufRing{mem: mem, data: data, size: size, mask: uint16(count - 1), group: gid,
		tailPtr: (*uint16)(unsafe.Pointer(&mem[14]))}
	reg := bufReg{ringAddr: uint64(uintptr(unsafe.Pointer(&mem[0]))), ringEntries: uint32(count), bgid: gid}
	_, _, e := unix.Syscall6(unix.SYS_IO_URING_REGISTER, uintptr(r.fd), registerPbufRing, uintptr(unsafe.Pointer(&reg)), 1, 0, 0)
	if e != 0 {
		b.free()
		if e == unix.EINVAL {
			return nil, fmt.Errorf("%w: io_uring_register(PBUF_RING): %v; provided buffer rings and multishot accept need Linux 5.19 or later", ErrUnavailable, e)
		}
		return nil, os.NewSyscallError("io_uring_register", e)
	}
	for i := 0; i < count; i++ {
		b.put(uint16(i))
	}
	b.publish()
	return b, nil
}

// buf is buffer id's first n bytes.
func (b *bufRing) buf(id uint16, n int) []byte {
	off := int(id) * b.size
	return b.data[off : off+n : off+b.size]
}

// put gives buffer id back to the kernel (seen once published).
func (b *bufRing) put(id uint16) {
	e := unsafe.Pointer(&b.mem[int(b.tail&b.mask)*16])
	*(*uint64)(e) = uint64(uintptr(unsafe.Pointer(&b.data[int(id)*b.size])))
	*(*uint32)(unsafe.Add(e, 8)) = uint32(b.size)
	*(*uint16)(unsafe.Add(e, 12)) = id
	b.tail++
}

// publish makes the buffers put so far visible to the kernel.
func (b *bufRing) publish() {
	atomic.StoreUint32((*uint32)(unsafe.Pointer(&b.mem[12])), uint32(b.tail)<<16|uint32(*(*uint16)(unsafe.Pointer(&b.mem[12]))))
}

func (b *bufRing) free() {
	_ = unix.Munmap(b.data)
	_ = unix.Munmap(b.mem)
}
