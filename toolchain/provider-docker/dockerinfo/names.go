package dockerinfo

import (
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
	shim "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfshim"
)

// pinNames writes into every resource field's SchemaInfo.Name the Pulumi name the bridge gives
// it by default, computed by the bridge's own function (TerraformToPulumiNameV2) over the same
// schema and overrides, so no name changes: schema.json and bridge-metadata.json come out
// byte-identical with and without it.
//
// Why: to find the Terraform name of a Pulumi name, the bridge (PulumiToTerraformName) converts
// every Terraform name of the resource until one matches, and a Diff that finds no change does
// that for every property of the old state (markWronglyTypedMaxItemsOneStateDiff). With the
// names written down, each conversion is a map read. Measured on WattRex's five containers
// (their recorded Diff and Check requests, 20 rounds): Diff 22.7 -> 12.9 ms, Check 3.1 -> 1.0 ms.
// The engine diffs one registration at a time, so this is on the path of every `up` and
// `preview` (docs/benchmarks.md).
func pinNames(prov *tfbridge.ProviderInfo) {
	for tfName, res := range prov.Resources {
		r, ok := prov.P.ResourcesMap().GetOk(tfName)
		if !ok {
			continue
		}
		if res.Fields == nil {
			res.Fields = map[string]*tfbridge.SchemaInfo{}
		}
		pinFieldNames(r.Schema(), res.Fields)
	}
}

// pinFieldNames pins one level of fields, then the fields of each nested block. Every name of a
// level is computed before any is written: the default for one field can depend on another's
// override (a pluralised name that would collide).
func pinFieldNames(sch shim.SchemaMap, fields map[string]*tfbridge.SchemaInfo) {
	names := map[string]string{}
	sch.Range(func(key string, _ shim.Schema) bool {
		names[key] = tfbridge.TerraformToPulumiNameV2(key, sch, fields)
		return true
	})
	for key, name := range names {
		info := fields[key]
		if info == nil {
			info = &tfbridge.SchemaInfo{}
			fields[key] = info
		}
		if info.Name == "" {
			info.Name = name
		}
		if block, ok := sch.Get(key).Elem().(shim.Resource); ok {
			if info.Elem == nil {
				info.Elem = &tfbridge.SchemaInfo{}
			}
			if info.Elem.Fields == nil {
				info.Elem.Fields = map[string]*tfbridge.SchemaInfo{}
			}
			pinFieldNames(block.Schema(), info.Elem.Fields)
		}
	}
}
