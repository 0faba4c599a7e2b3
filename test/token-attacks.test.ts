import t from './helpers/tap.js'
import { createHmac, randomBytes, randomUUID } from 'node:crypto'
import { sharedTestApp, createSchool, createUser, login } from './helpers/app.js'

const ME = '/api/v1/auth/me'
const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url')

/** A JWT built by hand, so every field (alg, claims, key) can be chosen by the attacker. */
function craft(header: Record<string, unknown>, payload: Record<string, unknown>, secret: string, hmac: 'sha256' | 'sha512' = 'sha256'): string {
  const input = `${b64(header)}.${b64(payload)}`
  return `${input}.${createHmac(hmac, secret).update(input).digest('base64url')}`
}

t.test('forged and malformed access tokens are refused', async (t) => {
  const { app, database, config } = await sharedTestApp()
  const school = await createSchool(database)
  const victim = await createUser(database, school, [{ role: 'psych_teacher' }])
  const attacker = await createUser(database, school, [{ role: 'peer_monitor', classId: school.classIds[0] }])
  const real = await login(app, attacker.username)
  const victimLogin = await login(app, victim.username)
  const [h, p, s] = real.accessToken.split('.') as [string, string, string]
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>
  const now = Math.floor(Date.now() / 1000)
  const good = { sub: attacker.id, sid: claims.sid, iat: now, exp: now + 600, iss: config.JWT_ISSUER, aud: config.JWT_AUDIENCE }
  const hs256 = { alg: 'HS256', typ: 'JWT' }

  const call = (authorization?: string) =>
    app.inject({ method: 'GET', url: ME, headers: authorization === undefined ? {} : { authorization } })

  // Controls: the issued token, and a hand-made one with the right key and claims, both work,
  // so every refusal below is about the one thing changed.
  const control = await call(`Bearer ${real.accessToken}`)
  t.equal(control.statusCode, 200, 'issued token works')
  t.equal(control.json().id, attacker.id)
  const handmade = await call(`Bearer ${craft(hs256, good, config.jwtSecret)}`)
  t.equal(handmade.statusCode, 200, 'hand-made token with the right key works (the crafting is sound)')
  t.equal(handmade.json().id, attacker.id)
  t.equal(JSON.parse(Buffer.from(h, 'base64url').toString('utf8')).alg, 'HS256', 'issued with HS256')
  t.equal(claims.iss, config.JWT_ISSUER)
  t.equal(claims.aud, config.JWT_AUDIENCE)

  const victimSid = JSON.parse(Buffer.from(victimLogin.accessToken.split('.')[1]!, 'base64url').toString('utf8')).sid as string

  const attacks: Array<[string, string | undefined]> = [
    ['no Authorization header', undefined],
    ['empty Authorization header', ''],
    ['Bearer with nothing after it', 'Bearer '],
    ['Basic scheme', `Basic ${Buffer.from('a:b').toString('base64')}`],
    ['token without scheme', real.accessToken],
    ['garbage bearer', 'Bearer not-a-jwt-at-all'],
    ['garbage three-part bearer', 'Bearer aaa.bbb.ccc'],
    ['alg none, no signature', `Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${b64(good)}.`],
    ['alg none, real signature kept', `Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${b64(good)}.${s}`],
    ['signed with a different secret', `Bearer ${craft(hs256, good, randomBytes(32).toString('hex'))}`],
    ['expired', `Bearer ${craft(hs256, { ...good, iat: now - 3600, exp: now - 60 }, config.jwtSecret)}`],
    ['not yet valid (nbf in the future)', `Bearer ${craft(hs256, { ...good, nbf: now + 3600 }, config.jwtSecret)}`],
    ['wrong audience', `Bearer ${craft(hs256, { ...good, aud: 'some-other-api' }, config.jwtSecret)}`],
    ['wrong issuer', `Bearer ${craft(hs256, { ...good, iss: 'evil-issuer' }, config.jwtSecret)}`],
    ['tampered payload: sub changed, signature kept', `Bearer ${h}.${b64({ ...claims, sub: victim.id })}.${s}`],
    ['tampered payload: sub and sid changed, signature kept', `Bearer ${h}.${b64({ ...claims, sub: victim.id, sid: victimSid })}.${s}`],
    ['HS512 with the right secret', `Bearer ${craft({ alg: 'HS512', typ: 'JWT' }, good, config.jwtSecret, 'sha512')}`],
    ['header says HS512, signature is HS256', `Bearer ${craft({ alg: 'HS512', typ: 'JWT' }, good, config.jwtSecret)}`],
    ['missing sid claim', `Bearer ${craft(hs256, { ...good, sid: undefined }, config.jwtSecret)}`],
    ['missing exp claim', `Bearer ${craft(hs256, { ...good, exp: undefined }, config.jwtSecret)}`],
    ['missing iss claim', `Bearer ${craft(hs256, { ...good, iss: undefined }, config.jwtSecret)}`],
    ['sid not a uuid', `Bearer ${craft(hs256, { ...good, sid: 'x' }, config.jwtSecret)}`],
    ['sub not a uuid', `Bearer ${craft(hs256, { ...good, sub: 'admin' }, config.jwtSecret)}`],
    ['sid of a session that does not exist', `Bearer ${craft(hs256, { ...good, sid: randomUUID() }, config.jwtSecret)}`],
    // Even with the signing key, a token cannot borrow another user's live session.
    ['right key, victim sub on the attacker session', `Bearer ${craft(hs256, { ...good, sub: victim.id }, config.jwtSecret)}`],
    ['right key, attacker sub on the victim session', `Bearer ${craft(hs256, { ...good, sid: victimSid }, config.jwtSecret)}`],
  ]

  for (const [name, authorization] of attacks) {
    const res = await call(authorization)
    t.equal(res.statusCode, 401, `${name}: 401`)
    const body = res.json()
    t.ok(['invalid_token', 'unauthorized'].includes(body.code), `${name}: code ${body.code}`)
    t.same(Object.keys(body).sort(), ['code', 'message', 'requestId', 'statusCode'], `${name}: error shape only`)
    t.notOk(body.id, `${name}: no user data`)
  }

  // After all that the real tokens still work: nothing above changed server state.
  t.equal((await call(`Bearer ${real.accessToken}`)).statusCode, 200)
  t.equal((await call(`Bearer ${victimLogin.accessToken}`)).json().id, victim.id)
})
