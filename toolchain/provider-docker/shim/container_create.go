package shim

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/docker/cli/opts"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/mount"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/versions"
	"github.com/docker/go-connections/nat"
	"github.com/hashicorp/terraform-plugin-sdk/v2/diag"
	"github.com/hashicorp/terraform-plugin-sdk/v2/helper/schema"
)

// upstreamCreateEnv, set to 1 in the engine's environment, sends every container through the
// upstream create: the yardstick the e2e test compares ours with, field for field.
const upstreamCreateEnv = "APPSTACKS_UPSTREAM_CREATE"

// composeCreateFields are the container's arguments the compose-like create builds exactly as the
// upstream create does (the ones our components use, and the settings beside them). A container
// with any other argument set goes through the upstream create, which knows them all.
var composeCreateFields = map[string]bool{
	"name": true, "image": true, "hostname": true, "domainname": true, "tty": true, "stdin_open": true,
	"stop_signal": true, "stop_timeout": true, "env": true, "command": true, "entrypoint": true,
	"user": true, "working_dir": true, "ports": true, "volumes": true, "labels": true,
	"healthcheck": true, "privileged": true, "publish_all_ports": true, "restart": true,
	"max_retry_count": true, "runtime": true, "rm": true, "read_only": true, "log_driver": true,
	"log_opts": true, "tmpfs": true, "memory": true, "memory_swap": true, "shm_size": true,
	"cpus": true, "network_mode": true, "networks_advanced": true, "sysctls": true, "ipc_mode": true,
	"init": true, "upload": true, "start": true, "attach": true, "logs": true, "wait": true,
	"wait_timeout": true, "must_run": true, "destroy_grace_seconds": true, "remove_volumes": true,
	"container_read_refresh_timeout_milliseconds": true,
}

// withComposeCreate makes docker_container's create send what docker-compose sends and no more:
// the image looked up by its reference (upstream lists every image on the engine), the container
// created on its networks with their aliases (upstream creates it on the default bridge, asks
// the engine's /info to warn about non-Linux hosts, then disconnects the bridge and connects
// each network), files uploaded, started, then the upstream read. The container is the same
// field for field (test/e2e/provider-create.test.ts compares the two with docker inspect):
// HostConfig.NetworkMode stays "bridge", as upstream leaves it, so state round-trips and a
// container made either way reads the same. Anything else (an image still to pull, an argument
// outside composeCreateFields, logs copied into state, upload owners) takes the upstream path.
func withComposeCreate(p *schema.Provider) {
	r := p.ResourcesMap["docker_container"]
	upstream, read := r.CreateContext, r.ReadContext
	r.CreateContext = func(ctx context.Context, d *schema.ResourceData, meta interface{}) diag.Diagnostics {
		if os.Getenv(upstreamCreateEnv) == "1" || !composeCreatable(r.Schema, d) {
			return upstream(ctx, d, meta)
		}
		c, err := dockerClient(ctx, d, meta)
		if err != nil {
			return diag.FromErr(err)
		}
		image := d.Get("image").(string)
		if _, err := c.ImageInspect(ctx, image); err != nil {
			return upstream(ctx, d, meta)
		}
		spec, err := containerSpecOf(d)
		if err != nil {
			return diag.FromErr(err)
		}
		// One endpoint at create before API 1.44 (Docker 25); the rest are connected before start.
		later := spec.networks
		endpoints := map[string]*network.EndpointSettings{}
		if len(later) > 0 {
			n := 1
			if versions.GreaterThanOrEqualTo(c.ClientVersion(), "1.44") {
				n = len(later)
			}
			for _, ep := range later[:n] {
				endpoints[ep.name] = ep.settings
			}
			later = later[n:]
		}
		created, err := c.ContainerCreate(ctx, spec.config, spec.host, &network.NetworkingConfig{EndpointsConfig: endpoints}, nil, d.Get("name").(string))
		if err != nil {
			return diag.Errorf("Unable to create container: %s", err)
		}
		d.SetId(created.ID)
		for _, ep := range later {
			if err := c.NetworkConnect(ctx, ep.name, created.ID, ep.settings); err != nil {
				return diag.Errorf("Unable to connect to network '%s': %s", ep.name, err)
			}
		}
		if spec.uploads != nil {
			if err := c.CopyToContainer(ctx, created.ID, "/", bytes.NewReader(spec.uploads), container.CopyToContainerOptions{}); err != nil {
				return diag.Errorf("Unable to upload volume content: %s", err)
			}
		}
		if d.Get("start").(bool) {
			if err := c.ContainerStart(ctx, created.ID, container.StartOptions{}); err != nil {
				return diag.Errorf("Unable to start container: %s", err)
			}
		}
		if d.Get("attach").(bool) {
			done, failed := c.ContainerWait(ctx, created.ID, container.WaitConditionNotRunning)
			select {
			case err := <-failed:
				if err != nil {
					return diag.Errorf("Unable to wait container end of execution: %s", err)
				}
			case <-done:
			}
		}
		return read(ctx, d, meta)
	}
}

