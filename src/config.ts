import { z } from 'zod'

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')

const ConfigSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** postgres://… — when absent, the embedded PGlite database in DATA_DIR is used. */
  DATABASE_URL: z.string().url().optional(),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  /** Server mode: PostgreSQL cancels a statement running longer (answer 503 database_unavailable). */
  DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  /** Server mode: PostgreSQL ends a session left idle inside a transaction this long. */
  DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
  /** Server mode: opening a database connection gives up after this many seconds. */
  DB_CONNECT_TIMEOUT_S: z.coerce.number().int().min(1).max(300).default(5),
  /** Server mode: idle pooled connections are closed after this many seconds. */
  DB_IDLE_TIMEOUT_S: z.coerce.number().int().min(1).default(60),
  /** /readyz answers 503 when the database has not answered within this time. */
  READYZ_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(2000),
  /** After SIGTERM/SIGINT: how long requests already accepted may take before the process ends. */
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
  DATA_DIR: z.string().default('./data'),
  /** Embedded database: writes answer 507 while the data folder's filesystem has less free space than this (0 = off). */
  DISK_FREE_FLOOR_MB: z.coerce.number().int().min(0).default(200),
  JWT_SECRET: z.string().min(32).optional(),
  JWT_ISSUER: z.string().default('xinan'),
  JWT_AUDIENCE: z.string().default('xinan-api'),
  ACCESS_TOKEN_TTL_S: z.coerce.number().int().min(30).max(3600).default(900),
  REFRESH_TOKEN_TTL_DAYS: z.coerce.number().int().min(1).max(90).default(14),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
  UPLOAD_LIMIT_BYTES: z.coerce.number().int().min(1024).default(20 * 1_048_576),
  DEMO_PASSWORD: z.string().min(8).default('XinAn-demo-2026'),
  SEED_DEMO: bool.default(true),
  /** Failed sign-ins from one address on one account before each further try waits 1, 2, 4 … s (never a lock). */
  LOGIN_FREE_FAILS: z.coerce.number().int().min(1).default(5),
  /** Distinct accounts with unresolved failures from one address before new sign-ins from it are slowed. */
  LOGIN_ADDRESS_ACCOUNTS: z.coerce.number().int().min(2).default(20),
  /** The longest wait the growing sign-in delays reach, in seconds. */
  LOGIN_MAX_DELAY_S: z.coerce.number().int().min(1).max(86_400).default(300),
  /** How long a failed sign-in is remembered after it happened, in seconds. */
  LOGIN_FAIL_WINDOW_S: z.coerce.number().int().min(1).default(3600),
  // An IANA zone the runtime knows (the database knows the same names): a typo would fail every request.
  TZ_SCHOOL: z.string().default('Asia/Shanghai').refine((tz) => {
    try { new Intl.DateTimeFormat('en', { timeZone: tz }); return /^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/.test(tz) } catch { return false }
  }, 'an IANA time zone such as Asia/Shanghai'),
  /** Requests per client address per minute, all routes together (per-route limits are tighter). */
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  /** false | true | the proxy's address(es), comma-separated: whom to trust for the client address. */
  TRUST_PROXY: z.string().default('false'),
  /** The address people use to reach XinAn (printed QR codes and links); required for the QR poster in production. */
  PUBLIC_BASE_URL: z.string().url().optional(),
  /** Letters one school's box takes per hour from everyone together (each address: 5 per 10 minutes). */
  LETTERBOX_LETTERS_PER_HOUR: z.coerce.number().int().min(1).default(2000),
  /** Serve the API description (/docs, /docs/json, /docs/yaml) in production too; outside production it is always served. */
  DOCS_PUBLIC: bool.default(false),
  /** Scheduled jobs (src/jobs): off for one-off tools and for extra instances that should not schedule. */
  JOBS_ENABLED: bool.default(true),
  /**
   * A scheduled job's statement limit (SET LOCAL statement_timeout in the job's transaction, and
   * the server-mode watchdog waits as long): jobs span the whole district, requests do not.
   */
  JOB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).default(600_000),
  /** Days after a student left or graduated until the record is archived (guardians' contacts removed). */
  RETENTION_ARCHIVE_AFTER_DAYS: z.coerce.number().int().min(0).default(365),
  /** Days after a student left or graduated until every record of the student is purged. */
  RETENTION_PURGE_AFTER_DAYS: z.coerce.number().int().min(1).default(1825),
  /** Key material for the channel secrets (webhook URLs, signing secret, SMTP password, SMS key); HKDF-derived. */
  CHANNEL_SECRET_KEY: z.string().min(32).optional(),
  /** Or a file holding it (read once at the first use). */
  CHANNEL_SECRET_KEY_FILE: z.string().optional(),
  /**
   * Whether psychology teachers, school admins and district staff must use a second factor
   * (TOTP) where their school has not said: unset means on when NODE_ENV=production, off
   * otherwise. A school's own setting (schools.require_second_factor) wins over it.
   */
  REQUIRE_SECOND_FACTOR: bool.optional(),
  /** Key material for the sealed TOTP secrets (HKDF-derived); without it a key kept in the database is used. */
  SECOND_FACTOR_KEY: z.string().min(32).optional(),
  /** Or a file holding it (read once at the first use). */
  SECOND_FACTOR_KEY_FILE: z.string().optional(),
  /**
   * The master key of the free-text notes encryption (32 bytes, base64 or hex): it wraps each
   * school's data key. Without it (and without the file) a key is generated once and kept in
   * the database, which a full dump then carries: production should set one of the two.
   */
  NOTES_MASTER_KEY: z.string().optional(),
  /** Or a file holding it (base64 or hex text, or the 32 raw bytes). */
  NOTES_MASTER_KEY_FILE: z.string().optional(),
  /** The master key before a rotation: data keys still wrapped by it stay readable until `npm run keys -- rotate-master`. */
  NOTES_MASTER_KEY_PREVIOUS: z.string().optional(),
  NOTES_MASTER_KEY_PREVIOUS_FILE: z.string().optional(),
  /** Deliver the outbox (e-mail, SMS, group robots) from this process. */
  OUTBOX_ENABLED: bool.default(true),
  /** How often the delivery worker looks for due messages. */
  OUTBOX_POLL_MS: z.coerce.number().int().min(100).max(600_000).default(2000),
  /** Attempts of one message before it is given up (status dead). */
  OUTBOX_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
  /** First retry after about this many seconds; each further one waits twice as long (with jitter). */
  OUTBOX_RETRY_BASE_S: z.coerce.number().int().min(1).default(30),
  /** Longest wait between two attempts. */
  OUTBOX_RETRY_MAX_S: z.coerce.number().int().min(1).default(3600),
  /** One send (HTTP request or SMTP session) gives up after this long. */
  OUTBOX_SEND_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  CRISIS_ACK_MINUTES: z.coerce.number().int().min(1).max(1440).default(30),
  /** Spreadsheet imports (roster, screening results): data rows with content per file. */
  IMPORT_MAX_ROWS: z.coerce.number().int().min(1).default(50_000),
  /** Width of the header row; 256 leaves room for long instruments (SCL-90) beside 学号 and 姓名. */
  IMPORT_MAX_COLUMNS: z.coerce.number().int().min(1).max(16_384).default(256),
  /** Data rows × header width. */
  IMPORT_MAX_CELLS: z.coerce.number().int().min(1).default(1_500_000),
  /** Sum of the inflated sizes of an .xlsx archive's entries, checked before anything is inflated. */
  IMPORT_MAX_INFLATED_MB: z.coerce.number().int().min(1).default(100),
  /** Inflated ÷ uploaded size of an .xlsx (zip bombs), checked once it inflates beyond 8 MB. */
  IMPORT_MAX_RATIO: z.coerce.number().int().min(2).default(100),
  /** Heap of the worker thread that parses uploads; a file needing more is refused, the process lives on. */
  IMPORT_WORKER_HEAP_MB: z.coerce.number().int().min(64).default(512),
  IMPORT_PARSE_TIMEOUT_S: z.coerce.number().int().min(1).default(60),
})

export type Config = z.infer<typeof ConfigSchema> & { jwtSecret: string }

/** The deployment's default for a second factor where a school has not chosen (see REQUIRE_SECOND_FACTOR). */
export function secondFactorByDefault(config: Pick<Config, 'NODE_ENV' | 'REQUIRE_SECOND_FACTOR'>): boolean {
  return config.REQUIRE_SECOND_FACTOR ?? config.NODE_ENV === 'production'
}

/** The only reader of process.env: everything else takes its settings from Config. */
export function loadConfig(env: Record<string, string | undefined> = process.env, overrides: Partial<Config> = {}): Config {
  const parsed = ConfigSchema.safeParse(env)
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')
    throw new Error(`Invalid configuration: ${issues}`)
  }
  const cfg = parsed.data
  if (cfg.NODE_ENV === 'production' && !cfg.JWT_SECRET) {
    throw new Error('Invalid configuration: JWT_SECRET is required when NODE_ENV=production')
  }
  return { ...cfg, jwtSecret: cfg.JWT_SECRET ?? '', ...overrides }
}
