// Command seccomp-defaults prints, as JSON, the default seccomp profiles of the two runtimes whose
// RuntimeDefault kube-patrol's `seccomp check` models: containerd's (contrib/seccomp of
// github.com/containerd/containerd/v2) and Docker/moby's (github.com/moby/profiles/seccomp), at the module
// versions pinned in go.mod. test/runtime/seccomp-defaults.test.ts compares this output with the data
// shipped in src/seccomp/data/runtime-defaults.json, so the data cannot drift from its stated source.
//
// Both are capability-conditional. moby says so in its data (includes/excludes); containerd says so in
// code (a switch over the bounding set), so its rules are recovered here by calling DefaultProfile with no
// capability and with each capability alone, and the result is checked against a call with all of them.
// containerd also decides by the build's GOARCH and by the host kernel (ptrace needs >= 4.8); the output
// is for the GOARCH this runs on.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"sort"

	containerd "github.com/containerd/containerd/v2/contrib/seccomp"
	moby "github.com/moby/profiles/seccomp"
	"github.com/opencontainers/runtime-spec/specs-go"
)

// Every Linux capability up to CAP_CHECKPOINT_RESTORE (40), so a capability that containerd starts to
// treat specially shows up in the diff.
var allCaps = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
	"CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
	"CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE",
	"CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT",
	"CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
	"CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN",
	"CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
	"CAP_CHECKPOINT_RESTORE",
}

// rule is the shape both profiles are written in: a runtime-spec syscall rule plus moby's conditions.
type rule struct {
	Names    []string                 `json:"names"`
	Action   specs.LinuxSeccompAction `json:"action"`
	ErrnoRet *uint                    `json:"errnoRet,omitempty"`
	Args     []specs.LinuxSeccompArg  `json:"args,omitempty"`
	Includes *filter                  `json:"includes,omitempty"`
	Excludes *filter                  `json:"excludes,omitempty"`
}

type filter struct {
	Caps      []string `json:"caps,omitempty"`
	Arches    []string `json:"arches,omitempty"`
	MinKernel string   `json:"minKernel,omitempty"`
}

type profile struct {
	Module          string                   `json:"module"`
	Version         string                   `json:"version"`
	Package         string                   `json:"package"`
	GoArch          string                   `json:"goarch,omitempty"`
	DefaultAction   specs.LinuxSeccompAction `json:"defaultAction"`
	DefaultErrnoRet *uint                    `json:"defaultErrnoRet,omitempty"`
	Architectures   []specs.Arch             `json:"architectures,omitempty"`
	ArchMap         []moby.Architecture      `json:"archMap,omitempty"`
	Syscalls        []rule                   `json:"syscalls"`
}

func moduleVersion(path string) string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		fail("no build info: build with module support")
	}
	for _, dep := range info.Deps {
		if dep.Path == path {
			if dep.Replace != nil {
				return dep.Replace.Version
			}
			return dep.Version
		}
	}
	fail("module %s is not in the build", path)
	return ""
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "seccomp-defaults: "+format+"\n", args...)
	os.Exit(1)
}

func specWith(caps []string) *specs.Spec {
	return &specs.Spec{Process: &specs.Process{Capabilities: &specs.LinuxCapabilities{Bounding: caps}}}
}

func key(s specs.LinuxSyscall) string {
	s.Names = slices.Sorted(slices.Values(s.Names))
	if len(s.Args) == 0 {
		s.Args = nil
	}
	b, err := json.Marshal(s)
	if err != nil {
		fail("marshal: %v", err)
	}
	return string(b)
}

func fromSpec(s specs.LinuxSyscall) rule {
	args := s.Args
	if len(args) == 0 {
		args = nil
	}
	return rule{Names: s.Names, Action: s.Action, ErrnoRet: s.ErrnoRet, Args: args}
}

