import { runGroup } from '../helpers/groups.js'

await runGroup(import.meta.url)
