import { useEffect, useState } from 'react'
import { Select } from 'antd'
import { useI18n } from '../../i18n'
import { api, type Page } from '../../api/client'
import { routes } from '../../api/routes'
import type { Row } from '../../components/records'

/** "姓名 · 学号" for a choice; two pupils may share a name. */
const studentLabel = (s: Row) => [s.name, s.studentNo].filter(Boolean).join(' · ')

/**
 * A student chosen by name or 学号, searched on the server (GET /students?q=, the caller's own
 * policy): the school's roster is never loaded whole into the page.
 */
export function StudentPicker({ value, onChange, id, initial }: { value?: string; onChange?: (v: string) => void; id?: string; initial?: Row }) {
  const { t } = useI18n()
  const [q, setQ] = useState('')
  const [options, setOptions] = useState<Row[]>(initial ? [initial] : [])
  useEffect(() => {
    if (!q.trim()) return
    const ctl = new AbortController()
    const timer = setTimeout(() => {
      api<Page<Row>>(routes.students, { query: { q: q.trim(), limit: 20, status: 'active' }, signal: ctl.signal })
        .then((p) => setOptions(p.items))
        .catch(() => undefined)
    }, 250)
    return () => { clearTimeout(timer); ctl.abort() }
  }, [q])
  return (
    <Select id={id} showSearch={{ filterOption: false, onSearch: setQ }} value={value} onChange={onChange} placeholder={t('psy.care.chooseStudentHelp')}
      notFoundContent={null} options={options.map((s) => ({ value: String(s.id), label: studentLabel(s) }))} data-testid="student-picker" />
  )
}
