package shim

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/swarm"
	"github.com/docker/docker/client"
	"github.com/hashicorp/terraform-plugin-sdk/v2/diag"
	"github.com/hashicorp/terraform-plugin-sdk/v2/helper/schema"
)

// swarmStopDelay is how long after a service's removal its node may take to begin stopping a
// task (its agent learns of the removal from the managers): 3 s on the test swarm.
const swarmStopDelay = 10 * time.Second

// withPromptServiceDelete makes docker_service's delete remove each task container of the
// service on the provider's engine as soon as it has stopped. The upstream delete removes the
// service and then waits, up to the stop grace period, until the swarm has removed the
// container itself, which its node does some 3 s after the stop (measured: the site's proxy
// stopped 3.4 s after its service was removed and was removed 3.0 s after that, so every
// destroy of a swarm stack waited for it before its networks could go). What stops is the same:
// the swarm stops the task with its stop signal and grace period, and a container is only
// removed once it has exited; one that has not exited within the grace period (and the node's
// delay) fails the delete, as upstream, rather than being killed.
func withPromptServiceDelete(p *schema.Provider) {
	r := p.ResourcesMap["docker_service"]
	r.DeleteContext = func(ctx context.Context, d *schema.ResourceData, meta interface{}) diag.Diagnostics {
		c, err := dockerClient(ctx, d, meta)
		if err != nil {
			return diag.FromErr(err)
		}
		// The upstream waits for containers only when the service has a stop grace period.
		grace, _ := time.ParseDuration(d.Get("task_spec.0.container_spec.0.stop_grace_period").(string))
		var running []string
		if grace > 0 {
			// Listed before the service goes: its tasks are gone with it.
			if running, err = taskContainers(ctx, c, d.Get("name").(string)); err != nil {
				return diag.FromErr(err)
			}
		}
		if err := c.ServiceRemove(ctx, d.Id()); err != nil {
			return diag.Errorf("Error deleting service with ID '%s': %s", d.Id(), err)
		}
		for _, id := range running {
			if err := removeWhenStopped(ctx, c, id, grace+swarmStopDelay); err != nil {
				return diag.FromErr(err)
			}
		}
		d.SetId("")
		return nil
	}
}

// taskContainers are the containers of the service's tasks that are not shut down yet.
func taskContainers(ctx context.Context, c *client.Client, service string) ([]string, error) {
	tasks, err := c.TaskList(ctx, swarm.TaskListOptions{Filters: filters.NewArgs(filters.Arg("service", service))})
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, t := range tasks {
		if t.Status.ContainerStatus != nil && strings.TrimSpace(t.Status.ContainerStatus.ContainerID) != "" && t.Status.State != swarm.TaskStateShutdown {
			ids = append(ids, t.Status.ContainerStatus.ContainerID)
		}
	}
	return ids, nil
}

// removeWhenStopped waits, up to limit, until the container is not running, then removes it. A
// container that is not on this engine (a task on another node) or already gone is no error.
func removeWhenStopped(ctx context.Context, c *client.Client, id string, limit time.Duration) error {
	wctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	okC, errC := c.ContainerWait(wctx, id, container.WaitConditionNotRunning)
	select {
	case res := <-okC:
		if res.Error != nil && !strings.Contains(res.Error.Message, "No such container") {
			return fmt.Errorf("failed to wait for container with ID '%s': '%v'", id, res.Error.Message)
		}
	case err := <-errC:
		if client.IsErrNotFound(err) || strings.Contains(err.Error(), "No such container") {
			return nil
		}
		return fmt.Errorf("error on wait for container with ID '%s' to stop (limit %v): %v", id, limit, err)
	}
	err := c.ContainerRemove(ctx, id, container.RemoveOptions{RemoveVolumes: true, Force: true})
	if err != nil && !client.IsErrNotFound(err) && !strings.Contains(err.Error(), "is already in progress") {
		return fmt.Errorf("Error deleting container with ID '%s': %s", id, err)
	}
	return nil
}
