// Package shim exposes the upstream Terraform docker provider (SDKv2 half) to our bridge.
package shim

import (
	"context"
	"fmt"

	"github.com/docker/docker/client"
	"github.com/hashicorp/terraform-plugin-sdk/v2/helper/schema"
	"github.com/terraform-providers/terraform-provider-docker/internal/provider"
)

// NewProvider returns the SDKv2 provider with every resource @pulumi/docker 5.2.0 knows
// (container, image, network, volume, registry_image, service, ...). The upstream binary muxes
// it with a plugin-framework provider that holds only newer additions (docker_compose,
// docker_containers) which @pulumi/docker 5.2.0 has no classes for, so we leave that half out.
func NewProvider() *schema.Provider {
	p := provider.New("dev")()
	// The container create docker-compose makes (first: the waits below wrap it).
	withComposeCreate(p)
	// Our own changes to how long a deployment waits, not to what it does (see their files).
	withFastHealthWait(p)
	withPromptServiceConverge(p)
	withPromptServiceDelete(p)
	withStartFirstRollout(p)
	withDrainBeforeStop(p)
	withHealthcheckReplace(p)
	withPromptNetworksAndVolumes(p)
	withImageDeleteByID(p)
	withTagRelease(p)
	// Last, so that it runs first: the upstream's debug log lines stay in the provider.
	withQuietLogs(p)
	return p
}

// dockerClient is the provider's client for the resource's host, as the upstream resources get it.
func dockerClient(ctx context.Context, d *schema.ResourceData, meta interface{}) (*client.Client, error) {
	c, err := meta.(*provider.ProviderConfig).MakeClient(ctx, d)
	if err != nil {
		return nil, fmt.Errorf("failed to create Docker client: %w", err)
	}
	return c, nil
}
