// Package bench holds what the Stratus benchmarks share: the memory and CPU
// time procfs reports for a process, a description of the source tree
// benchmarked, and indented progress output.
package bench

import (
	"bytes"
	"context"
	"io"
	"os/exec"
	"strings"
)

// Source names the commit of the tree at root, noting uncommitted changes
// under paths (the code the benchmarked binary is built from).
func Source(ctx context.Context, root string, paths ...string) string {
	b, err := exec.CommandContext(ctx, "git", "-C", root, "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "unknown (not a git checkout)"
	}
	s := strings.TrimSpace(string(b))
	args := append([]string{"-C", root, "status", "--porcelain", "--"}, paths...)
	if b, err := exec.CommandContext(ctx, "git", args...).Output(); err == nil && len(bytes.TrimSpace(b)) > 0 {
		s += " with uncommitted changes"
	}
	return s
}

// An Indent writer indents each write by four spaces, for progress lines
// nested under a step.
type Indent struct{ W io.Writer }

// Write writes b, indented, as one line.
func (i Indent) Write(b []byte) (int, error) {
	if _, err := io.WriteString(i.W, "    "+strings.TrimRight(string(b), "\n")+"\n"); err != nil {
		return 0, err
	}
	return len(b), nil
}
