/**
 * The host key of a URL: lower-case hostname, plus ":port" only when the port is not the
 * scheme's default. Origins, PR URLs and the configuration all compare hosts this way.
 */
export function hostKey(url: URL): string {
  // URL already lower-cases the hostname and drops a default port.
  return url.port ? `${url.hostname}:${url.port}` : url.hostname;
}

/** Loopback hosts may be served over plain http (tests, local tunnels); others may not. */
export function isLoopbackHostname(hostname: string): boolean {
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]';
}
