import type { Readable } from 'node:stream'
import type { Task } from 'graphile-worker'
import type { Db } from '../db/client.ts'
import { AppError } from '../errors.ts'
import { contentKey, ObjectNotFoundError, type ObjectStore } from '../../storage/index.ts'
import { VERSION_MEDIA_TYPES } from './schemas.ts'
import { ArchiveTooLargeError, BadArchiveError, docxText, odtText } from './text-office.ts'
import { pdfPages } from './text-pdf.ts'

/** No archive entry is inflated beyond this (zip-bomb guard). */
export const MAX_ENTRY_BYTES = 50 * 1024 * 1024
/** Extraction stops after this many characters: a diff of more is unreadable anyway. */
export const MAX_TEXT_CHARS = 5_000_000

export type TextErrorCode = 'UNSUPPORTED_TYPE' | 'ARCHIVE_TOO_LARGE' | 'ENCRYPTED' | 'DAMAGED'

/** Why a file's text could not be read; the message is shown to people (Ukrainian). */
export class TextExtractionError extends Error {
  override readonly name = 'TextExtractionError'
  constructor(
    readonly code: TextErrorCode,
    message: string,
  ) {
    super(message)
  }
}

function asExtractionError(err: unknown): TextExtractionError {
  if (err instanceof TextExtractionError) return err
  if (err instanceof ArchiveTooLargeError) {
    return new TextExtractionError('ARCHIVE_TOO_LARGE', `файл розпаковується понад ${Math.round(err.limit / 1024 / 1024)} МіБ (${err.entry}); текст не видобуто`)
  }
  const name = (err as { name?: string } | null)?.name
  const message = (err as { message?: string } | null)?.message ?? String(err)
  if (name === 'PasswordException' || (err instanceof BadArchiveError && /encrypted/.test(message))) {
    return new TextExtractionError('ENCRYPTED', 'файл захищено паролем; текст не видобуто')
  }
  return new TextExtractionError('DAMAGED', `файл пошкоджений або не читається: ${message}`)
}

// C0 controls other than tab and line feed carry no text; a form feed inside a page would
// shift every page number after it, so it becomes a line break.
const CONTROLS = /[\u0000-\u0008\u000b\u000e-\u001f\u007f]/g

/** One page: NFC, Unix line ends, no trailing blanks, at most one empty line in a row, no blank edges. */
function normalisePage(page: string): string {
  const lines = page.normalize('NFC').replace(/\r\n?|\f/g, '\n').replace(CONTROLS, '').split('\n')
  const out: string[] = []
  for (const raw of lines) {
    const line = raw.trimEnd()
    if (line === '' && (out.length === 0 || out[out.length - 1] === '')) continue
    out.push(line)
  }
  while (out.length > 0 && out[out.length - 1] === '') out.pop()
  return out.join('\n')
}

/** Cuts to `max` characters without splitting a surrogate pair. */
function clip(s: string, max: number): string {
  if (s.length <= max) return s
  const code = s.charCodeAt(max - 1)
  return s.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max)
}

/** Plain text of a PDF, DOCX or ODT version; PDF pages are separated by '\f'. Throws TextExtractionError. */
export async function extractText(bytes: Buffer | Uint8Array, mediaType: string): Promise<string> {
  const type = mediaType.split(';')[0]!.trim().toLowerCase()
  const limits = { maxEntryBytes: MAX_ENTRY_BYTES, maxChars: MAX_TEXT_CHARS }
  let pages: string[]
  try {
    if (type === VERSION_MEDIA_TYPES.pdf) pages = await pdfPages(bytes, MAX_TEXT_CHARS)
    else if (type === VERSION_MEDIA_TYPES.docx) pages = [docxText(bytes, limits)]
    else if (type === VERSION_MEDIA_TYPES.odt) pages = [odtText(bytes, limits)]
    else throw new TextExtractionError('UNSUPPORTED_TYPE', `текст із файлів типу ${type || 'невідомого'} не видобувається`)
  } catch (err) {
    throw asExtractionError(err)
  }
  return clip(pages.map(normalisePage).join('\f'), MAX_TEXT_CHARS)
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

export interface VersionTextResult {
  text: string
  error: string | null
}

/**
 * The stored text of a version, extracted and stored now when the job has not done it yet.
 * A file whose text cannot be read is stored with an `error` (and empty text): the bytes are
 * immutable, so trying again would fail again. Failures of the store itself are thrown, not
 * stored, because they are passing: the job is retried, and the next request may succeed.
 */
export async function versionText(db: Db, store: ObjectStore, versionId: string): Promise<VersionTextResult> {
  const stored = await db.versionText.findUnique({ where: { versionId } })
  if (stored) return { text: stored.text, error: stored.error }
  const v = await db.version.findUnique({ where: { id: versionId }, select: { sha256: true, mediaType: true } })
  if (!v) throw new AppError('VERSION_NOT_FOUND')
  let bytes: Buffer
  try {
    bytes = await readAll(await store.get(contentKey(v.sha256)))
  } catch (err) {
    // A missing blob is an integrity fault for operators; the page still answers, and nothing
    // is stored, so restoring the blob from a backup heals the text too.
    if (err instanceof ObjectNotFoundError) return { text: '', error: 'файл версії відсутній у сховищі' }
    throw err
  }
  let result: VersionTextResult
  try {
    result = { text: await extractText(bytes, v.mediaType), error: null }
  } catch (err) {
    result = { text: '', error: asExtractionError(err).message }
  }
  // Two extractions may race (the job and a reader); whichever stored first wins, both agree.
  const row = await db.versionText.upsert({ where: { versionId }, create: { versionId, ...result }, update: {} })
  return { text: row.text, error: row.error }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** The graphile-worker task 'extract_text' (payload `{ versionId }`): extracts and stores a version's text ahead of the first diff. */
export function extractTextTask(deps: { prisma: Db; store: ObjectStore }): Task {
  return async (payload, helpers) => {
    const versionId = (payload as { versionId?: unknown } | null)?.versionId
    if (typeof versionId !== 'string' || !UUID.test(versionId)) {
      // Retrying cannot fix a malformed payload: log it and let the job complete.
      helpers.logger.error(`extract_text: payload without a valid versionId: ${JSON.stringify(payload)}`)
      return
    }
    try {
      const r = await versionText(deps.prisma, deps.store, versionId)
      if (r.error) helpers.logger.warn(`extract_text ${versionId}: ${r.error}`)
      else helpers.logger.debug(`extract_text ${versionId}: ${r.text.length} characters`)
    } catch (err) {
      if (err instanceof AppError && err.code === 'VERSION_NOT_FOUND') {
        helpers.logger.warn(`extract_text ${versionId}: no such version`)
        return
      }
      throw err
    }
  }
}
