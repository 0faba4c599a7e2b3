import { networkInterfaces } from 'node:os'

export interface BannerInput {
  /** What app.listen answered, e.g. http://127.0.0.1:3000 (for a server bound to 0.0.0.0 too). */
  address: string
  /** The HOST it was asked to bind. */
  host: string
  publicBaseUrl?: string | undefined
  docsServed: boolean
}

/** The machine's own IPv4 addresses other than loopback: where a LAN reaches a server bound to every interface. */
function lanAddresses(): string[] {
  return Object.values(networkInterfaces()).flat()
    .filter((n) => n !== undefined && n.family === 'IPv4' && !n.internal)
    .map((n) => n!.address)
}

/**
 * The start-up banner: where to open the web client and the API docs. A server
 * bound to every interface (0.0.0.0, ::) is not reachable at that address: it names
 * localhost and each LAN address instead.
 */
export function startupBanner({ address, host, publicBaseUrl, docsServed }: BannerInput, lan: () => string[] = lanAddresses): string {
  const url = new URL(address)
  const wildcard = ['0.0.0.0', '::', '[::]'].includes(host)
  const bases = publicBaseUrl
    ? [publicBaseUrl.replace(/\/+$/, '')]
    : wildcard
      ? [`${url.protocol}//localhost:${url.port}`, ...lan().map((ip) => `${url.protocol}//${ip}:${url.port}`)]
      : [address.replace(/\/+$/, '')]
  const lines = ['', `  XinAn 心安: ${bases.map((b) => `${b}/`).join('  ')}`]
  // The description of every route is not served in production unless DOCS_PUBLIC says so (plugins/swagger.ts).
  if (docsServed) lines.push(`  API docs: ${bases[0]}/docs`)
  return `${lines.join('\n')}\n`
}
