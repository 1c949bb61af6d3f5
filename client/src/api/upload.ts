import { ApiError, apiUrl, csrfToken, noticeUnauthenticated, problemFrom } from './http.ts'
import type { VersionOut } from './types.ts'

export interface UploadProgress {
  loaded: number
  total: number
}

export interface UploadHandle {
  /** Resolves with the stored version; rejects with ApiError, or a DOMException "AbortError" after abort(). */
  done: Promise<VersionOut>
  abort(): void
}

/** The file types a version may have, by extension (the server checks the bytes). */
export const ACCEPTED_EXTENSIONS = ['.pdf', '.docx', '.odt'] as const
export const ACCEPT_ATTR = [
  ...ACCEPTED_EXTENSIONS,
  'application/pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.oasis.opendocument.text',
].join(',')

export const hasAcceptedExtension = (name: string): boolean => ACCEPTED_EXTENSIONS.some((ext) => name.toLowerCase().endsWith(ext))

/**
 * Uploads a file as a new version: the raw bytes are the request body. XMLHttpRequest (not
 * fetch) because it reports upload progress and can be aborted mid-way.
 */
export function uploadVersion(documentId: string, file: File, comment: string, onProgress: (p: UploadProgress) => void): UploadHandle {
  const xhr = new XMLHttpRequest()
  const done = new Promise<VersionOut>((resolve, reject) => {
    xhr.open('POST', apiUrl(`/documents/${encodeURIComponent(documentId)}/versions`, { name: file.name, comment: comment.trim() || undefined }))
    xhr.withCredentials = false // same origin: the session cookie is sent anyway
    xhr.setRequestHeader('content-type', file.type || 'application/octet-stream')
    xhr.setRequestHeader('accept', 'application/json')
    const token = csrfToken()
    if (token) xhr.setRequestHeader('x-csrf-token', token)
    xhr.upload.onprogress = (e) => onProgress({ loaded: e.loaded, total: e.lengthComputable ? e.total : file.size })
    xhr.onload = () => {
      if (xhr.status === 201 || xhr.status === 200) {
        try {
          resolve(JSON.parse(xhr.responseText) as VersionOut)
        } catch {
          reject(new ApiError(xhr.status, {}))
        }
        return
      }
      const err = problemFrom(xhr.status, xhr.getResponseHeader('content-type'), xhr.responseText)
      noticeUnauthenticated(err)
      reject(err)
    }
    xhr.onerror = () => reject(new ApiError(0, { code: 'NETWORK' }))
    xhr.ontimeout = () => reject(new ApiError(0, { code: 'NETWORK' }))
    xhr.onabort = () => reject(new DOMException('Upload cancelled', 'AbortError'))
    xhr.send(file)
  })
  return { done, abort: () => xhr.abort() }
}
