import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

export type Lang = 'zh-CN' | 'en'
type Table = Record<string, string>

/**
 * The report's exports name roles, actions, data and fields in words from the web client's own
 * catalogue (src/web/i18n), the one place those words are kept and checked
 * (test/web/labels.test.ts): the printed report says what the screen says. Loaded once, at the
 * first export; a computed path keeps the server's typecheck out of the client's modules. The
 * client's modules import each other without extensions (bundler resolution): a process whose
 * loader does not resolve those loads the catalogue through tsx's own resolution instead.
 */
const CATALOGUE = pathToFileURL(resolve(import.meta.dirname, '../../web/i18n/messages.ts')).href
let tables: Promise<Record<Lang, Table>> | undefined

async function importCatalogue(): Promise<{ zhCN: Table; en: Table }> {
  try {
    return await import(CATALOGUE) as { zhCN: Table; en: Table }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw err
    const { tsImport } = await import('tsx/esm/api')
    return await tsImport(CATALOGUE, import.meta.url) as { zhCN: Table; en: Table }
  }
}

export function loadLabels(): Promise<Record<Lang, Table>> {
  return (tables ??= importCatalogue().then((m) => ({ 'zh-CN': m.zhCN, en: m.en })))
}

/** Words for the report's codes in one language; a code without words is never printed as it is. */
export class Labeller {
  constructor(private readonly table: Table) {}

  t(key: string, params: Record<string, string | number> = {}): string {
    return (this.table[key] ?? this.table['common.unlabelled'] ?? '').replace(/\{(\w+)\}/g, (_, k: string) => String(params[k] ?? ''))
  }

  has(key: string): boolean { return this.table[key] !== undefined }

  /** One role, or a system job (job:retention). */
  role(code: string): string {
    if (code.startsWith('job:')) {
      const key = `compliance.job.${code.slice(4)}`
      return this.has(key) ? this.t(key) : this.t('compliance.job')
    }
    return this.has(`role.${code}`) ? this.t(`role.${code}`) : this.t('compliance.unknownRole')
  }

  /** The roles an audit row names ("psych_teacher,mentor"), in words. */
  roles(codes: string): string {
    return codes.split(',').filter(Boolean).map((r) => this.role(r)).join('、') || this.t('compliance.unknownRole')
  }

  resource(code: string): string { return this.t(`resource.${code}`) }
  action(code: string): string { return this.t(`auditAction.${code}`) }
  outcome(code: string): string { return this.t(`auditOutcome.${code}`) }
  scope(code: string): string { return this.t(`scope.${code}`) }
  /** A field group in words: the record's own words for it first (fieldGroup.<resource>.<group>), then the common ones. */
  group(resource: string, code: string): string {
    return this.has(`fieldGroup.${resource}.${code}`) ? this.t(`fieldGroup.${resource}.${code}`) : this.t(`fieldGroup.${code}`)
  }
  field(code: string): string { return this.t(`field.${code}`) }
  purpose(p: string | null): string { return p ?? this.t('compliance.noPurpose') }
}

export async function labeller(lang: Lang = 'zh-CN'): Promise<Labeller> {
  return new Labeller((await loadLabels())[lang])
}
