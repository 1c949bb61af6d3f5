import type { Readable } from 'node:stream'
import { fileTypeStream, type ReadableStreamWithFileType } from 'file-type'
import type { Db } from '../db/client.ts'
import { AppError } from '../errors.ts'
import { audit, type Actor } from '../audit/record.ts'
import { enqueue } from '../jobs/queue.ts'
import type { Auth } from '../people/sessions.ts'
import { ObjectTooLargeError, type ObjectStore } from '../../storage/index.ts'
import { canEditDocument, canViewDocument } from './policy.ts'
import { cleanFileName } from './file-name.ts'
import { VERSION_MEDIA_TYPES } from './schemas.ts'

export interface UploadInput {
  documentId: string
  body: Readable
  fileName: string
  comment?: string
  /** Content-Length as declared by the client, when it declared one. */
  declaredLength: number | null
  maxBytes: number
  signal?: AbortSignal
}

/**
 * Stores a new immutable version. Order matters: permission checks before reading a byte;
 * the type is read from the first bytes; the bytes stream into the object store under
 * their sha256; only then one transaction inserts the version and its audit event. A
 * failure after the store leaves at most an unreferenced blob, which the orphan sweep removes.
 */
export async function uploadVersion(db: Db, store: ObjectStore, auth: Auth, actor: Actor, input: UploadInput) {
  const doc = await db.document.findUnique({ where: { id: input.documentId } })
  if (!doc || !canViewDocument(auth, doc)) throw new AppError('DOCUMENT_NOT_FOUND')
  if (!canEditDocument(auth, doc)) throw new AppError('FORBIDDEN', 'нові версії додають лише до власних чернеток свого підрозділу')
  // A job description's versions are rendered from its sections; a hand-made file would drift from them.
  if (doc.kind === 'job_description' && (await db.jobDescription.count({ where: { documentId: doc.id } })) > 0) {
    throw new AppError('VERSIONS_ARE_GENERATED', 'версії посадової інструкції формуються з її розділів: змініть розділи')
  }
  if (input.declaredLength === 0) throw new AppError('EMPTY_FILE')
  if (input.declaredLength !== null && input.declaredLength > input.maxBytes) {
    throw new AppError('FILE_TOO_LARGE', `найбільший дозволений розмір: ${input.maxBytes} байт`, { limit: input.maxBytes })
  }
  // The name is checked before any byte is stored; its extension is fixed once the type is known.
  cleanFileName(input.fileName, 'pdf')

  let detected: ReadableStreamWithFileType
  try {
    detected = await fileTypeStream(input.body, { sampleSize: 64 * 1024 })
  } catch (err) {
    throw new AppError('INCOMPLETE_UPLOAD', `файл не вдалося прочитати: ${(err as Error).message}`)
  }
  const ext = detected.fileType?.ext
  if (ext !== 'pdf' && ext !== 'docx' && ext !== 'odt') {
    input.body.resume() // let the rest of the body drain so the connection can answer
    throw new AppError('UNSUPPORTED_FILE_TYPE', detected.fileType ? `виявлено тип ${detected.fileType.mime}` : 'тип файлу не розпізнано')
  }
  const mediaType = VERSION_MEDIA_TYPES[ext]
  const fileName = cleanFileName(input.fileName, ext)

  let put
  try {
    put = await store.put(detected, { maxBytes: input.maxBytes, contentType: mediaType, signal: input.signal })
  } catch (err) {
    if (err instanceof ObjectTooLargeError) throw new AppError('FILE_TOO_LARGE', `найбільший дозволений розмір: ${input.maxBytes} байт`, { limit: input.maxBytes })
    if (input.signal?.aborted || isStreamAbort(err)) throw new AppError('INCOMPLETE_UPLOAD', 'передавання файлу перервано')
    throw err
  }
  if (put.size === 0) throw new AppError('EMPTY_FILE')
  if (input.declaredLength !== null && put.size !== input.declaredLength) {
    throw new AppError('INCOMPLETE_UPLOAD', `отримано ${put.size} з ${input.declaredLength} байт`)
  }

  return db.$transaction(async (tx) => {
    // Serialize uploads to one document so version numbers stay dense and unique.
    const locked = await tx.$queryRaw<{ version_count: number; status: string }[]>`
      SELECT version_count, status::text FROM document WHERE id = ${doc.id}::uuid FOR UPDATE`
    if (locked[0]?.status !== 'draft') throw new AppError('CONFLICT', 'документ уже не є чернеткою')
    const number = (locked[0]?.version_count ?? 0) + 1
    const version = await tx.version.create({
      data: { documentId: doc.id, number, sha256: put.sha256, size: BigInt(put.size), mediaType, fileName, comment: input.comment?.trim() ?? '', createdById: auth.userId },
      include: { createdBy: true },
    })
    await tx.document.update({ where: { id: doc.id }, data: { versionCount: number } })
    // Text for diffs and search, extracted in the background once the version exists.
    await enqueue(tx, 'extract_text', { versionId: version.id }, { jobKey: `extract_text:${version.id}` })
    await audit(tx, actor, {
      action: 'version.uploaded',
      targetType: 'document',
      targetId: doc.id,
      after: { versionId: version.id, number, sha256: put.sha256, size: put.size, mediaType, fileName },
    })
    return version
  })
}

function isStreamAbort(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code
  return code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ABORT_ERR' || (err as Error)?.message === 'aborted'
}
