// The Terraform random provider keeps its constructor in internal/provider. Go allows an
// internal package to be imported from any path under its parent, so this tiny module is
// named *inside* the upstream module's path and can call provider.New without a patched copy
// of the upstream sources. The main module points this path at ./shim with `replace`.
module github.com/terraform-providers/terraform-provider-random/shim

go 1.25.8

require (
	github.com/hashicorp/terraform-plugin-framework v1.19.0
	github.com/terraform-providers/terraform-provider-random v1.3.2-0.20260824155315-e1092b0cfc07
)
