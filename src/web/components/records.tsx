import { Table, type TableProps } from 'antd'
import { useI18n } from '../i18n'
import { asText } from '../i18n/format'
import { FieldValue, fieldLabel } from './common'
import { useApi } from '../api/hooks'
import type { Page } from '../api/client'

export type Row = Record<string, unknown>

/**
 * A table of records as the API returned them: a column for each of `order` that appears in
 * at least one row (so a role that cannot read a field sees no empty column for it) and has a
 * label — never a column headed by a field's code (test/web/labels.test.ts checks every
 * `order` in the client). `resource` names the records' policy resource, so each value gets
 * the labels of that resource's field (a case's `state` is not a referral's).
 */
export function RecordTable({ rows, order, extra, onOpen, ...rest }: {
  rows: Row[]
  order: string[]
  extra?: TableProps<Row>['columns']
  onOpen?: (row: Row) => void
  enums?: Record<string, string>
  resource?: string
  render?: Record<string, (v: unknown, row: Row) => React.ReactNode>
  /** Column titles where the shared field label does not fit (a campaign's `name` is not a person's 姓名). */
  titles?: Record<string, string>
} & Omit<TableProps<Row>, 'columns' | 'dataSource'>) {
  const { t } = useI18n()
  const { enums, render, titles, resource, ...tableProps } = rest
  const present = order
    .filter((k) => rows.some((r) => k in r))
    .map((k) => [k, titles?.[k] ?? fieldLabel(t, k)] as const)
    .filter((c): c is readonly [string, string] => c[1] !== null)
  const columns: TableProps<Row>['columns'] = present.map(([k, title]) => ({
    key: k,
    dataIndex: k,
    title,
    render: (v: unknown, row: Row) => (render?.[k] ? render[k](v, row) : <FieldValue name={k} value={v} enumPrefix={enums?.[k]} resource={resource} />),
  }))
  return (
    <Table<Row>
      size="small"
      rowKey={(r) => asText(r.id) || JSON.stringify(r)}
      dataSource={rows}
      columns={[...columns, ...(extra ?? [])]}
      pagination={rows.length > 20 ? { pageSize: 20, showSizeChanger: false } : false}
      scroll={{ x: 'max-content' }}
      // Click anywhere on a row for the mouse; keyboard users reach the link inside the row.
      onRow={onOpen ? (row) => ({ onClick: () => onOpen(row), style: { cursor: 'pointer' } }) : undefined}
      {...tableProps}
    />
  )
}

/** id → name of the classes the caller may list (for showing a class by name). */
export function useClassNames(enabled = true): Map<string, string> {
  const classes = useApi<Page<Row>>(enabled ? '/classes' : null, { limit: 500 })
  const map = new Map<string, string>()
  for (const c of classes.data?.items ?? []) if (typeof c.id === 'string' && typeof c.name === 'string') map.set(c.id, c.name)
  return map
}
