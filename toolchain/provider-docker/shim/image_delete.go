package shim

import (
	"context"
	"fmt"
	"strings"

	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/client"
	"github.com/hashicorp/terraform-plugin-sdk/v2/diag"
	"github.com/hashicorp/terraform-plugin-sdk/v2/helper/schema"
)

// The upstream docker_image delete removes the image by its name. A built image keeps its name
// when its build context changes (ours are tagged <app>-<role>:built), so when the replaced
// resource is deleted, its name already points at the new build, which the new container uses:
// Docker refuses ("must force") and every later up and destroy fails the same way.
// withImageDeleteByID deletes the image the resource created, by the ID in its state, when its
// name has moved on to another image; otherwise it does what the upstream does. An image still
// in use is left with a warning rather than failing the deployment: a container started at run
// time from the old build, or a rebuild that produced the very same image (a change reverted),
// which the replacing resource now holds.
func withImageDeleteByID(p *schema.Provider) {
	r := p.ResourcesMap["docker_image"]
	upstream := r.DeleteContext
	r.DeleteContext = func(ctx context.Context, d *schema.ResourceData, meta interface{}) diag.Diagnostics {
		id, _ := d.Get("image_id").(string)
		if d.Get("keep_locally").(bool) || id == "" {
			return upstream(ctx, d, meta)
		}
		c, err := dockerClient(ctx, d, meta)
		if err != nil {
			return diag.FromErr(err)
		}
		if current, err := c.ImageInspect(ctx, d.Get("name").(string)); err == nil && current.ID == id {
			diags := upstream(ctx, d, meta)
			if diags.HasError() && strings.Contains(fmt.Sprint(diags[0].Summary, diags[0].Detail), "conflict:") {
				return inUse(d.Get("name").(string), id, diags[0].Summary)
			}
			return diags
		}
		return removeByID(ctx, c, id, d.Get("name").(string))
	}
}

func removeByID(ctx context.Context, c *client.Client, id, name string) diag.Diagnostics {
	// Removing by ID takes an image's last tag with it: check first.
	if keptForRollback(ctx, c, id) {
		return nil
	}
	if _, err := c.ImageRemove(ctx, id, image.RemoveOptions{PruneChildren: true}); err != nil {
		if client.IsErrNotFound(err) {
			return nil
		}
		return inUse(name, id, err.Error())
	}
	return nil
}

// keptForRollback: a service's previous release runs this image, so its `:rollback` tag keeps
// it (tag_delete.go lets go of it when the release record moves on).
func keptForRollback(ctx context.Context, c *client.Client, id string) bool {
	img, err := c.ImageInspect(ctx, id)
	if err != nil {
		return false
	}
	for _, t := range img.RepoTags {
		if strings.HasSuffix(t, ":rollback") {
			return true
		}
	}
	return false
}

func inUse(name, id, why string) diag.Diagnostics {
	return diag.Diagnostics{{Severity: diag.Warning, Summary: fmt.Sprintf("left image %s (%s) in place, still in use: %s", name, id, why)}}
}
