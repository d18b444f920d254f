// Image references: pinning and the override (mirror) map. Pure functions, tested directly.

/** True when a reference names a tag other than "latest", or a digest. */
export function isPinned(ref: string): boolean {
  if (ref.includes("@sha256:")) return true;
  const lastSlash = ref.lastIndexOf("/");
  const colon = ref.indexOf(":", lastSlash + 1);
  return colon > 0 && ref.slice(colon + 1) !== "latest" && ref.slice(colon + 1) !== "";
}

/** The repository part of a reference: everything before the tag or digest. */
export function repository(ref: string): string {
  const at = ref.indexOf("@");
  const noDigest = at >= 0 ? ref.slice(0, at) : ref;
  const lastSlash = noDigest.lastIndexOf("/");
  const colon = noDigest.indexOf(":", lastSlash + 1);
  return colon >= 0 ? noDigest.slice(0, colon) : noDigest;
}

/**
 * Applies the override map: an entry for the exact reference wins, then one for its repository.
 * This is how an air-gapped host (or the offline e2e suite) points official images at a mirror
 * or at locally built stand-ins without touching stack code.
 */
export function resolveImageRef(ref: string, overrides: Readonly<Record<string, string>> = {}): string {
  return overrides[ref] ?? overrides[repository(ref)] ?? ref;
}
