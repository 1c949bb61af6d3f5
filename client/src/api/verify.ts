// Signature verification and trust anchors. A PDF goes to the API as the raw request body
// (like a version upload); everything else is JSON through request().
import { apiUrl, ApiError, csrfToken, isAbort, noticeUnauthenticated, problemFrom, request } from './http.ts'
import type { TrustAnchorCreateBody, TrustAnchorOut, VerificationReportOut } from './types.ts'

type Signal = AbortSignal | undefined

async function postFile(path: string, file: Blob, signal?: Signal): Promise<VerificationReportOut> {
  const headers: Record<string, string> = { accept: 'application/json', 'content-type': 'application/pdf' }
  const token = csrfToken()
  if (token) headers['x-csrf-token'] = token
  let res: Response
  try {
    res = await fetch(apiUrl(path), { method: 'POST', headers, body: file, credentials: 'same-origin', signal: signal ?? null })
  } catch (err) {
    if (isAbort(err)) throw err
    throw new ApiError(0, { code: 'NETWORK', detail: (err as Error).message })
  }
  if (!res.ok) {
    const err = problemFrom(res.status, res.headers.get('content-type'), await res.text())
    noticeUnauthenticated(err)
    throw err
  }
  return (await res.json()) as VerificationReportOut
}

const base64 = async (file: Blob): Promise<string> => {
  const bytes = new Uint8Array(await file.arrayBuffer())
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(binary)
}

export const verifyApi = {
  /** Signed in: the PDF's signatures, checked against the configured trust anchors. */
  pdf: (file: Blob, signal?: Signal) => postFile('/verify', file, signal),
  /** Anyone: the same, at most 30 MB, rate-limited. */
  publicPdf: (file: Blob, signal?: Signal) => postFile('/public/verify', file, signal),
  /** Anyone: the signatures of a version stored here, by its SHA-256. */
  bySha256: (sha256: string, signal?: Signal) => request<VerificationReportOut>('GET', `/public/verify/${encodeURIComponent(sha256)}`, { signal, quiet401: true }),
  /** Signed in: a file and its detached .p7s. */
  detached: async (file: Blob, signature: Blob) => request<VerificationReportOut>('POST', '/verify/detached', { body: { fileBase64: await base64(file), signatureBase64: await base64(signature) } }),
}

export const trustAnchorsApi = {
  list: (signal?: Signal) => request<TrustAnchorOut[]>('GET', '/admin/trust-anchors', { signal }),
  add: (body: TrustAnchorCreateBody) => request<TrustAnchorOut>('POST', '/admin/trust-anchors', { body }),
  remove: (id: string) => request<{ ok: true }>('DELETE', `/admin/trust-anchors/${encodeURIComponent(id)}`),
}
