package shim

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-sdk/v2/diag"
	"github.com/hashicorp/terraform-plugin-sdk/v2/helper/schema"
)

// healthPoll is how often a container created with `wait` is inspected for its health. The
// upstream provider sleeps a whole second between inspections, so every health-gated step of a
// deployment (a database, then its clients) started on average half a second after its
// dependency turned healthy, and up to a second; docker-compose looks about every 0.1 s.
const healthPoll = 100 * time.Millisecond

// withFastHealthWait makes docker_container's create do the health wait itself: the upstream
// create runs with `wait` off (create, upload, start, read), then the container is inspected
// every healthPoll until healthy. Semantics are the upstream's: the same `wait_timeout`, and on
// time-out the container stays in state with the same error. It also stops early, with the
// container's status, when the container has stopped and will not be restarted.
func withFastHealthWait(p *schema.Provider) {
	r := p.ResourcesMap["docker_container"]
	create := r.CreateContext
	r.CreateContext = func(ctx context.Context, d *schema.ResourceData, meta interface{}) diag.Diagnostics {
		if !d.Get("wait").(bool) {
			return create(ctx, d, meta)
		}
		if err := d.Set("wait", false); err != nil {
			return diag.FromErr(err)
		}
		diags := create(ctx, d, meta)
		if err := d.Set("wait", true); err != nil {
			return append(diags, diag.FromErr(err)...)
		}
		if diags.HasError() || d.Id() == "" {
			return diags
		}
		if err := waitHealthy(ctx, d, meta); err != nil {
			return append(diags, diag.FromErr(err)...)
		}
		return diags
	}
}

func waitHealthy(ctx context.Context, d *schema.ResourceData, meta interface{}) error {
	client, err := dockerClient(ctx, d, meta)
	if err != nil {
		return err
	}
	timeout := time.Duration(d.Get("wait_timeout").(int)) * time.Second
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	name := d.Get("name").(string)
	timedOut := fmt.Errorf("container failed to be in healthy state: %s not healthy after %s", name, timeout)
	for {
		info, err := client.ContainerInspect(ctx, d.Id())
		if err != nil {
			if ctx.Err() != nil {
				return timedOut
			}
			return fmt.Errorf("error inspecting container state: %s", err)
		}
		if info.ContainerJSONBase == nil || info.State == nil || info.State.Health == nil {
			return fmt.Errorf("you have supplied a 'wait' argument, but the container does not have a healthcheck defined. Please remove the 'wait' argument or add a 'healthcheck' attribute")
		}
		if info.State.Health.Status == "healthy" {
			return nil
		}
		// Stopped for good: waiting out the time-out cannot make it healthy.
		if !info.State.Running && !info.State.Restarting && (info.HostConfig == nil || info.HostConfig.RestartPolicy.Name == "no" || info.HostConfig.RestartPolicy.Name == "") {
			return fmt.Errorf("container failed to be in healthy state: %s %s with exit code %d", name, info.State.Status, info.State.ExitCode)
		}
		select {
		case <-ctx.Done():
			return timedOut
		case <-time.After(healthPoll):
		}
	}
}
