package doctor

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"

	"netmodels/bench/runner"
)

// release is the kernel's release string and its major and minor numbers.
func release() (string, int, int) {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return "unknown", 0, 0
	}
	rel := unix.ByteSliceToString(u.Release[:])
	var major, minor int
	_, _ = fmt.Sscanf(rel, "%d.%d", &major, &minor)
	return rel, major, minor
}

func linuxCheck() Result {
	rel, _, _ := release()
	return Result{Name: "Linux", OK: true, Found: "kernel " + rel, UsedBy: "every model and the harness (raw sockets, epoll, /proc)", Without: "nothing runs"}
}

func cpusCheck() Result {
	r := Result{Name: "2 or more CPUs", UsedBy: "the server on one CPU, the generator on the others",
		Without: "server and generator share a CPU: figures the generator set are marked †, and meta.json says so"}
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		r.Found = err.Error()
		return r
	}
	n := set.Count()
	r.OK, r.Found = n >= 2, fmt.Sprintf("%d CPUs this process may use", n)
	return r
}

func quotaCheck() Result {
	r := Result{Name: "a CPU quota (cgroup cpu controller, writable)", UsedBy: "-server-cpu below 1 and auto (make bench's default): the server held to a share of its CPU, so that it, not the generator, is the limit",
		Without: "every server gets its whole CPU (as SERVER_CPU=1), meta.json says why, and figures the generator set are marked †"}
	if err := runner.ProbeCPUQuota(); err != nil {
		r.Found = err.Error()
		return r
	}
	r.OK, r.Found = true, runner.CgroupVersion()+" (uid "+strconv.Itoa(os.Geteuid())+")"
	return r
}

func perfCheck() Result {
	r := Result{Name: "perf, allowed to count", UsedBy: "-kernel: system calls, context switches and page faults per answer",
		Without: "-kernel leaves the counts out; each summary's kernel_note says why"}
	p, err := exec.LookPath("perf")
	if err != nil {
		r.Found = "not in PATH: apt-get install linux-perf"
		return r
	}
	paranoid := -1
	if b, err := os.ReadFile("/proc/sys/kernel/perf_event_paranoid"); err == nil {
		paranoid, _ = strconv.Atoi(strings.TrimSpace(string(b)))
	}
	if os.Geteuid() != 0 && paranoid > 1 {
		r.Found = fmt.Sprintf("%s, but not root and kernel.perf_event_paranoid is %d: run as root, or sysctl kernel.perf_event_paranoid=1", p, paranoid)
		return r
	}
	r.OK, r.Found = true, p
	return r
}

func iouringCheck() Result {
	r := Result{Name: "io_uring (Linux 5.19 or later, not disabled)", UsedBy: "the iouring model",
		Without: "the iouring model fails to start, saying why; a run records that in meta.json and goes on with the others"}
	rel, major, minor := release()
	if major < 5 || major == 5 && minor < 19 {
		r.Found = "kernel " + rel + " is older than 5.19"
		return r
	}
	if b, err := os.ReadFile("/proc/sys/kernel/io_uring_disabled"); err == nil {
		if v := strings.TrimSpace(string(b)); v != "0" {
			r.Found = "kernel.io_uring_disabled is " + v + " (0 allows it)"
			if v == "1" {
				r.Found += "; 1 allows it to root and the io_uring_group only"
			}
			if v == "2" || os.Geteuid() != 0 {
				return r
			}
		}
	}
	var p [120]byte // struct io_uring_params: zeroed asks for the defaults
	fd, _, errno := unix.Syscall(unix.SYS_IO_URING_SETUP, 2, uintptr(unsafe.Pointer(&p)), 0)
	if errno != 0 {
		r.Found = "io_uring_setup: " + errno.Error() + " (a seccomp filter, as Docker's default, refuses it too)"
		return r
	}
	_ = unix.Close(int(fd))
	r.OK, r.Found = true, "kernel "+rel+", io_uring_setup works"
	return r
}

func nofileCheck() Result {
	const want = 16384
	r := Result{Name: fmt.Sprintf("%d or more descriptors (hard limit)", want), UsedBy: "the harness's connections and the servers' (hello-1000, memory per 2000 idle connections, make stress's floods)",
		Without: "runs that hold many connections fail their connections past the limit: raise it (ulimit -Hn, or LimitNOFILE)"}
	var l unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &l); err != nil {
		r.Found = err.Error()
		return r
	}
	r.OK, r.Found = l.Max >= want, fmt.Sprintf("soft %d, hard %d", l.Cur, l.Max)
	return r
}
