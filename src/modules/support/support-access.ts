/** Transitional: the support module's scope helper lives in ./scope.ts; remove once nothing imports this file. */
export { mentorOwnRows } from './scope.js'
