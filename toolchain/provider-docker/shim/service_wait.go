package shim

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/swarm"
	"github.com/docker/docker/client"
	"github.com/hashicorp/terraform-plugin-sdk/v2/diag"
	"github.com/hashicorp/terraform-plugin-sdk/v2/helper/schema"
)

// servicePoll is how often a swarm service is looked at while a deployment waits for it to
// converge; `docker service create/update` (without --detach) look every 0.2 s. The upstream
// provider first looks after converge_config.delay (create) or 7 s (update), then every 5 s,
// then every 10 s (a retry.StateChangeConf with MinTimeout 5 s): measured on a three-node swarm,
// a two-task site took 26 s to create and 20 s to update where `docker stack deploy` converged
// in 5 s and 13 s.
const servicePoll = 100 * time.Millisecond

// upstreamUpdateDelay is how long the upstream update waits before its first look. A service
// change that starts no rolling update (a scale, a label) has no update status of its own to
// wait for; after this long without one, the change is judged by its tasks alone, as upstream.
const upstreamUpdateDelay = 7 * time.Second

// withPromptServiceConverge makes docker_service's create and update wait for convergence
// themselves: the upstream function runs with converge_config removed (create or update, then
// read), then the service is looked at every servicePoll until converged. The semantics are the
// upstream's: converged when every slot's task runs (a task with a health check runs once it
// passes), the same time-out; a create that does not converge removes the service and fails;
// an update fails when the swarm rolls it back or pauses it, with the upstream's messages.
func withPromptServiceConverge(p *schema.Provider) {
	r := p.ResourcesMap["docker_service"]
	create, update := r.CreateContext, r.UpdateContext
	r.CreateContext = func(ctx context.Context, d *schema.ResourceData, meta interface{}) diag.Diagnostics {
		cc, ok := d.GetOk("converge_config")
		if !ok {
			return create(ctx, d, meta)
		}
		diags := withoutConverge(ctx, d, meta, cc, create)
		if diags.HasError() || d.Id() == "" {
			return diags
		}
		id := d.Id()
		if err := waitAfter(ctx, d, meta, cc, nil); err != nil {
			// As upstream: a service that did not converge is removed, and is not in state.
			if c, cerr := dockerClient(ctx, d, meta); cerr == nil {
				_ = c.ServiceRemove(context.Background(), id)
			}
			d.SetId("")
			return append(diags, diag.FromErr(err)...)
		}
		return diags
	}
	r.UpdateContext = func(ctx context.Context, d *schema.ResourceData, meta interface{}) diag.Diagnostics {
		cc, ok := d.GetOk("converge_config")
		if !ok {
			return update(ctx, d, meta)
		}
		c, err := dockerClient(ctx, d, meta)
		if err != nil {
			return diag.FromErr(err)
		}
		// The update status before this change: one that is still there afterwards is not ours.
		before, _, err := c.ServiceInspectWithRaw(ctx, d.Id(), swarm.ServiceInspectOptions{})
		if err != nil {
			return update(ctx, d, meta)
		}
		diags := withoutConverge(ctx, d, meta, cc, update)
		if diags.HasError() {
			return diags
		}
		if err := waitAfter(ctx, d, meta, cc, &before); err != nil {
			return append(diags, diag.FromErr(err)...)
		}
		return diags
	}
}

// withoutConverge runs the upstream create or update with converge_config removed (so it does
// not wait), then puts the block back as the configuration has it.
func withoutConverge(ctx context.Context, d *schema.ResourceData, meta interface{}, cc interface{}, f func(context.Context, *schema.ResourceData, interface{}) diag.Diagnostics) diag.Diagnostics {
	if err := d.Set("converge_config", nil); err != nil {
		return diag.FromErr(err)
	}
	diags := f(ctx, d, meta)
	if err := d.Set("converge_config", cc); err != nil {
		return append(diags, diag.FromErr(err)...)
	}
	return diags
}

// waitAfter waits for the service to converge within converge_config's time-out; on time-out,
// the upstream's message.
func waitAfter(ctx context.Context, d *schema.ResourceData, meta interface{}, cc interface{}, before *swarm.Service) error {
	c, err := dockerClient(ctx, d, meta)
	if err != nil {
		return err
	}
	timeout := convergeTimeout(cc)
	err = waitConverged(ctx, c, d.Id(), timeout, before)
	if err == context.DeadlineExceeded {
		return fmt.Errorf("Service with ID (%s) did not converge after %s", d.Id(), timeout)
	}
	return err
}

