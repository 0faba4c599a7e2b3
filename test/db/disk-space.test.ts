import Fastify from 'fastify'
import t from '../helpers/tap.js'
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod'
import { loadConfig } from '../../src/config.js'
import dbPlugin from '../../src/plugins/db.js'
import errorsPlugin from '../../src/plugins/errors.js'
import diskSpacePlugin from '../../src/plugins/disk-space.js'
import healthRoutes from '../../src/modules/health/routes.js'
import { freshDatabase } from '../helpers/database.js'
import { buildTestApp } from '../helpers/app.js'

const MB = 1_048_576
const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms))

/** A filesystem whose free space the test sets; counts the statfs calls. */
function fakeDisk(freeMb: number) {
  const disk = {
    freeMb,
    calls: 0,
    paths: [] as string[],
    missing: new Set<string>(),
    async statfs(path: string) {
      disk.calls++
      disk.paths.push(path)
      if (disk.missing.has(path)) throw Object.assign(new Error('no such folder'), { code: 'ENOENT' })
      return { bavail: Math.round(disk.freeMb * MB / 4096), bsize: 4096 }
    },
  }
  return disk
}

async function appOn(t: { teardown(fn: () => unknown): void }, disk: ReturnType<typeof fakeDisk>, ttlMs: number, floorMb = 200) {
  const { database, drop } = await freshDatabase()
  const app = Fastify()
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)
  await app.register(dbPlugin, { database: { ...database, kind: 'embedded', dataDir: '/srv/xinan/data/pgdata' }, config: loadConfig({ NODE_ENV: 'test' }) })
  await app.register(errorsPlugin)
  await app.register(diskSpacePlugin, { statfs: (p) => disk.statfs(p), ttlMs, floorMb })
  await app.register(healthRoutes)
  app.get('/probe', async () => ({ read: true }))
  app.post('/probe', async () => ({ wrote: true }))
  app.delete('/probe', async () => ({ deleted: true }))
  await app.ready()
  t.teardown(async () => { await app.close(); await drop() })
  return app
}

t.test('under the free-space floor writes answer 507 in the error shape, reads and /readyz go on, writes resume when space is back', async (t) => {
  const disk = fakeDisk(500)
  const app = await appOn(t, disk, 40)

  t.equal((await app.inject({ method: 'POST', url: '/probe' })).statusCode, 200, 'a write with room to spare')
  let ready = await app.inject('/readyz')
  t.equal(ready.statusCode, 200)
  t.same(ready.json().disk, { status: 'ok', freeMb: 500, floorMb: 200 })

  disk.freeMb = 150
  await sleep(60)
  for (const method of ['POST', 'DELETE'] as const) {
    const res = await app.inject({ method, url: '/probe' })
    t.equal(res.statusCode, 507, `${method} refused`)
    const body = res.json()
    t.ok(typeof body.requestId === 'string' && body.requestId.length > 0, 'with its requestId')
    t.same(body, { statusCode: 507, code: 'insufficient_storage', message: '服务器磁盘空间不足，暂时无法保存修改，请联系管理员清理磁盘（查看不受影响）', requestId: body.requestId })
  }
  const en = await app.inject({ method: 'POST', url: '/probe', headers: { 'accept-language': 'en' } })
  t.match(en.json().message, /low on disk space/, 'English on request')
  t.equal((await app.inject({ method: 'GET', url: '/probe' })).statusCode, 200, 'reads keep working')
  t.equal((await app.inject({ method: 'HEAD', url: '/probe' })).statusCode, 200)
  ready = await app.inject('/readyz')
  t.equal(ready.statusCode, 503, '/readyz reports not ready')
  t.same(ready.json().disk, { status: 'low', freeMb: 150, floorMb: 200 })
  t.equal(ready.json().status, 'not_ready')

  disk.freeMb = 201
  await sleep(60)
  t.equal((await app.inject({ method: 'POST', url: '/probe' })).statusCode, 200, 'writes resume once space is freed, without a restart')
  t.equal((await app.inject('/readyz')).statusCode, 200)
})

t.test('the check is cheap: one statfs per interval, whatever the number of requests; a missing folder is measured at its parent', async (t) => {
  const disk = fakeDisk(1000)
  disk.missing.add('/srv/xinan/data/pgdata')
  const app = await appOn(t, disk, 5000)
  const answers = await Promise.all(Array.from({ length: 50 }, () => app.inject({ method: 'POST', url: '/probe' })))
  t.same([...new Set(answers.map((a) => a.statusCode))], [200])
  t.equal(disk.calls, 2, '50 writes measured once (the folder, then its parent)')
  t.same(disk.paths, ['/srv/xinan/data/pgdata', '/srv/xinan/data'])
})

t.test('a probe error does not refuse writes; a floor of 0 turns the check off; a database without a folder is not watched', async (t) => {
  const broken = fakeDisk(0)
  broken.statfs = async () => { throw Object.assign(new Error('I/O error'), { code: 'EIO' }) }
  const app = await appOn(t, broken, 1000)
  t.equal((await app.inject({ method: 'POST', url: '/probe' })).statusCode, 200)
  t.same((await app.inject('/readyz')).json().disk, { status: 'ok', freeMb: null, floorMb: 200 })

  const off = fakeDisk(0)
  const offApp = await appOn(t, off, 1000, 0)
  t.equal((await offApp.inject({ method: 'POST', url: '/probe' })).statusCode, 200, 'floor 0: never refused')
  t.equal(off.calls, 0)

  const { app: full } = await buildTestApp(t)
  const r = await full.inject('/readyz')
  t.equal(r.json().disk.status, 'unwatched', 'the in-memory test database has no folder to watch')
})
