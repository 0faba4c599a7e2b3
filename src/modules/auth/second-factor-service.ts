import { eq } from 'drizzle-orm'
import { users } from '../../../db/schema/index.js'
import type { Config } from '../../config.js'
import { secondFactorByDefault } from '../../config.js'
import type { Database, Executor } from '../../db/database.js'
import type { Actor } from '../../access/roles.js'
import { appendAudit as appendAuditIn, type AuditEvent, type AuditOutcome } from '../../audit/audit.js'
import { AppError, Conflict, Validation } from '../../lib/errors.js'
import * as repo from './repository.js'
import type { CodeThrottle } from './second-factor-throttle.js'
import { hashRecoveryCode, newRecoveryCodes, newTotpSecret, otpauthUri, totpSealerFor, totpStep } from './totp.js'

/** 429 with the seconds to wait (Retry-After too). */
export class CodeThrottled extends AppError {
  constructor(readonly retryAfterS: number) { super(429, 'second_factor_throttled', { seconds: retryAfterS }) }
}

/** What proves the second factor: a code from the app, or one of the recovery codes. */
export interface Proof {
  code?: string | undefined
  recoveryCode?: string | undefined
}

export type ProofMethod = 'totp' | 'recovery_code'

export interface SecondFactorStatus {
  enabled: boolean
  enabledAt: Date | null
  /** The school (or the deployment) requires one for this account. */
  required: boolean
  recoveryCodesLeft: number
}

type UserRow = typeof users.$inferSelect

export interface SecondFactorDeps {
  database: Database
  config: Config
  codes: CodeThrottle
  /** Appends audit rows outside any transaction (a wrong code changes nothing to commit with). */
  appendAudit: (events: AuditEvent[]) => Promise<void>
}

/**
 * The second factor of an account: enrolment, its status, recovery codes, and checking a code.
 * Audit rows name resource `second_factor` and the account: C an enrolment, U a use (the field
 * group says how and why: totp or recovery_code, login or step_up) or new recovery codes, D an
 * admin's reset, `denied` a wrong, replayed or throttled code. Ids and group names only.
 */
