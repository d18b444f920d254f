package shim

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/docker/docker/api/types/network"
	"github.com/hashicorp/terraform-plugin-sdk/v2/diag"
	"github.com/hashicorp/terraform-plugin-sdk/v2/helper/schema"
)

// retryPoll is how often a removal refused with "in use" is tried again.
const retryPoll = 250 * time.Millisecond

// The upstream network read waits a fixed 2 s before its first inspect (a StateChangeConf Delay,
// there for overlay networks whose options show up late), so every network cost 2 s to create
// and 2 s to refresh; the network and volume deletes wait 2 s before their first attempt too.
// docker-compose does none of this. withPromptNetworksAndVolumes reads a local network at once,
// leaving overlay networks to the upstream read, and removes networks and volumes at once,
// retrying while Docker still counts them in use, as the upstream does, for the same 30 s.
func withPromptNetworksAndVolumes(p *schema.Provider) {
	net := p.ResourcesMap["docker_network"]
	upstreamRead := net.ReadContext
	read := func(ctx context.Context, d *schema.ResourceData, meta interface{}) diag.Diagnostics {
		done, err := readLocalNetwork(ctx, d, meta)
		if err != nil {
			return diag.FromErr(err)
		}
		if !done {
			return upstreamRead(ctx, d, meta)
		}
		return nil
	}
	net.ReadContext = read
	net.CreateContext = func(ctx context.Context, d *schema.ResourceData, meta interface{}) diag.Diagnostics {
		client, err := dockerClient(ctx, d, meta)
		if err != nil {
			return diag.FromErr(err)
		}
		created, err := client.NetworkCreate(ctx, d.Get("name").(string), networkCreateOptions(d))
		if err != nil {
			return diag.Errorf("Unable to create network: %s", err)
		}
		d.SetId(created.ID)
		return read(ctx, d, meta)
	}
	net.DeleteContext = func(ctx context.Context, d *schema.ResourceData, meta interface{}) diag.Diagnostics {
		client, err := dockerClient(ctx, d, meta)
		if err != nil {
			return diag.FromErr(err)
		}
		err = untilRemoved(ctx, "has active endpoints", func() (bool, error) {
			if _, _, err := client.NetworkInspectWithRaw(ctx, d.Id(), network.InspectOptions{}); err != nil {
				return true, nil // gone already
			}
			return false, client.NetworkRemove(ctx, d.Id())
		})
		if err != nil {
			return diag.Errorf("Unable to remove network %s: %s", d.Id(), err)
		}
		d.SetId("")
		return nil
	}

	vol := p.ResourcesMap["docker_volume"]
	vol.DeleteContext = func(ctx context.Context, d *schema.ResourceData, meta interface{}) diag.Diagnostics {
		client, err := dockerClient(ctx, d, meta)
		if err != nil {
			return diag.FromErr(err)
		}
		err = untilRemoved(ctx, "volume is in use", func() (bool, error) {
			return false, client.VolumeRemove(ctx, d.Id(), true)
		})
		if err != nil {
			return diag.Errorf("Unable to remove volume %s: %s", d.Id(), err)
		}
		d.SetId("")
		return nil
	}
}

// untilRemoved runs remove until it succeeds, reports the object gone, or fails with an error
// other than `inUse`; `inUse` is retried every retryPoll for up to 30 s.
func untilRemoved(ctx context.Context, inUse string, remove func() (gone bool, err error)) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		gone, err := remove()
		if gone || err == nil {
			return nil
		}
		if !strings.Contains(err.Error(), inUse) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(retryPoll):
		}
	}
}

// readLocalNetwork sets the network's state from one inspect, as the upstream read does when
// all fields are exposed. It reports false for an overlay network (left to the upstream read).
func readLocalNetwork(ctx context.Context, d *schema.ResourceData, meta interface{}) (bool, error) {
	client, err := dockerClient(ctx, d, meta)
	if err != nil {
		return false, err
	}
	n, _, err := client.NetworkInspectWithRaw(ctx, d.Id(), network.InspectOptions{})
	if err != nil {
		// Gone: removed from state, so Pulumi sees it deleted (as the upstream read does).
		d.SetId("")
		return true, nil
	}
	if n.Scope == "swarm" || n.Driver == "overlay" {
		return false, nil
	}
	labels := make([]interface{}, 0, len(n.Labels))
	for k, v := range n.Labels {
		labels = append(labels, map[string]interface{}{"label": k, "value": v})
	}
	ipam := make([]interface{}, 0, len(n.IPAM.Config))
	for _, c := range n.IPAM.Config {
		m := map[string]interface{}{}
		if c.Subnet != "" {
			m["subnet"] = c.Subnet
		}
		if c.IPRange != "" {
			m["ip_range"] = c.IPRange
		}
		if c.Gateway != "" {
			m["gateway"] = c.Gateway
		}
		if len(c.AuxAddress) > 0 {
			aux := map[string]interface{}{}
			for k, v := range c.AuxAddress {
				aux[k] = v
			}
			m["aux_address"] = aux
		}
		ipam = append(ipam, m)
	}
	for k, v := range map[string]interface{}{
		"name": n.Name, "labels": labels, "driver": n.Driver, "internal": n.Internal, "attachable": n.Attachable,
		"ingress": n.Ingress, "ipv6": n.EnableIPv6, "ipam_driver": n.IPAM.Driver, "ipam_options": n.IPAM.Options,
		"scope": n.Scope, "options": n.Options, "ipam_config": ipam,
	} {
		if err := d.Set(k, v); err != nil {
			return false, fmt.Errorf("setting %s of network %s: %w", k, d.Id(), err)
		}
	}
	return true, nil
}

// networkCreateOptions: the upstream create's options, from the same attributes.
func networkCreateOptions(d *schema.ResourceData) network.CreateOptions {
	opts := network.CreateOptions{
		Driver:     d.Get("driver").(string),
		Options:    stringMap(d.Get("options")),
		Internal:   d.Get("internal").(bool),
		Attachable: d.Get("attachable").(bool),
		Ingress:    d.Get("ingress").(bool),
		Labels:     map[string]string{},
	}
	for _, l := range d.Get("labels").(*schema.Set).List() {
		m := l.(map[string]interface{})
		opts.Labels[m["label"].(string)] = m["value"].(string)
	}
	if v, ok := d.GetOk("ipv6"); ok {
		ipv6 := v.(bool)
		opts.EnableIPv6 = &ipv6
	}
	_, driverSet := d.GetOk("ipam_driver")
	configs := d.Get("ipam_config").(*schema.Set).List()
	ipamOptions := stringMap(d.Get("ipam_options"))
	if driverSet || len(configs) > 0 || len(ipamOptions) > 0 {
		ipam := &network.IPAM{Driver: d.Get("ipam_driver").(string), Options: ipamOptions}
		for _, c := range configs {
			m := c.(map[string]interface{})
			ipam.Config = append(ipam.Config, network.IPAMConfig{
				Subnet: m["subnet"].(string), IPRange: m["ip_range"].(string), Gateway: m["gateway"].(string),
				AuxAddress: stringMap(m["aux_address"]),
			})
		}
		opts.IPAM = ipam
	}
	return opts
}

func stringMap(v interface{}) map[string]string {
	m, _ := v.(map[string]interface{})
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, x := range m {
		out[k] = fmt.Sprint(x)
	}
	return out
}
