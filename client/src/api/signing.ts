// Signing: the person's certificates (PKCS#12 kept sealed on the server), the signing action of
// a route's signing stage, and a document's signatures. The passphrase goes in the request body
// only: it is never put in a URL, a store or storage.
import { request } from './http.ts'
import type { ApprovalOut, CertificateOut, CertificateUpload, SignatureOut, SignBody } from './types.ts'

type Signal = AbortSignal | undefined
const enc = encodeURIComponent

export const certificatesApi = {
  /** My certificates, newest first (revoked ones too). */
  list: (signal?: Signal) => request<CertificateOut[]>('GET', '/certificates', { signal }),
  /** Checks the PKCS#12 with its passphrase now and keeps it sealed; the passphrase is not stored. */
  upload: (body: CertificateUpload) => request<CertificateOut>('POST', '/certificates', { body }),
  /** No longer usable for signing here. */
  revoke: (id: string) => request<{ ok: true }>('DELETE', `/certificates/${enc(id)}`),
}

export const signingApi = {
  /** Signs the approved version at the signing stage; the first signature also registers the document. */
  sign: (approvalId: string, body: SignBody) => request<ApprovalOut>('POST', `/approvals/${enc(approvalId)}/sign`, { body }),
  signatures: (documentId: string, signal?: Signal) => request<SignatureOut[]>('GET', `/documents/${enc(documentId)}/signatures`, { signal }),
}
