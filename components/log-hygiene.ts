// The Node.js SDK (3.248.0) logs every resource RPC's raw response at debug level
// ("RegisterResource RPC finished: …; resp: <the resource's outputs>"), secret values in
// plaintext included. Debug diagnostics are hidden in the text display but are events of
// `pulumi up --json`, of `--debug`, and of the Automation API's event stream: a secret the program
// keeps out of state and outputs would land in CI logs. The reliability suite found it; this drops
// exactly those messages (the request-side "prepared" lines print names only and stay).
import type * as logModule from "@pulumi/pulumi/log";

const RPC_PAYLOAD = /^(RegisterResource|RegisterResourceOutputs|ReadResource|getResource Invoke|Invoke|Call) RPC finished/;

/** Call once, before any resource is registered. */
export function dropRpcPayloadDebugLogs(): void {
  // The SDK's runtime calls log.debug through this module object, so replacing the export is seen.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require("@pulumi/pulumi/log") as { debug: typeof logModule.debug };
  const original = mod.debug;
  if ((original as { rpcPayloadsDropped?: boolean }).rpcPayloadsDropped) return;
  const filtered: typeof logModule.debug = (msg, ...rest) => (RPC_PAYLOAD.test(msg) ? Promise.resolve() : original(msg, ...rest));
  (filtered as { rpcPayloadsDropped?: boolean }).rpcPayloadsDropped = true;
  mod.debug = filtered;
}
