import type { Server } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyRequest } from 'fastify'
import { normalizeIP } from '@fastify/rate-limit'

const peer = Symbol('xinan.peerAddress')
type Remembering = Socket & { [peer]?: string }

/**
 * A socket forgets its address once destroyed, so a request whose client hung up before the
 * rate limiter ran had `req.ip` undefined: the limiter's key function threw a TypeError (logged
 * as an unhandled 500) and the request was never counted. The address is kept from the moment
 * the connection opens.
 */
export function rememberPeerAddress(server: Server): void {
  server.on('connection', (socket: Remembering) => {
    socket[peer] = socket.remoteAddress
  })
}

/** The limiter's key: the client address (through TRUST_PROXY), or the connection's remembered one. */
export function rateLimitKey(req: FastifyRequest): string {
  let ip: string | undefined
  try {
    ip = req.ip
  } catch {
    // proxy-addr cannot resolve a destroyed socket; fall through to the remembered address.
  }
  ip ??= (req.raw.socket as Remembering | undefined)?.[peer]
  // Not even a remembered address (a socket that never connected): one shared, limited key.
  return ip ? normalizeIP(ip) : 'unknown-peer'
}
