import { registrationApi } from '../api/endpoints.ts'
import { signingApi } from '../api/signing.ts'
import type { ApprovalOut, SignatureOut } from '../api/types.ts'

/** What the person is told after signing: the registration index and the signed version. */
export interface SignedResult {
  documentId: string
  /** null if the registration card could not be read just now (the signature itself is done). */
  index: string | null
  signature: SignatureOut | null
}

export type SignPhase = 'idle' | 'signing' | 'failed'

/**
 * One signing at a route's signing stage: the phase for the progress indicator, and the error
 * of the last attempt. The passphrase is an argument of `run` only: this object never keeps it.
 */
export class SigningRun {
  #phase = $state<SignPhase>('idle')
  #error = $state<unknown>(null)

  get phase(): SignPhase {
    return this.#phase
  }
  get busy(): boolean {
    return this.#phase === 'signing'
  }
  get error(): unknown {
    return this.#error
  }

  reset(): void {
    if (this.#phase !== 'signing') {
      this.#phase = 'idle'
      this.#error = null
    }
  }

  /**
   * Signs; on success returns the route as the server now has it and what was signed.
   * Throws nothing: a failure is kept in `error` and null is returned.
   */
  async run(input: { approvalId: string; documentId: string; certificateId: string; participantId: string; passphrase: string }): Promise<{ approval: ApprovalOut; result: SignedResult } | null> {
    this.#phase = 'signing'
    this.#error = null
    try {
      const approval = await signingApi.sign(input.approvalId, { certificateId: input.certificateId, passphrase: input.passphrase, participantId: input.participantId })
      // The signature is made; the details only decorate the success message.
      const [card, signatures] = await Promise.all([registrationApi.card(input.documentId).catch(() => null), signingApi.signatures(input.documentId).catch(() => [] as SignatureOut[])])
      const signature = signatures.reduce<SignatureOut | null>((m, s) => (!m || s.signedVersionNumber > m.signedVersionNumber ? s : m), null)
      this.#phase = 'idle'
      return { approval, result: { documentId: input.documentId, index: card?.index ?? null, signature } }
    } catch (err) {
      this.#error = err
      this.#phase = 'failed'
      return null
    }
  }
}
