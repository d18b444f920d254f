// pulumi-resource-docker: the docker resource plugin that @pulumi/docker 5.2.0 programs talk to,
// served by the Terraform bridge over the upstream Terraform docker provider.
//
// schema.json and bridge-metadata.json are not in the repository: the build script generates
// them with pulumi-tfgen-docker into this directory of its scratch copy before compiling.
package main

import (
	"context"
	_ "embed"
	"flag"
	"io"
	"os"

	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"

	"appstacks/toolchain/provider-docker/dockerinfo"
)

// version is what `pulumi plugin ls` and the engine see; the build sets it with
// -ldflags "-X main.version=5.2.0" (the @pulumi/docker version in package.json).
var version = "5.2.0"

//go:embed schema.json
var schema []byte

//go:embed bridge-metadata.json
var metadata []byte

// main is tfbridge.Main with the provider server wrapped by startFirst (which also serves the
// release records of release.go). The flags tfgen and the
// engine use (-get-provider-info, -version) go to tfbridge.Main unchanged.
func main() {
	flags := flag.NewFlagSet("flags", flag.ContinueOnError)
	flags.SetOutput(io.Discard)
	info := flags.Bool("get-provider-info", false, "")
	ver := flags.Bool("version", false, "")
	_ = flags.Parse(os.Args[1:])
	prov := dockerinfo.Provider(version, metadata)
	if *info || *ver {
		tfbridge.Main("docker", version, prov, schema)
		return
	}
	prov.P.InitLogging(context.Background())
	err := provider.Main("docker", func(host *provider.HostClient) (pulumirpc.ResourceProviderServer, error) {
		return startFirst{tfbridge.NewProvider(context.TODO(), host, "docker", version, prov.P, prov, schema)}, nil
	})
	if err != nil {
		cmdutil.ExitError(err.Error())
	}
}

// startFirst lets a container labelled appstacks.rollout=start-first be replaced create-first.
// The bridge plans every replacement of a container delete-first (its name is fixed, see
// dockerinfo), which is what a container that publishes host ports needs; a rolling container
// publishes none (its front proxy does) and its create sets the previous release aside
// (shim/rollout.go), so the new release can start while the old one serves.
type startFirst struct {
	pulumirpc.ResourceProviderServer
}

func (s startFirst) diffContainer(ctx context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	resp, err := s.ResourceProviderServer.Diff(ctx, req)
	if err == nil && resp.GetDeleteBeforeReplace() && rollsStartFirst(req) {
		resp.DeleteBeforeReplace = false
	}
	return resp, err
}

// rollsStartFirst: the new inputs of a docker_container carry the label appstacks.rollout=start-first.
func rollsStartFirst(req *pulumirpc.DiffRequest) bool {
	if req.GetType() != "docker:index/container:Container" {
		return false
	}
	labels := req.GetNews().GetFields()["labels"].GetListValue().GetValues()
	for _, l := range labels {
		f := l.GetStructValue().GetFields()
		if f["label"].GetStringValue() == "appstacks.rollout" && f["value"].GetStringValue() == "start-first" {
			return true
		}
	}
	return false
}
