package shim

import (
	"context"

	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/client"
	"github.com/hashicorp/terraform-plugin-sdk/v2/diag"
	"github.com/hashicorp/terraform-plugin-sdk/v2/helper/schema"
)

// The upstream docker_tag delete does nothing, so every image a tag ever held stays on the host.
// Ours holds the image of a service's previous release (`<container>:rollback`, see
// components/release.ts), and lets go of it on delete: it removes the tag if it still names
// that image, and then the image itself if no other tag names it and no container uses it.
// When the tag moved on to the next previous release, the image it held is left untagged and is
// removed the same way. Nothing a container runs or another tag names is ever removed.
func withTagRelease(p *schema.Provider) {
	r := p.ResourcesMap["docker_tag"]
	r.DeleteContext = func(ctx context.Context, d *schema.ResourceData, meta interface{}) diag.Diagnostics {
		c, err := dockerClient(ctx, d, meta)
		if err != nil {
			return diag.FromErr(err)
		}
		target, _ := d.Get("target_image").(string)
		id, _ := d.Get("source_image_id").(string)
		if current, err := c.ImageInspect(ctx, target); err == nil && current.ID == id {
			// Untags; the image goes too when this was its last name and nothing runs it.
			_, _ = c.ImageRemove(ctx, target, image.RemoveOptions{PruneChildren: true})
			return nil
		}
		removeIfUnnamed(ctx, c, id)
		return nil
	}
}

// removeIfUnnamed removes an image no tag names; a container using it keeps it (the engine refuses).
func removeIfUnnamed(ctx context.Context, c *client.Client, id string) {
	if id == "" {
		return
	}
	if img, err := c.ImageInspect(ctx, id); err == nil && len(img.RepoTags) == 0 {
		_, _ = c.ImageRemove(ctx, id, image.RemoveOptions{PruneChildren: true})
	}
}
