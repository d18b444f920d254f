// Package dockerinfo maps the upstream Terraform docker provider onto the Pulumi package that
// the npm SDK @pulumi/docker 5.2.0 talks to. Both binaries use it: pulumi-tfgen-docker turns it
// into schema.json at build time, pulumi-resource-docker serves requests with it. Keeping one
// mapping for both is what makes the property names in the schema and on the wire agree.
//
// Every override below exists because the bridge's default naming would differ from a name
// @pulumi/docker sends (checked against its .d.ts files by
// scripts/toolchain/check-provider-names.js); names.go then writes every default name down, for
// speed, without changing any. Not here: the `docker.Image` resource (docker:index/image:Image),
// which is hand-written Go in the official plugin, not a Terraform resource; a program that
// uses it fails with "unknown resource type". Use docker.RemoteImage with `build` instead.
package dockerinfo

import (
	"github.com/hashicorp/terraform-plugin-sdk/v2/helper/schema"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge/tokens"
	shimv2 "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfshim/sdk-v2"
	"github.com/terraform-providers/terraform-provider-docker/shim"
)

const (
	pkg = "docker"
	mod = "index"
)

// Provider returns the mapping. version is what the plugin reports (5.2.0, the npm SDK's
// version, so the engine matches the plugin to the SDK's resources); metadata is the
// bridge-metadata.json that tfgen wrote next to schema.json (empty "{}" while generating).
func Provider(version string, metadata []byte) tfbridge.ProviderInfo {
	prov := tfbridge.ProviderInfo{
		P:            shimv2.NewProvider(adjust(shim.NewProvider())),
		Name:         pkg,
		Version:      version,
		Description:  "Docker resources for appstacks, bridged from the Terraform docker provider",
		License:      "Apache-2.0",
		GitHubOrg:    "kreuzwerker",
		MetadataInfo: tfbridge.NewProviderMetadata(metadata),
		Config: map[string]*tfbridge.SchemaInfo{
			// Optional in @pulumi/docker (host?: string): DOCKER_HOST, else the local socket.
			"host": {
				Default: &tfbridge.DefaultInfo{
					EnvVars: []string{"DOCKER_HOST"},
					Value:   "unix:///var/run/docker.sock",
				},
			},
			// The SDK sends `registryAuth` as a list of {address, username, password, ...}:
			// the default would pluralise the name and, being a set, keep it a list anyway.
			"registry_auth": {Name: "registryAuth", MaxItemsOne: tfbridge.False()},
		},
		Resources: map[string]*tfbridge.ResourceInfo{
			"docker_container": {
				Tok: tfbridge.MakeResource(pkg, mod, "Container"),
				// A container owns a fixed name: the old one must go before its replacement
				// can be created under the same name.
				DeleteBeforeReplace: true,
				Fields: map[string]*tfbridge.SchemaInfo{
					// A list that is one command (["sh", "-c", "..."]): the SDK says `command`.
					"command": {Name: "command"},
					// The SDK says networksAdvanced, not the pluralised default.
					"networks_advanced": {Name: "networksAdvanced"},
				},
			},
			// TF's docker_image (pull, or build with its `build` block) is RemoteImage in the SDK.
			"docker_image": {
				Tok:    tfbridge.MakeResource(pkg, mod, "RemoteImage"),
				Fields: map[string]*tfbridge.SchemaInfo{"name": {Name: "name"}},
			},
			"docker_network":        {Tok: tfbridge.MakeResource(pkg, mod, "Network")},
			"docker_volume":         {Tok: tfbridge.MakeResource(pkg, mod, "Volume")},
			"docker_registry_image": {Tok: tfbridge.MakeResource(pkg, mod, "RegistryImage")},
			"docker_config":         {Tok: tfbridge.MakeResource(pkg, mod, "ServiceConfig")},
			"docker_secret":         {Tok: tfbridge.MakeResource(pkg, mod, "Secret")},
			"docker_service":        {Tok: tfbridge.MakeResource(pkg, mod, "Service")},
			"docker_plugin":         {Tok: tfbridge.MakeResource(pkg, mod, "Plugin")},
			"docker_tag":            {Tok: tfbridge.MakeResource(pkg, mod, "Tag")},
			"docker_buildx_builder": {Tok: tfbridge.MakeResource(pkg, mod, "BuildxBuilder")},
		},
		DataSources: map[string]*tfbridge.DataSourceInfo{
			"docker_network":                  {Tok: tfbridge.MakeDataSource(pkg, mod, "getNetwork")},
			"docker_image":                    {Tok: tfbridge.MakeDataSource(pkg, mod, "getRemoteImage")},
			"docker_registry_image":           {Tok: tfbridge.MakeDataSource(pkg, mod, "getRegistryImage")},
			"docker_registry_image_manifests": {Tok: tfbridge.MakeDataSource(pkg, mod, "getRegistryImageManifests")},
			"docker_plugin":                   {Tok: tfbridge.MakeDataSource(pkg, mod, "getPlugin")},
			"docker_logs":                     {Tok: tfbridge.MakeDataSource(pkg, mod, "getLogs")},
		},
	}
	// Anything a newer upstream adds gets a standard token instead of failing the build.
	prov.MustComputeTokens(tokens.SingleModule("docker_", mod, tokens.MakeStandard(pkg)))
	// Resources with a `name` input (container, network, volume, ...) get an auto-name
	// "<urn name>-<random>" when none is given, as in @pulumi/docker (name?: string).
	prov.SetAutonaming(255, "-")
	// Last, so that every override above is what the pinned names are computed from.
	pinNames(&prov)
	return prov
}

// adjust fixes upstream schema details that would make a second `pulumi up` of an unchanged
// program show changes. It only marks attributes Computed (the engine's value is kept when the
// program sets none); names and shapes, and so the schema @pulumi/docker was built from, stay.
func adjust(p *schema.Provider) *schema.Provider {
	computed := map[string][]string{
		// Docker derives memory_swap (2 x memory) when it is unset and upstream reads it back
		// into state: as a plain Optional it would be "256 => 0" on every run that sets memory.
		"docker_container": {"memory_swap"},
	}
	for res, attrs := range computed {
		r, ok := p.ResourcesMap[res]
		if !ok {
			continue
		}
		for _, a := range attrs {
			if s, ok := r.Schema[a]; ok && s.Optional && s.Default == nil {
				s.Computed = true
			}
		}
	}
	return p
}
