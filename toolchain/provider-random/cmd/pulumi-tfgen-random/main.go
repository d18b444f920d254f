// pulumi-tfgen-random writes schema.json and bridge-metadata.json for our random mapping.
// Run at build time only (scripts/toolchain/build-provider-random.sh):
//
//	pulumi-tfgen-random schema --skip-docs --skip-examples --out cmd/pulumi-resource-random
package main

import (
	pftfgen "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/pf/tfgen"

	"appstacks/toolchain/provider-random/randominfo"
)

var version = "4.21.1" // -ldflags "-X main.version=..."

func main() {
	pftfgen.Main("random", randominfo.Provider(version, []byte("{}")))
}
