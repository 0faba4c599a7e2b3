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