// composeCreatable: every argument set is one the compose-like create builds, the networks give
// only names and aliases, uploads have no owner, and no logs are copied into state (wait is done
// by withFastHealthWait around this create, which turns it off here).
func composeCreatable(fields map[string]*schema.Schema, d *schema.ResourceData) bool {
	for key, field := range fields {
		if composeCreateFields[key] || !(field.Optional || field.Required) {
			continue
		}
		if v, ok := d.GetOk(key); ok && (field.Default == nil || v != field.Default) {
			return false
		}
	}
	if d.Get("network_mode").(string) != "bridge" || d.Get("logs").(bool) || d.Get("wait").(bool) {
		return false
	}
	for _, raw := range d.Get("networks_advanced").(*schema.Set).List() {
		n := raw.(map[string]interface{})
		for _, k := range []string{"ipv4_address", "ipv6_address", "mac_address"} {
			if s, _ := n[k].(string); s != "" {
				return false
			}
		}
		if set, ok := n["link_local_ips"].(*schema.Set); ok && set.Len() > 0 {
			return false
		}
		if set, ok := n["driver_opts"].(*schema.Set); ok && set.Len() > 0 {
			return false
		}
		if g, _ := n["gw_priority"].(int); g != 0 {
			return false
		}
	}
	for _, raw := range d.Get("upload").(*schema.Set).List() {
		u := raw.(map[string]interface{})
		if u["owner"].(string) != "" || u["group"].(string) != "" {
			return false
		}
	}
	return true
}

type endpoint struct {
	name     string
	settings *network.EndpointSettings
}

type containerSpec struct {
	config   *container.Config
	host     *container.HostConfig
	networks []endpoint
	uploads  []byte // every file in one tar archive, written at / (nil: none)
}