// containerdProfile recovers containerd's capability conditions by difference against the profile of a
// container without capabilities.
func containerdProfile() profile {
	base := containerd.DefaultProfile(specWith(nil))
	rules := make([]rule, 0, len(base.Syscalls))
	index := map[string]int{}
	for _, s := range base.Syscalls {
		index[key(s)] = len(rules)
		rules = append(rules, fromSpec(s))
	}
	for _, c := range allCaps {
		with := containerd.DefaultProfile(specWith([]string{c}))
		present := map[string]bool{}
		for _, s := range with.Syscalls {
			k := key(s)
			present[k] = true
			if _, inBase := index[k]; !inBase {
				r := fromSpec(s)
				r.Includes = &filter{Caps: []string{c}}
				rules = append(rules, r)
			}
		}
		for k, i := range index {
			if !present[k] {
				if rules[i].Excludes == nil {
					rules[i].Excludes = &filter{}
				}
				rules[i].Excludes.Caps = append(rules[i].Excludes.Caps, c)
			}
		}
	}
	// The conditions are only right if capabilities act independently: check them against all at once.
	want := map[string]int{}
	for _, s := range containerd.DefaultProfile(specWith(allCaps)).Syscalls {
		want[key(s)]++
	}
	got := map[string]int{}
	for _, r := range rules {
		if r.Excludes != nil && len(r.Excludes.Caps) > 0 {
			continue
		}
		got[key(specs.LinuxSyscall{Names: r.Names, Action: r.Action, ErrnoRet: r.ErrnoRet, Args: r.Args})]++
	}
	for k, n := range want {
		if got[k] < 1 || (n > 1 && got[k] != n) {
			fail("containerd's profile with every capability has %s, which the per-capability rules miss", k)
		}
	}
	for k := range got {
		if want[k] == 0 {
			fail("the per-capability rules of containerd's profile add %s, which the profile with every capability lacks", k)
		}
	}
	return profile{
		Module:          "github.com/containerd/containerd/v2",
		Version:         moduleVersion("github.com/containerd/containerd/v2"),
		Package:         "contrib/seccomp",
		GoArch:          runtime.GOARCH,
		DefaultAction:   base.DefaultAction,
		DefaultErrnoRet: base.DefaultErrnoRet,
		Architectures:   base.Architectures,
		Syscalls:        rules,
	}
}

func convertFilter(f *moby.Filter) *filter {
	if f == nil || (len(f.Caps) == 0 && len(f.Arches) == 0 && f.MinKernel == nil) {
		return nil
	}
	out := &filter{Caps: f.Caps, Arches: f.Arches}
	if f.MinKernel != nil {
		out.MinKernel = f.MinKernel.String()
	}
	return out
}

func mobyProfile() profile {
	p := moby.DefaultProfile()
	rules := make([]rule, 0, len(p.Syscalls))
	for _, s := range p.Syscalls {
		names := s.Names
		if len(names) == 0 && s.Name != "" {
			names = []string{s.Name}
		}
		r := fromSpec(s.LinuxSyscall)
		r.Names = names
		r.Includes = convertFilter(s.Includes)
		r.Excludes = convertFilter(s.Excludes)
		rules = append(rules, r)
	}
	return profile{
		Module:          "github.com/moby/profiles/seccomp",
		Version:         moduleVersion("github.com/moby/profiles/seccomp"),
		Package:         ".",
		DefaultAction:   p.DefaultAction,
		DefaultErrnoRet: p.DefaultErrnoRet,
		ArchMap:         p.ArchMap,
		Syscalls:        rules,
	}
}

func main() {
	out := map[string]profile{"containerd": containerdProfile(), "docker": mobyProfile()}
	for _, p := range out {
		for i := range p.Syscalls {
			if p.Syscalls[i].Excludes != nil {
				sort.Strings(p.Syscalls[i].Excludes.Caps)
			}
		}
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		fail("marshal: %v", err)
	}
	os.Stdout.Write(append(b, '\n'))
}
