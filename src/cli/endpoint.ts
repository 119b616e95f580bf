import { loadConfig } from '../config/config.js';

/**
 * Where the CLI's client commands find the server: `--endpoint`, else AWS_ENDPOINT_URL_KENDRA (what
 * the AWS SDKs use), else the address the server's own configuration gives it (`--config` /
 * KENDRITE_CONFIG, KENDRITE_HOST, KENDRITE_PORT, else 127.0.0.1:4580), so `kendrite jobs` run
 * beside `kendrite serve` finds it whatever port it was given.
 */
export function resolveEndpoint(opts: { endpoint?: string; config?: string }, env: NodeJS.ProcessEnv = process.env): string {
  if (opts.endpoint) return opts.endpoint;
  if (env.AWS_ENDPOINT_URL_KENDRA) return env.AWS_ENDPOINT_URL_KENDRA;
  const { host, port } = loadConfig({ file: opts.config, env });
  return `http://${connectHost(host)}:${port}`;
}

/** A server bound to every address is reached on loopback. */
function connectHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
