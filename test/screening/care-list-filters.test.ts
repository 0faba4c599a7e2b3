import t from '../helpers/tap.js'
import { GAD7_ID, openCampaign, screeningWorld } from './fixtures.js'

t.test('关注名单 filters: risk level, class, source, words of the reason', async (t) => {
  const w = await screeningWorld()
  const { psych, psychB, homeroom, call } = w
  const c = await openCampaign(w, psych)
  const a = await w.pupil(w.A, w.A.classIds[0])
  const b = await w.pupil(w.A, w.A.classIds[1])
  const d = await w.pupil(w.A, w.A.classIds[0])
  const r = (await call(psych, 'POST', `/api/v1/screening/campaigns/${c.id}/responses`, { studentId: a.id, instrumentId: GAD7_ID, answers: [2, 2, 2, 2, 2, 1, 1] })).json()
  const add = async (id: string, body: Record<string, unknown>) => {
    const res = await call(psych, 'POST', `/api/v1/students/${id}/care-list`, body)
    if (res.statusCode !== 201) throw new Error(res.body)
    return res.json().id as string
  }
  const ea = await add(a.id, { riskLevel: 'orange', reason: '测评中度焦虑，近期失眠', sourceResponseId: r.id })
  const eb = await add(b.id, { riskLevel: 'yellow', reason: '家长反映在家话少' })
  const ed = await add(d.id, { riskLevel: 'orange', reason: '同伴预警后面谈' })
  await call(psych, 'POST', `/api/v1/care-list/${ed}/remove`, { removedReason: '复评正常' })
  const ids = async (who: typeof psych, q: string) => {
    const res = await call(who, 'GET', `/api/v1/care-list?${q}`)
    t.equal(res.statusCode, 200, `${q}: ${res.body.slice(0, 200)}`)
    return (res.json().items as Array<{ id: string }>).map((i) => i.id).sort()
  }

  t.same(await ids(psych, 'riskLevel=orange'), [ea], 'active entries at that level')
  t.same(await ids(psych, 'riskLevel=orange&state=all'), [ea, ed].sort(), 'with the removed one')
  t.same(await ids(psych, `classId=${w.A.classIds[1]}`), [eb], 'one class')
  t.same(await ids(psych, `classId=${w.A.classIds[0]}&state=removed`), [ed])
  t.same(await ids(psych, 'source=screening'), [ea], 'from a screening')
  t.same(await ids(psych, 'source=manual'), [eb], 'by hand')
  t.same(await ids(psych, `q=${encodeURIComponent('失眠')}`), [ea], 'words of the reason')
  t.same(await ids(psych, `q=${encodeURIComponent('没有这句')}`), [])
  t.same(await ids(psychB, `classId=${w.A.classIds[1]}`), [], 'another school’s class matches nothing')
  t.equal((await call(psych, 'GET', '/api/v1/care-list?riskLevel=purple')).statusCode, 400)

  // The homeroom teacher reads neither the risk nor the reason: filtering by them is refused, not answered.
  t.equal((await call(homeroom, 'GET', '/api/v1/care-list?riskLevel=orange')).statusCode, 400, 'no filtering by a hidden field')
  t.equal((await call(homeroom, 'GET', `/api/v1/care-list?q=${encodeURIComponent('失眠')}`)).statusCode, 400)
  t.same(await ids(homeroom, `classId=${w.A.classIds[0]}`), [ea], 'own class by class')
  t.same(await ids(homeroom, `classId=${w.A.classIds[1]}`), [], 'another class: nothing')
})
