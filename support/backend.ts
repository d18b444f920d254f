// The URL of a Pulumi file backend in a directory, for the tests and the benchmark: without the
// metadata sidecars a killed pulumi can leave empty (see file_backend_url in scripts/lib/common.sh,
// the same rule for the scripts).
export function fileBackendUrl(dir: string): string {
  return `file://${dir}?metadata=skip`;
}

