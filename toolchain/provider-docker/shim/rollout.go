package shim

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/client"
	"github.com/docker/docker/pkg/stdcopy"
	"github.com/hashicorp/terraform-plugin-sdk/v2/diag"
	"github.com/hashicorp/terraform-plugin-sdk/v2/helper/schema"
)

// Labels of a container that rolls out start-first behind a front proxy (components/runtime).
const (
	// RolloutLabel "start-first": the new release starts beside the old one under the same name.
	RolloutLabel = "appstacks.rollout"
	// ReadyCheckLabel: the container's health check as JSON {"test": [...], "timeout": "5s"}. The
	// proxy routes to a container as soon as it runs when it has no engine health check, so a
	// rolling container has none: the provider runs this check itself before the old release
	// goes (an engine check would keep the container out of the proxy until its first interval).
	ReadyCheckLabel = "appstacks.ready-check"
)

// handover is how long a ready release runs beside the previous one before Pulumi may stop that:
// the proxy's reaction to the release's start (--providers.providersthrottleduration=100ms, then
// a rebuild of its routes), with room to spare on a busy host.
const handover = 1 * time.Second

// crashLoop is how many restarts of a new release count as "it keeps exiting".
const crashLoop = 3

// Owner labels: a container is the previous release of the new one when all of these match.
var ownerLabels = []string{"appstacks.project", "appstacks.stack", "appstacks.app", "appstacks.service"}

type readyCheck struct {
	Test    []string `json:"test"`
	Timeout string   `json:"timeout"`
}

// withStartFirstRollout makes the create of a container labelled appstacks.rollout=start-first
// the first half of a zero-downtime rollout: the running previous release (same name, same
// owner labels) is renamed aside and keeps serving, the new release is created under the name
// and must pass its ready check; only then is the create done, and Pulumi deletes the previous
// release (by its ID) at the end of the update, with its stop signal and grace period. A release
// that fails its check is removed and the previous one gets its name back: it never stopped
// serving, and the error names the app, the service and the check's last output.
// (The plugin's Diff lets these containers be replaced create-first: cmd/pulumi-resource-docker.)
func withStartFirstRollout(p *schema.Provider) {
	r := p.ResourcesMap["docker_container"]
	create := r.CreateContext
	r.CreateContext = func(ctx context.Context, d *schema.ResourceData, meta interface{}) diag.Diagnostics {
		labels := containerLabels(d)
		if labels[RolloutLabel] != "start-first" {
			return create(ctx, d, meta)
		}
		c, err := dockerClient(ctx, d, meta)
		if err != nil {
			return diag.FromErr(err)
		}
		name := d.Get("name").(string)
		previous, err := setAside(ctx, c, name, labels)
		if err != nil {
			return diag.FromErr(err)
		}
		diags := create(ctx, d, meta)
		var failure string
		if diags.HasError() {
			failure = diags[0].Summary
		} else if out, ok := waitReady(ctx, c, d, labels[ReadyCheckLabel]); !ok {
			failure = "the new release failed its health check, last output: " + out
		}
		if failure == "" {
			// The proxy saw the release start (a Docker event) and routes to it within its
			// throttle; the old one must not stop before that. With no old one (a first
			// deploy) there is nothing to hand over from: a second of every cold deploy saved.
			if previous != "" {
				time.Sleep(handover)
			}
			return diags
		}
		if d.Id() != "" {
			_ = c.ContainerRemove(context.Background(), d.Id(), container.RemoveOptions{Force: true, RemoveVolumes: true})
			d.SetId("")
		}
		kept := "there was no previous release"
		if previous != "" {
			kept = "the previous release keeps serving"
			if err := c.ContainerRename(context.Background(), previous, name); err != nil {
				kept = fmt.Sprintf("the previous release keeps serving as %s (renaming it back failed: %s)", previous, err)
			}
		}
		return diag.Errorf("%s %s: %s; it never received traffic and was removed, %s", labels["appstacks.app"], labels["appstacks.service"], oneLine(failure), kept)
	}
}

// setAside renames the running container called name, when it is the previous release of the
// container about to be created (same owner labels), to name-<its short id>, and returns the
// new name ("" when there is none). Pulumi deletes it by its ID, so the rename is invisible to
// the state.
func setAside(ctx context.Context, c *client.Client, name string, labels map[string]string) (string, error) {
	info, err := c.ContainerInspect(ctx, name)
	if client.IsErrNotFound(err) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("inspecting the previous release %s: %w", name, err)
	}
	for _, k := range ownerLabels {
		if info.Config == nil || info.Config.Labels[k] != labels[k] {
			// Someone else's container: the upstream create fails on the name, as it should.
			return "", nil
		}
	}
	aside := fmt.Sprintf("%s-%.12s", name, info.ID)
	if err := c.ContainerRename(ctx, info.ID, aside); err != nil {
		return "", fmt.Errorf("renaming the previous release %s aside: %w", name, err)
	}
	return aside, nil
}