export function createSecondFactorService({ database, config, codes, appendAudit }: SecondFactorDeps) {
  const { db } = database
  const byDefault = secondFactorByDefault(config)
  const sealer = () => totpSealerFor(config, database)

  function event(user: Pick<UserRow, 'id' | 'schoolId'>, action: AuditEvent['action'], groups: string[], requestId: string,
    actor?: Actor, outcome: AuditOutcome = 'ok'): AuditEvent {
    return {
      actorId: actor?.userId ?? user.id,
      roles: actor ? actor.roles.map((r) => r.role).join(',') : '',
      action, resource: 'second_factor', recordIds: [user.id], fieldGroups: groups, outcome, requestId,
      schoolId: user.schoolId,
    }
  }

  async function issueRecoveryCodes(ex: Executor, userId: string): Promise<string[]> {
    const fresh = newRecoveryCodes()
    await repo.replaceRecoveryCodes(ex, userId, fresh.map(hashRecoveryCode))
    return fresh
  }

  return {
    requiredFor: (userId: string) => repo.secondFactorRequired(db, userId, byDefault),

    async status(userId: string): Promise<SecondFactorStatus> {
      const user = await repo.findUserById(db, userId)
      return {
        enabled: !!user?.totpEnabledAt,
        enabledAt: user?.totpEnabledAt ?? null,
        required: await repo.secondFactorRequired(db, userId, byDefault),
        recoveryCodesLeft: user?.totpEnabledAt ? await repo.recoveryCodesLeft(db, userId) : 0,
      }
    },

    /**
     * Checks a proof for the account, throttled per account (and per sign-in challenge). A code is
     * taken once: its time step must be later than the last one accepted. A recovery code is used
     * up. Failures are audited as denied and answer 400 wrong_second_factor (or 429).
     */
    async verify(user: UserRow, proof: Proof, purpose: 'login' | 'step_up', requestId: string,
      opts: { challengeId?: string; actor?: Actor } = {}): Promise<ProofMethod> {
      const method: ProofMethod = proof.code !== undefined ? 'totp' : 'recovery_code'
      const verdict = codes.attempt(user.id, opts.challengeId)
      if (!verdict.ok) {
        if (verdict.reason === 'challenge') throw new AppError(429, 'second_factor_sign_in_again')
        if (verdict.report) await appendAudit([event(user, 'denied', [method, purpose, 'throttled'], requestId, opts.actor, 'denied')])
        throw new CodeThrottled(verdict.retryAfterS)
      }
      let ok = false
      let why = 'wrong_code'
      if (user.totpEnabledAt) {
        if (proof.code !== undefined) {
          const secret = (await sealer()).open(user.totpSecret, user.id)
          const step = secret ? totpStep(secret, proof.code) : null
          if (step !== null) {
            ok = await repo.claimTotpStep(db, user.id, step)
            if (!ok) why = 'replayed'
          }
        } else if (proof.recoveryCode !== undefined) {
          ok = await repo.useRecoveryCode(db, user.id, hashRecoveryCode(proof.recoveryCode))
        }
      }
      if (!ok) {
        codes.failed(user.id)
        await appendAudit([event(user, 'denied', [method, purpose, why], requestId, opts.actor, 'denied')])
        throw new Validation(proof.code !== undefined ? 'wrong_second_factor' : 'wrong_recovery_code')
      }
      codes.succeed(user.id, opts.challengeId)
      return method
    },

    /** The audit row of a successful use, to append in the transaction that records its effect. */
    useEvent: (user: Pick<UserRow, 'id' | 'schoolId'>, method: ProofMethod | 'password', purpose: 'login' | 'step_up', requestId: string, actor?: Actor) =>
      event(user, 'U', [method, purpose], requestId, actor),

    /**
     * Starts (or restarts) an enrolment: a new secret, sealed on the account but not in force
     * until a first code confirms it. Shown once, as the otpauth:// address for the QR code and
     * as text to type in. An account that has one must have it reset first.
     */
    async startEnrolment(actor: Actor): Promise<{ secret: string; otpauthUri: string }> {
      const user = await repo.findUserById(db, actor.userId)
      if (!user) throw new Validation()
      if (user.totpEnabledAt) throw new Conflict('second_factor_already_enabled')
      const secret = newTotpSecret()
      await db.update(users).set({ totpSecret: (await sealer()).seal(secret, user.id), totpLastStep: null }).where(eq(users.id, user.id))
      return { secret, otpauthUri: otpauthUri(secret, user.username) }
    },

    /**
     * The first code from the app proves it holds the secret: the factor is in force from now,
     * this login counts as having proved it, and ten recovery codes are made (shown this once).
     */
    async confirmEnrolment(actor: Actor, code: string, requestId: string): Promise<{ recoveryCodes: string[] }> {
      const user = await repo.findUserById(db, actor.userId)
      if (!user) throw new Validation()
      if (user.totpEnabledAt) throw new Conflict('second_factor_already_enabled')
      const secret = (await sealer()).open(user.totpSecret, user.id)
      if (!secret) throw new Conflict('second_factor_not_started')
      const verdict = codes.attempt(user.id)
      if (!verdict.ok) throw new CodeThrottled(verdict.reason === 'account' ? verdict.retryAfterS : 1)
      const step = totpStep(secret, code)
      if (step === null) {
        codes.failed(user.id)
        await appendAudit([event(user, 'denied', ['totp', 'enrolment', 'wrong_code'], requestId, actor, 'denied')])
        throw new Validation('wrong_second_factor')
      }
      codes.succeed(user.id)
      return db.transaction(async (tx) => {
        await tx.update(users).set({ totpEnabledAt: new Date(), totpLastStep: step }).where(eq(users.id, user.id))
        // Whoever had to enrol is let through from the next request on.
        await repo.bumpAuthEpoch(tx, user.id)
        await repo.markSessionProved(tx, actor.sessionId)
        const recoveryCodes = await issueRecoveryCodes(tx, user.id)
        await appendAuditIn(tx, event(user, 'C', ['totp', 'recovery_codes'], requestId, actor))
        return { recoveryCodes }
      })
    },

    /** New recovery codes replace every old one (shown once). The route asks for a recent step-up. */
    async regenerateRecoveryCodes(actor: Actor, requestId: string): Promise<{ recoveryCodes: string[] }> {
      const user = await repo.findUserById(db, actor.userId)
      if (!user?.totpEnabledAt) throw new Conflict('second_factor_not_enabled')
      return db.transaction(async (tx) => {
        const recoveryCodes = await issueRecoveryCodes(tx, user.id)
        await appendAuditIn(tx, event(user, 'U', ['recovery_codes'], requestId, actor))
        return { recoveryCodes }
      })
    },
  }
}

export type SecondFactorService = ReturnType<typeof createSecondFactorService>
