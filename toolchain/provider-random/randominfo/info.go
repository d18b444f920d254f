// Package randominfo maps the upstream Terraform random provider onto the Pulumi package that
// the npm SDK @pulumi/random 4.21.1 talks to: tokens random:index/random<Name>:Random<Name>
// (random_password -> RandomPassword, ...) and the bridge's default camelCase property names
// (minLower, overrideSpecial, byteLength, ...), which are the SDK's names. Sensitive TF
// attributes (RandomPassword.result/bcryptHash, RandomBytes.base64/hex) become secrets, and
// `keepers` is RequiresReplace upstream, so changing it replaces the resource.
//
// Used by both binaries: pulumi-tfgen-random (schema at build time) and pulumi-resource-random.
package randominfo

import (
	"context"
	"errors"

	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge/tokens"

	pf "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/pf/tfbridge"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/terraform-providers/terraform-provider-random/shim"
)

const (
	pkg = "random"
	mod = "index"
)

// Provider returns the mapping. version is what the plugin reports (4.21.1, the npm SDK's
// version); metadata is the bridge-metadata.json tfgen wrote ("{}" while generating).
func Provider(version string, metadata []byte) tfbridge.ProviderInfo {
	prov := tfbridge.ProviderInfo{
		P:            pf.ShimProvider(shim.NewProvider()),
		Name:         pkg,
		Version:      version,
		Description:  "Random values for appstacks, bridged from the Terraform random provider",
		License:      "MPL-2.0",
		GitHubOrg:    "hashicorp",
		MetadataInfo: tfbridge.NewProviderMetadata(metadata),
		Resources: map[string]*tfbridge.ResourceInfo{
			// random_bytes has no `id` attribute upstream; Pulumi needs one. Its ID is the
			// base64 value, which is also the upstream import format.
			"random_bytes": {ComputeID: idFromBase64},
		},
	}
	// random_<x> -> random:index/random<X>:Random<X>, the SDK's class names.
	prov.MustComputeTokens(tokens.SingleModule("random_", mod,
		func(module, name string) (string, error) {
			return tokens.MakeStandard(pkg)(module, "Random"+name)
		}))
	return prov
}

// idFromBase64 returns RandomBytes' base64 value as its ID. The value is a secret in state;
// an ID cannot be secret, so a program that needs the bytes hidden must not export the ID.
func idFromBase64(_ context.Context, state resource.PropertyMap) (resource.ID, error) {
	v := state["base64"]
	for v.IsSecret() {
		v = v.SecretValue().Element
	}
	if !v.IsString() || v.StringValue() == "" {
		return "", errors.New("random_bytes: no base64 value in state to use as its ID")
	}
	return resource.ID(v.StringValue()), nil
}
