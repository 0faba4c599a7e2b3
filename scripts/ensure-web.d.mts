/** Builds dist/web when missing (or, with ifStale, older than src/web); true when it built. */
export function ensureWeb(opts?: { ifStale?: boolean; optional?: boolean }): Promise<boolean>