// waitReady runs the ready check in the new container every probeEvery until it passes, the
// container stops for good, or wait_timeout passes; it returns the last output when it fails.
func waitReady(ctx context.Context, c *client.Client, d *schema.ResourceData, check string) (string, bool) {
	var rc readyCheck
	if err := json.Unmarshal([]byte(check), &rc); err != nil || len(rc.Test) == 0 {
		return fmt.Sprintf("label %s is not a health check: %q", ReadyCheckLabel, check), false
	}
	hc := &container.HealthConfig{Test: rc.Test}
	if t, err := time.ParseDuration(rc.Timeout); err == nil {
		hc.Timeout = t
	}
	timeout := time.Duration(d.Get("wait_timeout").(int)) * time.Second
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	last := "(no check ran)"
	for {
		info, err := c.ContainerInspect(ctx, d.Id())
		if err != nil {
			if ctx.Err() != nil {
				return fmt.Sprintf("not healthy after %s: %s", timeout, last), false
			}
			return err.Error(), false
		}
		if info.State != nil && !info.State.Running && !info.State.Restarting {
			return fmt.Sprintf("the container %s with exit code %d (see docker logs)", info.State.Status, info.State.ExitCode), false
		}
		// Restarted by its policy again and again: waiting out the time-out cannot help.
		if info.RestartCount >= crashLoop && info.State != nil {
			return fmt.Sprintf("the container keeps exiting (restarted %d times, last exit code %d; see docker logs)", info.RestartCount, info.State.ExitCode), false
		}
		user := ""
		if info.Config != nil {
			user = info.Config.User
		}
		passed, out := probeWithOutput(ctx, c, d.Id(), user, hc)
		if passed {
			return "", true
		}
		// A probe cut short by the wait's own deadline says nothing about the release.
		if out != "" && ctx.Err() == nil {
			last = out
		}
		select {
		case <-ctx.Done():
			return fmt.Sprintf("not healthy after %s: %s", timeout, last), false
		case <-time.After(probeEvery):
		}
	}
}

// probeWithOutput is probe (health_wait.go) keeping what the check printed, for the error.
func probeWithOutput(ctx context.Context, c *client.Client, id, user string, hc *container.HealthConfig) (bool, string) {
	cmd := checkCommand(hc.Test)
	if cmd == nil {
		return false, fmt.Sprintf("unsupported health check %q", hc.Test)
	}
	timeout := hc.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	exec, err := c.ContainerExecCreate(ctx, id, container.ExecOptions{User: user, Cmd: cmd, AttachStdout: true, AttachStderr: true})
	if err != nil {
		return false, err.Error()
	}
	att, err := c.ContainerExecAttach(ctx, exec.ID, container.ExecAttachOptions{})
	if err != nil {
		return false, err.Error()
	}
	defer att.Close()
	var out bytes.Buffer
	done := make(chan struct{})
	go func() { _, _ = stdcopy.StdCopy(&out, &out, att.Reader); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		return false, fmt.Sprintf("the check timed out after %s", timeout)
	}
	res, err := c.ContainerExecInspect(ctx, exec.ID)
	if err != nil {
		return false, err.Error()
	}
	text := strings.TrimSpace(out.String())
	if res.ExitCode != 0 && text == "" {
		text = fmt.Sprintf("exit code %d, no output", res.ExitCode)
	}
	return res.ExitCode == 0, text
}

// checkCommand is the argv a health check's test runs, as the engine builds it.
func checkCommand(test []string) []string {
	switch {
	case len(test) >= 2 && test[0] == "CMD":
		return test[1:]
	case len(test) == 2 && test[0] == "CMD-SHELL":
		return []string{"/bin/sh", "-c", test[1]}
	}
	return nil
}

// containerLabels reads the `labels` set of a docker_container's configuration.
func containerLabels(d *schema.ResourceData) map[string]string {
	labels := map[string]string{}
	set, ok := d.Get("labels").(*schema.Set)
	if !ok {
		return labels
	}
	for _, item := range set.List() {
		m, ok := item.(map[string]interface{})
		if !ok {
			continue
		}
		k, _ := m["label"].(string)
		v, _ := m["value"].(string)
		labels[k] = v
	}
	return labels
}

// oneLine keeps an error to one line of at most 400 characters.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 400 {
		s = s[:400] + "…"
	}
	return s
}

// withDrainBeforeStop takes a start-first release out of its proxy's routes before Pulumi stops
// it. Traefik rebuilds its routes on a container's start, die or health event only, so while the
// old release runs it keeps receiving requests until it has exited; the ones its server had
// queued when it closed its listener are lost (a 502 each), too late for a retry. So the old
// release is paused (a paused container is not routed to; the requests it holds wait), a short
// container of the proxy's own image is started beside it (`traefik version`: the event that
// makes the proxy rebuild its routes, now without the paused release), and after the proxy's
// reaction time it is resumed, serves what it holds (until no connection to its routed ports is
// open), and is stopped as usual. Only a release with a successor is drained (see hasSuccessor).
func withDrainBeforeStop(p *schema.Provider) {
	r := p.ResourcesMap["docker_container"]
	del := r.DeleteContext
	r.DeleteContext = func(ctx context.Context, d *schema.ResourceData, meta interface{}) diag.Diagnostics {
		labels := containerLabels(d)
		if labels[RolloutLabel] == "start-first" && labels[ProxyLabel] != "" {
			if c, err := dockerClient(ctx, d, meta); err == nil {
				drain(ctx, c, d.Id(), labels)
			}
		}
		return del(ctx, d, meta)
	}
}

