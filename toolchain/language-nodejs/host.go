package main

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

// langHost implements pulumirpc.LanguageRuntimeServer. Apart from the engine address it keeps
// no state: every request carries the program's directories and Pulumi.yaml runtime options.
// Code generation, packing and linking are left to the
// embedded Unimplemented server; the engine treats Unimplemented as "not supported".
type langHost struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	tracing string // forwarded to the program runner

	mu            sync.Mutex
	engineAddress string // from our command line, replaced by Handshake if the engine calls it

	// ctx is cancelled by the Cancel RPC; every child process (node, npm) is tied to it.
	ctx    context.Context
	cancel context.CancelFunc
}

func newLangHost(engineAddress, tracing string) *langHost {
	ctx, cancel := context.WithCancel(context.Background())
	return &langHost{tracing: tracing, engineAddress: engineAddress, ctx: ctx, cancel: cancel}
}

func (h *langHost) engine() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.engineAddress
}

// childContext returns a context that ends with the request or with a Cancel RPC, whichever
// comes first, so that neither an abandoned request nor a cancelled host leaves node running.
func (h *langHost) childContext(reqCtx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(reqCtx)
	stop := context.AfterFunc(h.ctx, cancel)
	return ctx, func() { stop(); cancel() }
}

func (h *langHost) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version}, nil
}

// Handshake is only sent when the engine attaches to an already running host
// (PULUMI_DEBUG_LANGUAGES); it carries the engine address we otherwise get as an argument.
func (h *langHost) Handshake(
	_ context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if req.GetEngineAddress() != "" {
		h.engineAddress = req.GetEngineAddress()
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

// Cancel stops every running program or install; their RPCs then return an error.
func (h *langHost) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	h.cancel()
	return &emptypb.Empty{}, nil
}

// RuntimeOptionsPrompts: `pulumi new` asks nothing extra for our projects.
func (h *langHost) RuntimeOptionsPrompts(
	context.Context, *pulumirpc.RuntimeOptionsRequest,
) (*pulumirpc.RuntimeOptionsResponse, error) {
	return &pulumirpc.RuntimeOptionsResponse{}, nil
}

// About reports the node executable and version for `pulumi about`.
func (h *langHost) About(ctx context.Context, _ *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	node, err := nodePath()
	if err != nil {
		return nil, err
	}
	out, err := exec.CommandContext(ctx, node, "--version").Output()
	if err != nil {
		return nil, fmt.Errorf("running %s --version: %w", node, err)
	}
	return &pulumirpc.AboutResponse{
		Executable: node,
		Version:    strings.TrimPrefix(strings.TrimSpace(string(out)), "v"),
	}, nil
}

// nodePath looks node up on every call rather than once at start-up, so that a missing node
// fails the RPC that needs it with a clear message instead of the whole plugin launch.
func nodePath() (string, error) {
	p, err := exec.LookPath("node")
	if err != nil {
		return "", fmt.Errorf("could not find node on the $PATH: install Node.js >= 20: %w", err)
	}
	return p, nil
}

// program is where a request's program lives, from its ProgramInfo or, for engines that send
// only the deprecated fields, from the legacy directory.
type program struct {
	root    string // directory of Pulumi.yaml
	dir     string // directory of the program (Pulumi.yaml's `main` directory, or root)
	entry   string // entry point relative to dir; "." lets the runner use package.json's main
	options options
}

func programOf(info *pulumirpc.ProgramInfo, legacyDir, legacyEntry string) program {
	p := program{
		root:    info.GetRootDirectory(),
		dir:     info.GetProgramDirectory(),
		entry:   info.GetEntryPoint(),
		options: parseOptions(info.GetOptions()),
	}
	if p.dir == "" {
		p.dir = legacyDir
	}
	if p.root == "" {
		p.root = p.dir
	}
	if p.entry == "" {
		p.entry = legacyEntry
	}
	if p.entry == "" {
		p.entry = "."
	}
	if abs, err := filepath.Abs(p.dir); err == nil {
		p.dir = abs
	}
	return p
}

// options are the Pulumi.yaml `runtime.options` that change how we run node.
type options struct {
	typescript     bool     // run the program through ts-node (default true)
	nodeArgs       []string // `nodeargs`: extra flags for node itself
	tsconfig       string   // `tsconfig`: a tsconfig other than ./tsconfig.json
	packageManager string   // `packagemanager`: npm (default), yarn, pnpm or bun
}

func parseOptions(s *structpb.Struct) options {
	o := options{typescript: true, packageManager: "npm"}
	m := s.AsMap() // nil-safe: an absent options struct is an empty map
	if v, ok := m["typescript"].(bool); ok {
		o.typescript = v
	}
	if v, ok := m["nodeargs"].(string); ok {
		o.nodeArgs = strings.Fields(v)
	}
	if v, ok := m["tsconfig"].(string); ok {
		o.tsconfig = v
	}
	if v, ok := m["packagemanager"].(string); ok && v != "" && v != "auto" {
		o.packageManager = v
	}
	return o
}
