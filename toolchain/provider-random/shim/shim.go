// Package shim exposes the upstream Terraform random provider (plugin framework) to our bridge.
package shim

import (
	"github.com/hashicorp/terraform-plugin-framework/provider"

	random "github.com/terraform-providers/terraform-provider-random/internal/provider"
)

// NewProvider returns the upstream provider: random_password, random_string, random_id,
// random_integer, random_uuid (+ uuid4, uuid7), random_pet, random_shuffle, random_bytes.
func NewProvider() provider.Provider {
	return random.New()
}
