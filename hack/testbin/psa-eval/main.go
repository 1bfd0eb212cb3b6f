// Command psa-eval evaluates pods with the upstream Pod Security Admission library
// (k8s.io/pod-security-admission/policy, pinned by hack/testbin/go.mod). It is the reference side of
// test/integration/pss-differential.test.ts; see docs/testenv.md.
//
// Input: JSON lines on stdin, each {"id": <any>, "pod": <v1.Pod>}.
// Flags: -versions v1.25,v1.37 (default: every minor v1.25..v1.37), -levels baseline,restricted.
// Output: one JSON line per pod, version and level:
//
//	{"id":..., "version":"v1.37", "level":"baseline", "allowed":false,
//	 "forbidden":["hostNamespaces"], "reasons":["host namespaces"]}
//
// "allowed" and "reasons" come from the upstream evaluator (policy.NewEvaluator(policy.DefaultChecks())).
// "forbidden" names the failing check ids: upstream's CheckResult carries no id, so each check of
// policy.DefaultChecks() that applies at that level and version (latest VersionedCheck whose
// MinimumVersion is not newer, minus the baseline checks that restricted ones override) is also run on
// its own. A disagreement between the two is reported as an error line and a non-zero exit.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
)

type input struct {
	ID  json.RawMessage `json:"id"`
	Pod corev1.Pod      `json:"pod"`
}

type output struct {
	ID        json.RawMessage `json:"id"`
	Version   string          `json:"version"`
	Level     string          `json:"level"`
	Allowed   bool            `json:"allowed"`
	Forbidden []string        `json:"forbidden"`
	Reasons   []string        `json:"reasons"`
	Error     string          `json:"error,omitempty"`
}

// applicable returns the checks (id → CheckPod) upstream runs at this level and version.
func applicable(checks []policy.Check, level api.Level, version api.Version) map[policy.CheckID]policy.CheckPodFn {
	fns := map[policy.CheckID]policy.CheckPodFn{}
	overridden := map[policy.CheckID]bool{}
	for _, c := range checks {
		if level == api.LevelBaseline && c.Level != api.LevelBaseline {
			continue
		}
		var chosen *policy.VersionedCheck
		for i := range c.Versions {
			if !version.Older(c.Versions[i].MinimumVersion) {
				chosen = &c.Versions[i]
			}
		}
		if chosen == nil {
			continue
		}
		fns[c.ID] = chosen.CheckPod
		if c.Level == api.LevelRestricted {
			for _, o := range chosen.OverrideCheckIDs {
				overridden[o] = true
			}
		}
	}
	for id := range overridden {
		delete(fns, id)
	}
	return fns
}

func main() {
	versionsFlag := flag.String("versions", "", "comma-separated policy versions (default v1.25..v1.37)")
	levelsFlag := flag.String("levels", "baseline,restricted", "comma-separated levels")
	flag.Parse()

	var versions []api.Version
	if *versionsFlag == "" {
		for minor := 25; minor <= 37; minor++ {
			versions = append(versions, api.MajorMinorVersion(1, minor))
		}
	} else {
		for _, v := range strings.Split(*versionsFlag, ",") {
			parsed, err := api.ParseVersion(strings.TrimSpace(v))
			if err != nil {
				fmt.Fprintf(os.Stderr, "psa-eval: %v\n", err)
				os.Exit(2)
			}
			versions = append(versions, parsed)
		}
	}
	var levels []api.Level
	for _, l := range strings.Split(*levelsFlag, ",") {
		parsed, err := api.ParseLevel(strings.TrimSpace(l))
		if err != nil {
			fmt.Fprintf(os.Stderr, "psa-eval: %v\n", err)
			os.Exit(2)
		}
		levels = append(levels, parsed)
	}

	checks := policy.DefaultChecks()
	evaluator, err := policy.NewEvaluator(checks, nil)
	if err != nil {
		fmt.Fprintf(os.Stderr, "psa-eval: %v\n", err)
		os.Exit(2)
	}
	type key struct {
		level   api.Level
		version api.Version
	}
	perCheck := map[key]map[policy.CheckID]policy.CheckPodFn{}
	for _, l := range levels {
		for _, v := range versions {
			perCheck[key{l, v}] = applicable(checks, l, v)
		}
	}

	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 64<<20)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	failed := false
	for in.Scan() {
		line := in.Bytes()
		if len(strings.TrimSpace(string(line))) == 0 {
			continue
		}
		var item input
		if err := json.Unmarshal(line, &item); err != nil {
			_ = enc.Encode(output{ID: item.ID, Error: "decode: " + err.Error()})
			failed = true
			continue
		}
		for _, v := range versions {
			for _, l := range levels {
				agg := policy.AggregateCheckResults(evaluator.EvaluatePod(api.LevelVersion{Level: l, Version: v}, &item.Pod.ObjectMeta, &item.Pod.Spec))
				o := output{ID: item.ID, Version: v.String(), Level: string(l), Allowed: agg.Allowed, Forbidden: []string{}, Reasons: agg.ForbiddenReasons}
				if o.Reasons == nil {
					o.Reasons = []string{}
				}
				for id, fn := range perCheck[key{l, v}] {
					if r := fn(&item.Pod.ObjectMeta, &item.Pod.Spec); !r.Allowed {
						o.Forbidden = append(o.Forbidden, string(id))
					}
				}
				sort.Strings(o.Forbidden)
				if (len(o.Forbidden) == 0) != o.Allowed || len(o.Forbidden) != len(o.Reasons) {
					o.Error = fmt.Sprintf("per-check results %v disagree with the evaluator (allowed=%v, reasons=%v)", o.Forbidden, o.Allowed, o.Reasons)
					failed = true
				}
				_ = enc.Encode(o)
			}
		}
	}
	if err := in.Err(); err != nil {
		fmt.Fprintf(os.Stderr, "psa-eval: reading stdin: %v\n", err)
		failed = true
	}
	out.Flush()
	if failed {
		os.Exit(1)
	}
}
