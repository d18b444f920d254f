package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// exitLoggedError is the runner's exit code after it has already reported the program's
// failure to the engine (cmd/run/index.js: nodeJSProcessExitedAfterLoggingUserActionableMessage).
// We then "bail": the update fails without a second, generic error message.
const exitLoggedError = 32

// Run executes the program with the runner shipped in the program's own @pulumi/pulumi
// (node_modules/@pulumi/pulumi/cmd/run), which connects to the resource monitor, registers
// ts-node for TypeScript and loads the entry point. Its stdout and stderr are ours, which
// the engine already streams to the user.
func (h *langHost) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	p := programOf(req.GetInfo(), req.GetPwd(), req.GetProgram())

	node, err := nodePath()
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	runner, err := findRunner(p.dir)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	env, err := runEnv(req, p.options)
	if err != nil {
		return nil, err
	}

	ctx, cancel := h.childContext(ctx)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, h.runArgs(req, p, runner)...)
	cmd.Dir = p.dir
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	// Give node a chance to flush and disconnect when we are cancelled.
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 10 * time.Second

	err = cmd.Run()
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		return &pulumirpc.RunResponse{}, nil
	case ctx.Err() != nil:
		return &pulumirpc.RunResponse{Error: "Program was cancelled"}, nil
	case errors.As(err, &exitErr) && exitErr.ExitCode() == exitLoggedError:
		return &pulumirpc.RunResponse{Bail: true}, nil
	case errors.As(err, &exitErr) && exitErr.ExitCode() >= 0:
		return &pulumirpc.RunResponse{
			Error: fmt.Sprintf("Program exited with non-zero exit code: %d", exitErr.ExitCode()),
		}, nil
	default: // killed by a signal, or node could not be started at all
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("Program exited unexpectedly: %v", err)}, nil
	}
}

// runArgs builds node's command line: node flags, the runner, the runner's flags in the
// --key=value form its minimist parser expects (cmd/run/index.js), then the entry point and the
// program's own arguments (the runner stops parsing flags at the entry point).
func (h *langHost) runArgs(req *pulumirpc.RunRequest, p program, runner string) []string {
	args := append(append([]string{}, p.options.nodeArgs...), runner)
	flag := func(name, value string) {
		if value != "" {
			args = append(args, "--"+name+"="+value)
		}
	}
	flag("monitor", req.GetMonitorAddress())
	flag("engine", h.engine())
	flag("organization", req.GetOrganization())
	flag("project", req.GetProject())
	flag("stack", req.GetStack())
	flag("root-directory", p.root)
	flag("pwd", p.dir)
	if req.GetParallel() > 0 {
		flag("parallel", strconv.Itoa(int(req.GetParallel())))
	}
	flag("tracing", h.tracing)
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	args = append(args, p.entry)
	return append(args, req.GetArgs()...)
}

// runEnv passes what the runner and @pulumi/pulumi read from the environment: the stack's
// configuration as a JSON object of "project:key" -> value and the secret keys as a JSON array
// (runtime/config.js), and whether to register ts-node (cmd/run/run.js).
func runEnv(req *pulumirpc.RunRequest, o options) ([]string, error) {
	configMap := req.GetConfig()
	if configMap == nil {
		configMap = map[string]string{} // "{}", not "null": the runtime calls Object.keys on it
	}
	config, err := json.Marshal(configMap)
	if err != nil {
		return nil, fmt.Errorf("serializing config: %w", err)
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{} // "[]", not "null"
	}
	secrets, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, fmt.Errorf("serializing config secret keys: %w", err)
	}
	env := append(os.Environ(),
		"PULUMI_CONFIG="+string(config),
		"PULUMI_CONFIG_SECRET_KEYS="+string(secrets),
		"PULUMI_NODEJS_TYPESCRIPT="+strconv.FormatBool(o.typescript),
	)
	if o.tsconfig != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+o.tsconfig)
	}
	return env, nil
}

// findRunner locates node_modules/@pulumi/pulumi/cmd/run the way node's require would from the
// program directory (walking up through parent node_modules). PULUMI_LANGUAGE_NODEJS_RUN_PATH
// overrides it, as with the official host.
func findRunner(dir string) (string, error) {
	if p := os.Getenv("PULUMI_LANGUAGE_NODEJS_RUN_PATH"); p != "" {
		return p, nil
	}
	const rel = "node_modules/@pulumi/pulumi/cmd/run/index.js"
	if base := findUp(dir, rel); base != "" {
		return filepath.Join(base, rel), nil
	}
	return "", fmt.Errorf("could not find @pulumi/pulumi from %s: the Pulumi SDK is not installed; "+
		"run `npm install` (or `pulumi install`) in the project directory", dir)
}

// findUp returns the first of dir and its ancestors that contains rel, or "" if none does.
func findUp(dir, rel string) string {
	for {
		if _, err := os.Stat(filepath.Join(dir, rel)); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}
