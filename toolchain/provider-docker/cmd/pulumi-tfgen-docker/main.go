// pulumi-tfgen-docker writes schema.json and bridge-metadata.json for our docker mapping.
// Run at build time only (scripts/toolchain/build-provider-docker.sh):
//
//	pulumi-tfgen-docker schema --skip-docs --skip-examples --out cmd/pulumi-resource-docker
package main

import (
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfgen"

	"appstacks/toolchain/provider-docker/dockerinfo"
)

var version = "5.2.0" // -ldflags "-X main.version=..."

func main() {
	tfgen.Main("docker", version, dockerinfo.Provider(version, []byte("{}")))
}
