// Command yaml-eval decodes YAML and JSON streams exactly as kubectl reads manifest files: the
// YAMLOrJSONDecoder of k8s.io/apimachinery/pkg/util/yaml (the version hack/testbin/go.mod pins) over
// the whole stream, one runtime.RawExtension per document, skipping empty and null documents, as
// k8s.io/cli-runtime's StreamVisitor does. Each YAML document is converted by sigs.k8s.io/yaml
// (go-yaml v2 underneath). It is the reference side of test/integration/yaml-differential.test.ts;
// see docs/testenv.md.
//
// Input: JSON lines on stdin, each {"id": <any>, "yaml": "<text>"} (or "base64": "<bytes>" for input
// that is not valid UTF-8).
// Output: one JSON line per input:
//
//	{"id":..., "documents":[<JSON of each document>...], "error":"...", "errorDocument":2}
//
// Decoding stops at the first error, as kubectl does: "documents" holds those before it, "error" and
// "errorDocument" (its 0-based index among the non-empty documents) are set only when there was one.
package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"k8s.io/apimachinery/pkg/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
)

type input struct {
	ID     json.RawMessage `json:"id"`
	YAML   *string         `json:"yaml"`
	Base64 *string         `json:"base64"`
}

type output struct {
	ID            json.RawMessage   `json:"id"`
	Documents     []json.RawMessage `json:"documents"`
	Error         string            `json:"error,omitempty"`
	ErrorDocument *int              `json:"errorDocument,omitempty"`
}

// decode mirrors k8s.io/cli-runtime/pkg/resource.(*StreamVisitor).Visit: a 4096-byte sniff buffer,
// RawExtension targets, whitespace-trimmed, empty and "null" documents skipped.
func decode(data []byte) output {
	out := output{Documents: []json.RawMessage{}}
	decoder := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	for {
		ext := runtime.RawExtension{}
		if err := decoder.Decode(&ext); err != nil {
			if errors.Is(err, io.EOF) {
				return out
			}
			index := len(out.Documents)
			out.Error = err.Error()
			out.ErrorDocument = &index
			return out
		}
		raw := bytes.TrimSpace(ext.Raw)
		if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
			continue
		}
		out.Documents = append(out.Documents, json.RawMessage(raw))
	}
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 64<<20)
	stdout := bufio.NewWriter(os.Stdout)
	defer stdout.Flush()
	enc := json.NewEncoder(stdout)
	failed := false
	for in.Scan() {
		line := bytes.TrimSpace(in.Bytes())
		if len(line) == 0 {
			continue
		}
		var item input
		if err := json.Unmarshal(line, &item); err != nil {
			fmt.Fprintf(os.Stderr, "yaml-eval: bad input line: %v\n", err)
			failed = true
			continue
		}
		var data []byte
		switch {
		case item.YAML != nil:
			data = []byte(*item.YAML)
		case item.Base64 != nil:
			decoded, err := base64.StdEncoding.DecodeString(*item.Base64)
			if err != nil {
				fmt.Fprintf(os.Stderr, "yaml-eval: bad base64: %v\n", err)
				failed = true
				continue
			}
			data = decoded
		default:
			fmt.Fprintf(os.Stderr, "yaml-eval: input line without \"yaml\" or \"base64\"\n")
			failed = true
			continue
		}
		result := decode(data)
		result.ID = item.ID
		// A document Go's encoder cannot re-encode would be a bug here, not a verdict: report it loudly.
		if err := enc.Encode(result); err != nil {
			fmt.Fprintf(os.Stderr, "yaml-eval: encoding result: %v\n", err)
			failed = true
		}
	}
	if err := in.Err(); err != nil {
		fmt.Fprintf(os.Stderr, "yaml-eval: reading stdin: %v\n", err)
		failed = true
	}
	stdout.Flush()
	if failed {
		os.Exit(1)
	}
}