func convergeTimeout(cc interface{}) time.Duration {
	list, _ := cc.([]interface{})
	if len(list) == 1 {
		if m, ok := list[0].(map[string]interface{}); ok {
			if s, ok := m["timeout"].(string); ok {
				if t, err := time.ParseDuration(s); err == nil {
					return t
				}
			}
		}
	}
	return 3 * time.Minute // the schema's default
}

// waitConverged polls until the service has converged. For an update (`before` set), a new
// update status decides, as upstream; until one appears, the change counts as converged only
// once every running task carries the service's current task spec (a change that rolls no task
// never gets one), or, after upstreamUpdateDelay, when every slot runs (the upstream's test).
func waitConverged(ctx context.Context, c *client.Client, id string, timeout time.Duration, before *swarm.Service) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	started := time.Now()
	for {
		done, err := converged(ctx, c, id, before, time.Since(started) >= upstreamUpdateDelay)
		if err != nil {
			if ctx.Err() != nil {
				return context.DeadlineExceeded
			}
			return err
		}
		if done {
			return nil
		}
		select {
		case <-ctx.Done():
			return context.DeadlineExceeded
		case <-time.After(servicePoll):
		}
	}
}

func converged(ctx context.Context, c *client.Client, id string, before *swarm.Service, late bool) (bool, error) {
	service, _, err := c.ServiceInspectWithRaw(ctx, id, swarm.ServiceInspectOptions{})
	if err != nil {
		return false, err
	}
	ours := before != nil && service.UpdateStatus != nil && (before.UpdateStatus == nil || !sameTime(service.UpdateStatus.StartedAt, before.UpdateStatus.StartedAt))
	if ours {
		switch service.UpdateStatus.State {
		case swarm.UpdateStateCompleted:
			return true, nil
		case swarm.UpdateStateRollbackCompleted:
			return false, fmt.Errorf("service rollback completed: %s", service.UpdateStatus.Message)
		case swarm.UpdateStatePaused:
			return false, fmt.Errorf("service update paused: %s", service.UpdateStatus.Message)
		case swarm.UpdateStateRollbackPaused:
			return false, fmt.Errorf("service rollback paused: %s", service.UpdateStatus.Message)
		}
		return false, nil
	}
	tasks, err := c.TaskList(ctx, swarm.TaskListOptions{Filters: filters.NewArgs(filters.Arg("service", id), filters.Arg("desired-state", "running"))})
	if err != nil {
		return false, err
	}
	nodes, err := c.NodeList(ctx, swarm.NodeListOptions{})
	if err != nil {
		return false, err
	}
	if !allSlotsRunning(service, tasks, nodes) {
		return false, nil
	}
	// A create, or an update that rolled no task: done once the tasks run the current spec.
	return before == nil || late || tasksCurrent(service, tasks), nil
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

// allSlotsRunning: every replica slot has a task meant to run that runs, on a node that is up
// (the upstream's replicated test; a global service: one running task per node that is up).
func allSlotsRunning(service swarm.Service, tasks []swarm.Task, nodes []swarm.Node) bool {
	up := map[string]bool{}
	for _, n := range nodes {
		if n.Status.State != swarm.NodeStateDown {
			up[n.ID] = true
		}
	}
	running := map[string]bool{}
	for _, t := range tasks {
		if t.Status.State != swarm.TaskStateRunning || (t.NodeID != "" && !up[t.NodeID]) {
			continue
		}
		if service.Spec.Mode.Global != nil {
			running[t.NodeID] = true
		} else {
			running[fmt.Sprint(t.Slot)] = true
		}
	}
	if service.Spec.Mode.Global != nil {
		return len(running) > 0
	}
	if service.Spec.Mode.Replicated == nil || service.Spec.Mode.Replicated.Replicas == nil {
		return false
	}
	return uint64(len(running)) == *service.Spec.Mode.Replicated.Replicas
}

// tasksCurrent: every task meant to run was made from the service's current task template.
func tasksCurrent(service swarm.Service, tasks []swarm.Task) bool {
	want, err := json.Marshal(service.Spec.TaskTemplate)
	if err != nil {
		return false
	}
	for _, t := range tasks {
		got, err := json.Marshal(t.Spec)
		if err != nil || string(got) != string(want) {
			return false
		}
	}
	return true
}
