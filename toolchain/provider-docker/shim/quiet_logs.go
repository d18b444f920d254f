package shim

import (
	"bytes"
	"context"
	"io"
	"log"
	"os"
	"strings"

	"github.com/hashicorp/terraform-plugin-sdk/v2/diag"
	"github.com/hashicorp/terraform-plugin-sdk/v2/helper/schema"
)

// withQuietLogs keeps the upstream provider's [TRACE], [DEBUG] and [INFO] log lines in the
// provider unless someone asked for them. The upstream writes them with the standard logger
// (every container read logs the container's whole inspect JSON), and the bridge points that
// logger at the engine before every call, so each line became a gRPC call carrying a captured
// stack trace, which the engine then shows only under `--debug`: 27 % of the provider's CPU and
// 6 % of the engine's in a 50-service deploy, on a machine whose cores the containers need.
// Asked for means TF_LOG set (the bridge's own switch for these lines) or the engine handing the
// plugin a verbosity (`-v=N --logflow`); [WARN] and [ERROR] lines always go through.
func withQuietLogs(p *schema.Provider) {
	if !quietLogsWanted(os.Getenv("TF_LOG"), os.Args[1:]) {
		return
	}
	for _, r := range p.ResourcesMap {
		quietResource(r)
	}
	for _, r := range p.DataSourcesMap {
		quietResource(r)
	}
}

// quietLogsWanted: no TF_LOG and no -v flag among the plugin's arguments.
func quietLogsWanted(tfLog string, args []string) bool {
	if tfLog != "" {
		return false
	}
	for _, a := range args {
		if strings.HasPrefix(a, "-v=") || strings.HasPrefix(a, "--v=") || a == "-v" || a == "--v" {
			return false
		}
	}
	return true
}

type crud = func(context.Context, *schema.ResourceData, interface{}) diag.Diagnostics

// quietResource filters the standard logger on entry to each of the resource's functions: the
// bridge sets a fresh, unfiltered writer at the start of every call it serves, before the
// resource's function runs.
func quietResource(r *schema.Resource) {
	wrap := func(f crud) crud {
		if f == nil {
			return nil
		}
		return func(ctx context.Context, d *schema.ResourceData, meta interface{}) diag.Diagnostics {
			quietStandardLogger()
			return f(ctx, d, meta)
		}
	}
	r.CreateContext = wrap(r.CreateContext)
	r.ReadContext = wrap(r.ReadContext)
	r.UpdateContext = wrap(r.UpdateContext)
	r.DeleteContext = wrap(r.DeleteContext)
}

// quietStandardLogger puts a levelFilter in front of the standard logger's writer, once.
func quietStandardLogger() {
	if _, done := log.Writer().(levelFilter); !done {
		log.SetOutput(levelFilter{log.Writer()})
	}
}

// levelFilter passes on the lines labelled [WARN] or [ERROR] (the logger writes one whole
// line per Write) and drops the rest, reporting them written.
type levelFilter struct{ next io.Writer }

func (f levelFilter) Write(p []byte) (int, error) {
	if bytes.Contains(p, []byte("[WARN] ")) || bytes.Contains(p, []byte("[ERROR] ")) {
		return f.next.Write(p)
	}
	return len(p), nil
}
