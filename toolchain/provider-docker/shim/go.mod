// The Terraform docker provider keeps its constructor in internal/provider. Go allows an
// internal package to be imported from any path under its parent, so this tiny module is
// named *inside* the upstream module's path: it can call provider.New without a patched
// copy of the upstream sources. The main module resolves both paths through `replace`.
module github.com/terraform-providers/terraform-provider-docker/shim

go 1.25.8

require (
	github.com/docker/cli v28.5.2+incompatible
	github.com/docker/docker v28.5.2+incompatible
	github.com/docker/go-connections v0.8.1
	github.com/hashicorp/terraform-plugin-sdk/v2 v2.40.1
	github.com/terraform-providers/terraform-provider-docker v0.0.0
)