// ProxyLabel names the front proxy that routes to a container (components/runtime/front-proxy.ts).
const ProxyLabel = "appstacks.front-proxy"

// drain is best effort: whatever fails, the upstream delete that follows still stops the release.
func drain(ctx context.Context, c *client.Client, id string, labels map[string]string) {
	old, err := c.ContainerInspect(ctx, id)
	if err != nil || old.State == nil || !old.State.Running || old.State.Paused {
		return
	}
	proxy, err := c.ContainerInspect(ctx, labels[ProxyLabel])
	if err != nil || proxy.State == nil || !proxy.State.Running {
		return
	}
	if !hasSuccessor(ctx, c, id, labels) {
		return
	}
	if err := c.ContainerPause(ctx, id); err != nil {
		return
	}
	defer func() {
		// Resumed, it serves the requests it holds (they reached it before the proxy's rebuild,
		// some still in its listen queue) before the stop closes its listener.
		if c.ContainerUnpause(context.Background(), id) == nil {
			waitIdle(ctx, c, id, routedPorts(labels))
		}
	}()
	poke := map[string]string{"appstacks.role": "proxy-reload"}
	for _, k := range ownerLabels[:3] {
		poke[k] = labels[k]
	}
	created, err := c.ContainerCreate(ctx, &container.Config{Image: proxy.Image, Cmd: []string{"version"}, Labels: poke},
		&container.HostConfig{AutoRemove: true, NetworkMode: "none"}, nil, nil, "")
	if err != nil {
		return
	}
	if err := c.ContainerStart(ctx, created.ID, container.StartOptions{}); err != nil {
		_ = c.ContainerRemove(context.Background(), created.ID, container.RemoveOptions{Force: true})
		return
	}
	time.Sleep(handover)
}

// hasSuccessor says whether another running container of the same service (its owner labels)
// is there to take the release's requests: the new release of a rollout or a rollback, which
// runs before Pulumi deletes the old one. With none (a destroy, or the service removed from the
// stack) a drain would only turn the requests of its pause away sooner and cost every teardown
// the proxy's reaction time and more (biostar's destroy took 2.9 s with it, 1.6 s without).
// When the engine cannot be asked, it drains as before.
func hasSuccessor(ctx context.Context, c *client.Client, id string, labels map[string]string) bool {
	f := filters.NewArgs()
	for _, k := range ownerLabels {
		f.Add("label", k+"="+labels[k])
	}
	running, err := c.ContainerList(ctx, container.ListOptions{Filters: f})
	if err != nil {
		return true
	}
	for _, other := range running {
		if other.ID != id {
			return true
		}
	}
	return false
}

// drainLimit bounds how long a release set aside may take to answer what it holds.
const drainLimit = 10 * time.Second

// routedPorts are the container ports its proxy routes to (Traefik's loadbalancer.server.port labels).
func routedPorts(labels map[string]string) map[int]bool {
	ports := map[int]bool{}
	for k, v := range labels {
		if (strings.HasPrefix(k, "traefik.http.services.") || strings.HasPrefix(k, "traefik.tcp.services.")) && strings.HasSuffix(k, ".loadbalancer.server.port") {
			var p int
			if _, err := fmt.Sscanf(v, "%d", &p); err == nil {
				ports[p] = true
			}
		}
	}
	return ports
}

// waitIdle waits, up to drainLimit, until no connection to the routed ports is open in the
// container (read from its /proc/net/tcp and tcp6: a request in hand, or one still in the
// listen queue, which the stop would reset). The proxy opens a connection per request, so none
// open means nothing in hand. Without a way to look (no cat in the image), it waits a handover.
func waitIdle(ctx context.Context, c *client.Client, id string, ports map[int]bool) {
	deadline := time.Now().Add(drainLimit)
	hc := &container.HealthConfig{Test: []string{"CMD", "cat", "/proc/net/tcp", "/proc/net/tcp6"}, Timeout: 2 * time.Second}
	for time.Now().Before(deadline) {
		ok, out := probeWithOutput(ctx, c, id, "", hc)
		if !ok {
			time.Sleep(handover)
			return
		}
		if openConnections(out, ports) == 0 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// openConnections counts the ESTABLISHED entries (state 01) of /proc/net/tcp text whose local port is routed.
func openConnections(procNetTCP string, ports map[int]bool) int {
	n := 0
	for _, line := range strings.Split(procNetTCP, "\n") {
		f := strings.Fields(line)
		if len(f) < 4 || f[3] != "01" {
			continue
		}
		i := strings.LastIndex(f[1], ":")
		var port int
		if i < 0 {
			continue
		}
		if _, err := fmt.Sscanf(f[1][i+1:], "%X", &port); err == nil && ports[port] {
			n++
		}
	}
	return n
}
