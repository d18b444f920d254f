// Command pulumi-language-nodejs is appstacks' own Pulumi language host for Node.js programs
// (TypeScript through ts-node, or JavaScript). The official host's Go module is not served by
// the module proxy we can reach, so we implement the small part of the LanguageRuntime protocol
// the CLI and the Automation API need, on top of the published Pulumi Go SDK.
//
// The engine starts us as `pulumi-language-nodejs [--logtostderr] [-v=N] [--tracing URL]
// ENGINE_ADDRESS` and reads the port of our gRPC server from the first line of stdout.
// Everything we (and the node programs we launch) write afterwards is shown to the user, so
// the host itself stays silent.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
)

// version is reported by GetPluginInfo; it matches the pinned @pulumi/pulumi and CLI
// versions, and the build script sets it with -ldflags "-X main.version=...".
var version = "3.248.0"

func main() {
	// The logging flags the engine forwards to plugins (--logtostderr, -v=N) are already
	// registered by glog, which the Pulumi SDK links in; we never log, so they change nothing.
	tracing := flag.String("tracing", "", "Zipkin-compatible endpoint, forwarded to the program runner")
	showVersion := flag.Bool("version", false, "print the version and exit")
	flag.Parse()

	if *showVersion {
		fmt.Println(version)
		return
	}

	host := newLangHost(flag.Arg(0), *tracing)
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, host)
			return nil
		},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "fatal: could not start the language host gRPC server: %v\n", err)
		os.Exit(1)
	}

	// The port on the first line of stdout is how the engine finds us.
	fmt.Printf("%d\n", handle.Port)

	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "fatal: language host stopped serving: %v\n", err)
		os.Exit(1)
	}
}