// containerSpecOf builds the create request from the arguments as the upstream create does,
// value for value (defaults, units, empty-but-present maps), for the fields composeCreatable allows.
func containerSpecOf(d *schema.ResourceData) (*containerSpec, error) {
	config := &container.Config{
		Image:      d.Get("image").(string),
		Hostname:   d.Get("hostname").(string),
		Domainname: d.Get("domainname").(string),
		Tty:        d.Get("tty").(bool),
		OpenStdin:  d.Get("stdin_open").(bool),
		StopSignal: d.Get("stop_signal").(string),
	}
	if v, ok := d.GetOk("stop_timeout"); ok {
		t := v.(int)
		config.StopTimeout = &t
	}
	if v, ok := d.GetOk("env"); ok {
		config.Env = setStrings(v.(*schema.Set))
	}
	if v, ok := d.GetOk("command"); ok {
		config.Cmd = listStrings(v.([]interface{}))
		for _, arg := range config.Cmd {
			if arg == "" {
				return nil, fmt.Errorf("values for command may not be empty")
			}
		}
	}
	if v, ok := d.GetOk("entrypoint"); ok {
		config.Entrypoint = listStrings(v.([]interface{}))
	}
	if v, ok := d.GetOk("user"); ok {
		config.User = v.(string)
	}
	exposed, bindings := nat.PortSet{}, nat.PortMap{}
	if v, ok := d.GetOk("ports"); ok {
		for _, raw := range v.([]interface{}) {
			p := raw.(map[string]interface{})
			port := nat.Port(strconv.Itoa(p["internal"].(int)) + "/" + p["protocol"].(string))
			exposed[port] = struct{}{}
			b := nat.PortBinding{}
			external, extOk := p["external"].(int)
			if extOk {
				b.HostPort = strconv.Itoa(external)
			}
			ip, ipOk := p["ip"].(string)
			if ipOk {
				b.HostIP = ip
			}
			if extOk || ipOk {
				bindings[port] = append(bindings[port], b)
			}
		}
	}
	if len(exposed) != 0 {
		config.ExposedPorts = exposed
	}
	if v, ok := d.GetOk("working_dir"); ok {
		config.WorkingDir = v.(string)
	}
	volumes, binds, volumesFrom := map[string]struct{}{}, []string{}, []string{}
	if v, ok := d.GetOk("volumes"); ok {
		for _, raw := range v.(*schema.Set).List() {
			vol := raw.(map[string]interface{})
			from, path, name := vol["from_container"].(string), vol["container_path"].(string), vol["volume_name"].(string)
			if host := vol["host_path"].(string); host != "" {
				name = host
			}
			switch {
			case from == "" && path == "":
				return nil, fmt.Errorf("Unable to parse volumes: volume entry without container path or source container")
			case from != "" && path != "":
				return nil, fmt.Errorf("Unable to parse volumes: both a container and a path specified in a volume entry")
			case from != "":
				volumesFrom = append(volumesFrom, from)
			case name != "":
				mode := "rw"
				if vol["read_only"].(bool) {
					mode = "ro"
				}
				if relabel := vol["selinux_relabel"].(string); relabel != "" {
					mode += "," + relabel
				}
				volumes[path] = struct{}{}
				binds = append(binds, name+":"+path+":"+mode)
			default:
				volumes[path] = struct{}{}
			}
		}
	}
	if len(volumes) != 0 {
		config.Volumes = volumes
	}
	if _, ok := d.GetOk("labels"); ok {
		config.Labels = containerLabels(d)
	}
	if v, ok := d.GetOk("healthcheck"); ok {
		config.Healthcheck = &container.HealthConfig{}
		for _, raw := range v.([]interface{}) {
			hc := raw.(map[string]interface{})
			if t, ok := hc["test"]; ok {
				config.Healthcheck.Test = listStrings(t.([]interface{}))
			}
			config.Healthcheck.Interval = duration(hc["interval"])
			config.Healthcheck.Timeout = duration(hc["timeout"])
			config.Healthcheck.StartPeriod = duration(hc["start_period"])
			config.Healthcheck.StartInterval = duration(hc["start_interval"])
			config.Healthcheck.Retries, _ = hc["retries"].(int)
		}
	}

	host := &container.HostConfig{
		Privileged:      d.Get("privileged").(bool),
		PublishAllPorts: d.Get("publish_all_ports").(bool),
		RestartPolicy: container.RestartPolicy{
			Name:              container.RestartPolicyMode(d.Get("restart").(string)),
			MaximumRetryCount: d.Get("max_retry_count").(int),
		},
		Runtime:        d.Get("runtime").(string),
		Mounts:         []mount.Mount{},
		AutoRemove:     d.Get("rm").(bool),
		ReadonlyRootfs: d.Get("read_only").(bool),
		LogConfig:      container.LogConfig{Type: d.Get("log_driver").(string)},
		NetworkMode:    container.NetworkMode(d.Get("network_mode").(string)),
	}
	if v, ok := d.GetOk("tmpfs"); ok {
		host.Tmpfs = stringMap(v)
	}
	if len(bindings) != 0 {
		host.PortBindings = bindings
	}
	if len(binds) != 0 {
		host.Binds = binds
	}
	if len(volumesFrom) != 0 {
		host.VolumesFrom = volumesFrom
	}
	if v, ok := d.GetOk("memory"); ok {
		host.Memory = int64(v.(int)) * 1024 * 1024
	}
	if v, ok := d.GetOk("memory_swap"); ok {
		swap := int64(v.(int))
		if swap > 0 {
			swap *= 1024 * 1024
		}
		host.MemorySwap = swap
	}
	if v, ok := d.GetOk("shm_size"); ok {
		host.ShmSize = int64(v.(int)) * 1024 * 1024
	}
	if v, ok := d.GetOk("cpus"); ok {
		nano, err := opts.ParseCPUs(v.(string))
		if err != nil {
			return nil, fmt.Errorf("Error setting cpus: %s", err)
		}
		host.NanoCPUs = nano
	}
	if v, ok := d.GetOk("log_opts"); ok {
		host.LogConfig.Config = stringMap(v)
	}
	if v, ok := d.GetOk("sysctls"); ok {
		host.Sysctls = stringMap(v)
	}
	if v, ok := d.GetOk("ipc_mode"); ok {
		host.IpcMode = container.IpcMode(v.(string))
	}
	init := d.Get("init").(bool)
	host.Init = &init

	var networks []endpoint
	for _, raw := range d.Get("networks_advanced").(*schema.Set).List() {
		n := raw.(map[string]interface{})
		settings := &network.EndpointSettings{IPAMConfig: &network.EndpointIPAMConfig{LinkLocalIPs: []string{}}, DriverOpts: map[string]string{}}
		if aliases, ok := n["aliases"].(*schema.Set); ok {
			settings.Aliases = setStrings(aliases)
		}
		networks = append(networks, endpoint{name: n["name"].(string), settings: settings})
	}

	uploads, err := uploadArchive(d)
	if err != nil {
		return nil, err
	}
	return &containerSpec{config: config, host: host, networks: networks, uploads: uploads}, nil
}

