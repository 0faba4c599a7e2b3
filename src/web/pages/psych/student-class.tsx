import { useEffect, useState } from 'react'
import { lookup } from '../../components/StudentRef'

/** The class of a student, by name: from the same once-per-sign-in lookup StudentRef makes. */
export function StudentClass({ studentId, classNames }: { studentId: string; classNames: Map<string, string> }) {
  const [classId, setClassId] = useState<string | undefined>()
  useEffect(() => {
    let live = true
    void lookup(studentId).then((s) => { if (live && typeof s?.classId === 'string') setClassId(s.classId) })
    return () => { live = false }
  }, [studentId])
  return <span>{classId ? classNames.get(classId) ?? '—' : '—'}</span>
}

const byName = new Intl.Collator('zh-CN', { numeric: true })

/** The classes as choices, by name (the API's order is by id). */
export const classOptions = (classNames: Map<string, string>) =>
  [...classNames].map(([value, label]) => ({ value, label })).sort((a, b) => byName.compare(a.label, b.label))
