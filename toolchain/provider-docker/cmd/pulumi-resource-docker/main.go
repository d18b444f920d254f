// pulumi-resource-docker: the docker resource plugin that @pulumi/docker 5.2.0 programs talk to,
// served by the Terraform bridge over the upstream Terraform docker provider.
//
// schema.json and bridge-metadata.json are not in the repository: the build script generates
// them with pulumi-tfgen-docker into this directory of its scratch copy before compiling.
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"

	"appstacks/toolchain/provider-docker/dockerinfo"
)

// version is what `pulumi plugin ls` and the engine see; the build sets it with
// -ldflags "-X main.version=5.2.0" (the @pulumi/docker version in package.json).
var version = "5.2.0"

//go:embed schema.json
var schema []byte

//go:embed bridge-metadata.json
var metadata []byte

func main() {
	tfbridge.Main("docker", version, dockerinfo.Provider(version, metadata), schema)
}