// uploadArchive: the uploads as one tar archive for one copy to / (the upstream copies a
// one-file archive per upload, and each copy mounts the container's volumes again: 60-70 ms a
// file on a container's way to its start). Entries keep the upstream's order, header and mode,
// and a later entry for the same path wins, as a later copy did.
func uploadArchive(d *schema.ResourceData) ([]byte, error) {
	uploads := d.Get("upload").(*schema.Set).List()
	if len(uploads) == 0 {
		return nil, nil
	}
	buf := new(bytes.Buffer)
	tw := tar.NewWriter(buf)
	for _, raw := range uploads {
		u := raw.(map[string]interface{})
		content, b64, source := u["content"].(string), u["content_base64"].(string), u["source"].(string)
		set := 0
		for _, s := range []string{content, b64, source} {
			if s != "" {
				set++
			}
		}
		if set == 0 {
			return nil, fmt.Errorf("error with upload content: one of 'content', 'content_base64', or 'source' must be set")
		}
		if set > 1 {
			return nil, fmt.Errorf("error with upload content: only one of 'content', 'content_base64', or 'source' can be set")
		}
		data := content
		if b64 != "" {
			decoded, _ := base64.StdEncoding.DecodeString(b64)
			data = string(decoded)
		}
		if source != "" {
			read, err := os.ReadFile(source)
			if err != nil {
				return nil, fmt.Errorf("could not read file: %s", err)
			}
			data = string(read)
		}
		mode := int64(0o644)
		if perm := u["permissions"].(string); perm != "" {
			m, err := strconv.ParseInt(perm, 8, 32)
			if err != nil {
				return nil, fmt.Errorf("Error parsing permission: %s", err)
			}
			mode = m
		} else if u["executable"].(bool) {
			mode = 0o744
		}
		hdr := &tar.Header{Name: u["file"].(string), Mode: mode, Size: int64(len(data)), ModTime: time.Now()}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, fmt.Errorf("Error creating tar archive: %s", err)
		}
		if _, err := tw.Write([]byte(data)); err != nil {
			return nil, fmt.Errorf("Error creating tar archive: %s", err)
		}
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("Error creating tar archive: %s", err)
	}
	return buf.Bytes(), nil
}

func setStrings(s *schema.Set) []string {
	out := []string{}
	for _, v := range s.List() {
		out = append(out, v.(string))
	}
	return out
}

func listStrings(l []interface{}) []string {
	out := []string{}
	for _, v := range l {
		s, _ := v.(string)
		out = append(out, s)
	}
	return out
}

func duration(v interface{}) time.Duration {
	s, _ := v.(string)
	t, _ := time.ParseDuration(s)
	return t
}
