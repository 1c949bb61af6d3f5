import type { Db } from '../db/client.ts'
import { AppError } from '../errors.ts'
import type { Auth } from '../people/sessions.ts'
import type { ObjectStore } from '../../storage/index.ts'
import { getVisibleDocument } from './documents.service.ts'
import { diffTexts, type VersionDiff } from './diff.ts'
import { versionText } from './text.ts'
import type { VersionTextOut } from './text.schemas.ts'

type VisibleDocument = Awaited<ReturnType<typeof getVisibleDocument>>

function versionOf(doc: VisibleDocument, number: number) {
  const v = doc.versions.find((x) => x.number === number)
  if (!v) throw new AppError('VERSION_NOT_FOUND', `у документа немає версії №${number}`)
  return v
}

/** The text of version `number` of a document the person may see. */
export async function getVersionText(db: Db, store: ObjectStore, auth: Auth, documentId: string, number: number): Promise<VersionTextOut> {
  const v = versionOf(await getVisibleDocument(db, auth, documentId), number)
  const t = await versionText(db, store, v.id)
  return { number: v.number, sha256: v.sha256, text: t.text, error: t.error }
}

/** What changed from version `from` to version `to` of a document the person may see. */
export async function getVersionDiff(db: Db, store: ObjectStore, auth: Auth, documentId: string, from: number, to: number): Promise<VersionDiff> {
  if (from === to) throw new AppError('SAME_VERSION', `обидва номери — ${from}`)
  const doc = await getVisibleDocument(db, auth, documentId)
  const a = versionOf(doc, from)
  const b = versionOf(doc, to)
  const [ta, tb] = await Promise.all([versionText(db, store, a.id), versionText(db, store, b.id)])
  const refs = { from: { number: a.number, sha256: a.sha256 }, to: { number: b.number, sha256: b.sha256 } }
  const errors = [ta.error && `версія №${a.number}: ${ta.error}`, tb.error && `версія №${b.number}: ${tb.error}`].filter(Boolean)
  // Against an unreadable version every word would look added or removed; say why instead.
  if (errors.length > 0) return { ...refs, hunks: [], stats: { added: 0, removed: 0, same: 0 }, truncated: false, error: errors.join('; ') }
  return { ...refs, ...diffTexts(ta.text, tb.text), error: null }
}
