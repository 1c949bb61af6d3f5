import type { Readable } from 'node:stream'
import { fileTypeStream, type ReadableStreamWithFileType } from 'file-type'
import type { Db, Tx } from '../db/client.ts'
import { AppError } from '../errors.ts'
import { audit, type Actor } from '../audit/record.ts'
import type { Auth } from '../people/sessions.ts'
import { cleanFileName } from '../documents/file-name.ts'
import { contentKey, ObjectTooLargeError, type ObjectStore } from '../../storage/index.ts'
import { assertCanSee, capacitiesOf, standingInFor } from './access.ts'
import { isClosed } from './machine.ts'
import type { FileOut } from './schemas.ts'

/**
 * Files of reports. A report's files are uploaded first, one request each, with the raw
 * bytes as the body: checked by content (PDF, DOCX, ODT, PNG, JPEG), streamed into the
 * object store under their sha256, and recorded (who uploaded what to which assignment) by
 * an audit event. The report then names them by sha256; only files its author uploaded to
 * that assignment are accepted, so nobody attaches someone else's blob by knowing its hash.
 * A file never named by a report is left to the orphan sweep.
 */

/** Detected extension → the media type stored and served. */
export const REPORT_FILE_TYPES: Record<string, string> = {
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  odt: 'application/vnd.oasis.opendocument.text',
  png: 'image/png',
  jpg: 'image/jpeg',
}

/** The uploaded name, kept when its extension already agrees with the content, otherwise given the right one. */
function fileNameFor(raw: string, ext: string): string {
  const lower = raw.normalize('NFC').trim().toLowerCase()
  const aliases = ext === 'jpg' ? ['jpg', 'jpeg'] : [ext]
  const current = aliases.find((a) => lower.endsWith(`.${a}`))
  return cleanFileName(raw, current ?? ext)
}

export interface FileUploadInput {
  assignmentId: string
  body: Readable
  fileName: string
  declaredLength: number | null
  maxBytes: number
  signal?: AbortSignal
}

/** Who may attach files: the executor and co-executors (and their substitutes), while the assignment is open. */
async function assertMayAttach(db: Db, auth: Auth, assignmentId: string) {
  const a = await db.assignment.findUnique({ where: { id: assignmentId }, include: { coExecutors: { select: { userId: true } } } })
  if (!a) throw new AppError('ASSIGNMENT_NOT_FOUND')
  const standsInFor = await standingInFor(db, auth.userId)
  const acting = capacitiesOf({ ...a, coExecutorIds: a.coExecutors.map((c) => c.userId) }, auth.userId, standsInFor)
  if (acting.as.length === 0) await assertCanSee(db, auth, a, standsInFor)
  if (!acting.as.includes('executor') && !acting.as.includes('co_executor')) throw new AppError('ASSIGNMENT_NOT_EXECUTOR', 'файли до звіту додають виконавці доручення')
  if (isClosed(a.status)) throw new AppError('ASSIGNMENT_CLOSED')
}

/** Streams one file into the store (after the permission check and before any transaction), then records the upload. */
export async function uploadReportFile(db: Db, store: ObjectStore, auth: Auth, actor: Actor, input: FileUploadInput): Promise<FileOut> {
  await assertMayAttach(db, auth, input.assignmentId)
  if (input.declaredLength === 0) throw new AppError('EMPTY_FILE')
  if (input.declaredLength !== null && input.declaredLength > input.maxBytes) throw new AppError('FILE_TOO_LARGE', `найбільший дозволений розмір: ${input.maxBytes} байт`, { limit: input.maxBytes })
  cleanFileName(input.fileName, 'pdf') // the name is checked before a byte is stored

  let detected: ReadableStreamWithFileType
  try {
    detected = await fileTypeStream(input.body, { sampleSize: 64 * 1024 })
  } catch (err) {
    throw new AppError('INCOMPLETE_UPLOAD', `файл не вдалося прочитати: ${(err as Error).message}`)
  }
  const ext = detected.fileType?.ext
  const mediaType = ext ? REPORT_FILE_TYPES[ext] : undefined
  if (!ext || !mediaType) {
    input.body.resume()
    throw new AppError('UNSUPPORTED_FILE_TYPE', `до звіту додають PDF, DOCX, ODT, PNG або JPEG; ${detected.fileType ? `виявлено ${detected.fileType.mime}` : 'тип файлу не розпізнано'}`)
  }
  const fileName = fileNameFor(input.fileName, ext)
  let put
  try {
    put = await store.put(detected, { maxBytes: input.maxBytes, contentType: mediaType, signal: input.signal })
  } catch (err) {
    if (err instanceof ObjectTooLargeError) throw new AppError('FILE_TOO_LARGE', `найбільший дозволений розмір: ${input.maxBytes} байт`, { limit: input.maxBytes })
    const code = (err as { code?: string } | null)?.code
    if (input.signal?.aborted || code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ABORT_ERR') throw new AppError('INCOMPLETE_UPLOAD', 'передавання файлу перервано')
    throw err
  }
  if (put.size === 0) throw new AppError('EMPTY_FILE')
  if (input.declaredLength !== null && put.size !== input.declaredLength) throw new AppError('INCOMPLETE_UPLOAD', `отримано ${put.size} з ${input.declaredLength} байт`)
  const file: FileOut = { sha256: put.sha256, fileName, size: put.size, mediaType }
  await db.$transaction((tx) => audit(tx, actor, { action: 'assignment.updated', targetType: 'assignment', targetId: input.assignmentId, after: { fileUploaded: file } }))
  return file
}

/** The files a person uploaded to an assignment, by sha256 (from the record of their uploads); 400 for any other. */
export async function resolveReportFiles(db: Db | Tx, assignmentId: string, userId: string, shas: readonly string[]): Promise<FileOut[]> {
  if (shas.length === 0) return []
  const events = await db.auditEvent.findMany({
    where: { targetType: 'assignment', targetId: assignmentId, action: 'assignment.updated', actorId: userId },
    select: { after: true },
    orderBy: { seq: 'desc' },
  })
  const uploaded = new Map<string, FileOut>()
  for (const e of events) {
    const f = (e.after as { fileUploaded?: FileOut } | null)?.fileUploaded
    if (f && typeof f.sha256 === 'string' && !uploaded.has(f.sha256)) uploaded.set(f.sha256, f)
  }
  return shas.map((sha) => {
    const f = uploaded.get(sha)
    if (!f) throw new AppError('REPORT_FILE_UNKNOWN', `файл ${sha.slice(0, 12)}… не завантажено вами до цього доручення`)
    return { sha256: f.sha256, fileName: f.fileName, size: f.size, mediaType: f.mediaType }
  })
}

/** Before the report's transaction: every file must still be in the store (an upload left unreported too long is swept). */
export const checkStoredWith = (store: ObjectStore) => async (files: FileOut[]) => {
  for (const f of files) {
    if (!(await store.head(contentKey(f.sha256)))) throw new AppError('REPORT_FILE_UNKNOWN', `файлу «${f.fileName}» уже немає у сховищі: завантажте його ще раз`)
  }
}

/** A file named by one of the assignment's reports (the caller has checked the assignment is visible). */
export async function reportFile(db: Db, assignmentId: string, sha256: string): Promise<FileOut> {
  const reports = await db.assignmentReport.findMany({ where: { assignmentId }, select: { files: true } })
  for (const r of reports) {
    const f = (Array.isArray(r.files) ? (r.files as unknown as FileOut[]) : []).find((x) => x.sha256 === sha256)
    if (f) return f
  }
  throw new AppError('NOT_FOUND', 'у звітах цього доручення такого файлу немає')
}
