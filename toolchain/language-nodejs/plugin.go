package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	sdk "github.com/pulumi/pulumi/sdk/v3"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// analyzerKind is RunPluginRequest.Kind for a policy pack (apitype.AnalyzerPlugin).
const analyzerKind = "analyzer"

// RunPlugin runs a plugin written in Node.js: a policy pack (a directory with PulumiPolicy.yaml,
// which is how `pulumi preview --policy-pack DIR` reaches us: the CLI finds our host for the
// pack's `runtime: nodejs` and asks it to start the pack) or a PulumiPlugin.yaml plugin. The
// plugin's stdout and stderr go back to the engine over the stream; its first stdout line is the
// port of its gRPC server, as for any plugin.
//
// Policy packs need the stack's configuration and name in their environment before they start
// (@pulumi/policy reads them at load time), but the engine sends them only over gRPC, in the
// analyzer's ConfigureStack call. The Go SDK's PolicyProxy bridges that: it answers the engine
// first, hands us the configuration, then forwards every later call to the real pack.
func (h *langHost) RunPlugin(req *pulumirpc.RunPluginRequest, server pulumirpc.LanguageRuntime_RunPluginServer) error {
	ctx, cancel := h.childContext(server.Context())
	defer cancel()

	closer, stdout, stderr, err := rpcutil.MakeRunPluginStreams(server, false)
	if err != nil {
		return err
	}
	defer closer.Close()

	node, err := nodePath()
	if err != nil {
		return err
	}
	p := programOf(req.GetInfo(), req.GetPwd(), req.GetProgram())
	policy := req.GetKind() == analyzerKind

	// The runner ships in the plugin's own @pulumi/pulumi, found from the plugin's directory.
	runner := "node_modules/@pulumi/pulumi/cmd/run-plugin/index.js"
	if policy {
		runner = "node_modules/@pulumi/pulumi/cmd/run-policy-pack/index.js"
	}
	base := findUp(p.dir, runner)
	if base == "" {
		return fmt.Errorf("could not find %s from %s: the plugin's dependencies are not installed; run `npm ci` in %s",
			filepath.Dir(runner), p.dir, p.dir)
	}

	env := append([]string{}, req.GetEnv()...)
	env = append(env, "PULUMI_NODEJS_TYPESCRIPT="+strconv.FormatBool(p.options.typescript))
	if p.options.tsconfig != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+p.options.tsconfig)
	}

	// Policy packs take the engine address first and their directory last; other plugins take
	// their directory first (cmd/run-policy-pack and cmd/run-plugin of @pulumi/pulumi).
	args := append(append([]string{}, p.options.nodeArgs...), filepath.Join(base, runner))
	if policy {
		args = append(append(args, req.GetArgs()...), p.dir)
	} else {
		args = append(append(args, p.dir), req.GetArgs()...)
	}

	var proxy *sdk.PolicyProxy
	if policy {
		// The proxy prints its own port on stdout, so the engine talks to it; the pack's stdout
		// is read by the proxy (for the pack's port) before being passed on.
		proxy, stdout, err = sdk.NewPolicyProxy(ctx, stdout)
		if err != nil {
			return fmt.Errorf("starting the policy pack proxy: %w", err)
		}
		stack, err := proxy.AwaitConfiguration(ctx)
		if err != nil {
			return fmt.Errorf("waiting for the stack configuration: %w", err)
		}
		if env, err = policyEnv(env, stack); err != nil {
			return err
		}
	}

	cmd := exec.CommandContext(ctx, node, args...)
	cmd.Dir = req.GetPwd()
	if policy {
		// Policy packs have always run in their own directory.
		cmd.Dir = p.dir
	}
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 10 * time.Second

	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting node for the plugin in %s: %w", p.dir, err)
	}
	if proxy != nil {
		err = proxy.Attach(ctx, cmd) // returns when the pack exits
	} else {
		err = cmd.Wait()
	}
	var exitErr *exec.ExitError
	switch {
	case err == nil:
	case ctx.Err() != nil:
		return errors.New("plugin was cancelled")
	case errors.As(err, &exitErr):
		return fmt.Errorf("plugin %s exited with code %d", p.dir, exitErr.ExitCode())
	default:
		return fmt.Errorf("running plugin %s: %w", p.dir, err)
	}
	return closer.Close()
}

// policyEnv adds what @pulumi/policy reads at start-up: the stack's identity, whether this is a
// preview, and its configuration as the same JSON object programs get in PULUMI_CONFIG.
func policyEnv(env []string, stack *pulumirpc.AnalyzerStackConfigureRequest) ([]string, error) {
	if stack == nil {
		return env, nil
	}
	add := func(k, v string) {
		if v != "" {
			env = append(env, k+"="+v)
		}
	}
	add("PULUMI_NODEJS_ORGANIZATION", stack.GetOrganization())
	add("PULUMI_NODEJS_PROJECT", stack.GetProject())
	add("PULUMI_NODEJS_STACK", stack.GetStack())
	add("PULUMI_NODEJS_DRY_RUN", strconv.FormatBool(stack.GetDryRun()))
	if c := stack.GetConfig(); c != nil {
		b, err := json.Marshal(c)
		if err != nil {
			return nil, fmt.Errorf("serializing the stack configuration: %w", err)
		}
		add("PULUMI_CONFIG", string(b))
	}
	return env, nil
}
