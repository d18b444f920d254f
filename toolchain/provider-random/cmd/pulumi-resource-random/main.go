// pulumi-resource-random: the random resource plugin that @pulumi/random 4.21.1 programs talk
// to, served by the Terraform bridge (plugin-framework support) over the upstream provider.
//
// schema.json and bridge-metadata.json are not in the repository: the build script generates
// them with pulumi-tfgen-random into this directory of its scratch copy before compiling.
package main

import (
	"context"
	_ "embed"

	pf "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/pf/tfbridge"

	"appstacks/toolchain/provider-random/randominfo"
)

// version is what the engine sees; the build sets it with -ldflags "-X main.version=4.21.1"
// (the @pulumi/random version in package.json).
var version = "4.21.1"

//go:embed schema.json
var schema []byte

//go:embed bridge-metadata.json
var metadata []byte

func main() {
	pf.Main(context.Background(), "random", randominfo.Provider(version, metadata),
		pf.ProviderMetadata{PackageSchema: schema})
}
