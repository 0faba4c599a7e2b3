import t from '../helpers/tap.js'
import { browserAvailable } from './harness.js'
import { scanEveryScreen } from './screen-scan.js'

/** No code words on any screen, in English (screen-scan.ts); text-scan.test.ts reads the Chinese ones. */
if (browserAvailable(t)) await scanEveryScreen(t, 'en')
