// Loaded with --import by the test runner (.taprc): registers test/helpers/ts-hooks.mjs.
import { register } from 'node:module'

register('./ts-hooks.mjs', import.meta.url)
