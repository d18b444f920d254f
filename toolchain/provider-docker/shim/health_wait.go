package shim

import (
	"context"
	"fmt"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/client"
	"github.com/hashicorp/terraform-plugin-sdk/v2/diag"
	"github.com/hashicorp/terraform-plugin-sdk/v2/helper/schema"
)

// healthPoll is how often a container created with `wait` is probed while the deployment waits
// for it. The upstream provider sleeps a whole second between inspections; docker-compose looks
// about every 0.1 s.
const healthPoll = 100 * time.Millisecond

// probeEvery is how often, while waiting, the provider runs the container's own health check
// itself (an exec of the same test, as the container's user, as the engine runs it), the way
// Docker 25's start_interval probes during start: the engine's own interval can then be long,
// so that a healthy, idle deployment costs almost no CPU (Docker 20.10 has no start_interval,
// and a 2 s interval for fast deploys cost every container an exec every 2 s for ever).
const probeEvery = 250 * time.Millisecond

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

// withHealthcheckReplace makes a change to any field of a container's healthcheck replace the
// container, as a change to the block itself does upstream. Upstream marks only the block
// ForceNew, so a changed interval or retry count was planned as an in-place update that the
// container update never applies (Docker cannot change a container's health check): the state
// said one thing, the container did another.
func withHealthcheckReplace(p *schema.Provider) {
	hc := p.ResourcesMap["docker_container"].Schema["healthcheck"].Elem.(*schema.Resource)
	for _, field := range hc.Schema {
		if field.Optional || field.Required {
			field.ForceNew = true
		}
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
	var lastProbe time.Time
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
		if info.State.Running && info.Config != nil && info.Config.Healthcheck != nil && time.Since(lastProbe) >= probeEvery {
			passed := probe(ctx, client, d.Id(), info.Config.User, info.Config.Healthcheck)
			// Spaced from the end of a probe: a slow check never runs back to back.
			lastProbe = time.Now()
			if passed {
				return nil
			}
		}
		// Restarted by its policy again and again: waiting out the time-out cannot help either.
		if info.RestartCount >= crashLoop {
			return fmt.Errorf("container failed to be in healthy state: %s keeps exiting (restarted %d times, last exit code %d; see docker logs %s)", name, info.RestartCount, info.State.ExitCode, name)
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

// probe runs the container's health-check test once, as the engine would (same command, the
// container's user and environment), and reports whether it passed within the check's timeout.
// A probe that cannot be run at all (the container stopped between two looks) is a fail: the
// loop's next inspection says why.
func probe(ctx context.Context, c *client.Client, id, user string, hc *container.HealthConfig) bool {
	cmd := checkCommand(hc.Test)
	if cmd == nil {
		return false
	}
	timeout := hc.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	exec, err := c.ContainerExecCreate(ctx, id, container.ExecOptions{User: user, Cmd: cmd})
	if err != nil {
		return false
	}
	if err := c.ContainerExecStart(ctx, exec.ID, container.ExecStartOptions{Detach: true}); err != nil {
		return false
	}
	for {
		res, err := c.ContainerExecInspect(ctx, exec.ID)
		if err != nil {
			return false
		}
		if !res.Running {
			return res.ExitCode == 0
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(20 * time.Millisecond):
		}
	}
}
