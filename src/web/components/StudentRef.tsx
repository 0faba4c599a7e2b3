import { useEffect, useState } from 'react'
import { Link } from 'react-router'
import { useI18n } from '../i18n'
import { api, onSession } from '../api/client'
import { routes } from '../api/routes'
import type { Row } from './records'

// Names looked up by id, once per sign-in: each lookup is an ordinary, audited GET /students/:id,
// answered (or refused with 404) by the caller's own policy.
const cache = new Map<string, Promise<Row | null>>()
onSession(() => cache.clear())

/** The student record by id, looked up once per sign-in (shared with other screens that need its class). */
export function lookup(id: string): Promise<Row | null> {
  let hit = cache.get(id)
  if (!hit) {
    hit = api<Row>(routes.student(id)).catch(() => null)
    cache.set(id, hit)
  }
  return hit
}

/**
 * The student a record is about. Records carry a student id; the name comes from the record
 * itself when the API embeds it, else from the student record the caller may read.
 */
export function StudentRef({ row, link = true }: { row: Row; link?: boolean }) {
  const { t } = useI18n()
  const embedded = row.student && typeof row.student === 'object' ? (row.student as Row) : undefined
  const id = typeof row.studentId === 'string' ? row.studentId : typeof embedded?.id === 'string' ? embedded.id : undefined
  const given = (row.studentName ?? embedded?.name) as string | undefined
  const [fetched, setFetched] = useState<Row | null>(null)
  useEffect(() => {
    if (given || !id) return
    let live = true
    void lookup(id).then((s) => { if (live) setFetched(s) })
    return () => { live = false }
  }, [id, given])
  const name = given ?? (fetched?.name as string | undefined)
  const no = (row.studentNo ?? embedded?.studentNo ?? fetched?.studentNo) as string | undefined
  const text = [name, no].filter(Boolean).join(' · ') || t('common.student')
  if (!link || !id) return <span data-student-ref>{text}</span>
  return <Link to={`/students/${id}`} data-student-ref>{text}</Link>
}
