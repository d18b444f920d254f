package main

import (
	"fmt"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
)

// InstallDependencies runs `npm install` (or the `packagemanager` of Pulumi.yaml) in the
// program directory, for `pulumi install` and `pulumi new`, streaming its output back.
func (h *langHost) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest,
	stream grpc.ServerStreamingServer[pulumirpc.InstallDependenciesResponse],
) error {
	p := programOf(req.GetInfo(), req.GetDirectory(), "")
	pm := p.options.packageManager

	// gRPC streams must not be written from two goroutines at once, and exec copies stdout and
	// stderr concurrently when they are different writers.
	var mu sync.Mutex
	send := func(resp *pulumirpc.InstallDependenciesResponse) error {
		mu.Lock()
		defer mu.Unlock()
		return stream.Send(resp)
	}
	stdout := writerFunc(func(b []byte) error {
		return send(&pulumirpc.InstallDependenciesResponse{Stdout: b})
	})
	stderr := writerFunc(func(b []byte) error {
		return send(&pulumirpc.InstallDependenciesResponse{Stderr: b})
	})

	fmt.Fprintf(stdout, "Installing dependencies with %s install in %s...\n\n", pm, p.dir)
	ctx, cancel := h.childContext(stream.Context())
	defer cancel()
	cmd := exec.CommandContext(ctx, pm, "install")
	cmd.Dir = p.dir
	cmd.Env = os.Environ()
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 10 * time.Second
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s install failed in %s: %w", pm, p.dir, err)
	}
	fmt.Fprintf(stdout, "\nFinished installing dependencies\n\n")
	return nil
}

// writerFunc adapts a send function to io.Writer. The slice is copied because exec reuses
// its buffer and gRPC may still hold the message after Send returns.
type writerFunc func([]byte) error

func (f writerFunc) Write(b []byte) (int, error) {
	if err := f(append([]byte(nil), b...)); err != nil {
		return 0, err
	}
	return len(b), nil
}
