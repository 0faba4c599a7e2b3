import { checklistById } from './checklists/index.js'

/** Whether a code names an item of the (default) inspection checklist a 整改 problem is tied to. */
export function isChecklistItem(code: string): boolean {
  return checklistById()?.items.some((i) => i.code === code) ?? false
}
