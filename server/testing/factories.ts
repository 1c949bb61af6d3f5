import { randomUUID } from 'node:crypto'
import { crc32, deflateRawSync } from 'node:zlib'
import type { Db } from '../db/client.ts'
import type { Role, UnitKind } from '../generated/prisma/client.ts'
import { hashPassword } from '../people/passwords.ts'
import { TEST_PASSWORD } from './harness.ts'

let passwordHash: Promise<string> | null = null
const uniq = () => randomUUID().slice(0, 8)

/** A fresh unit with a unique code, under the given parent. */
export async function makeUnit(db: Db, opts: { parentId?: string | null; name?: string; kind?: UnitKind } = {}) {
  const code = `t-${uniq()}`
  return db.unit.create({ data: { code, name: opts.name ?? `Тестовий підрозділ ${code}`, kind: opts.kind ?? 'department', parentId: opts.parentId ?? null } })
}

/** A person holding a fresh position with the given roles (in a fresh unit unless one is given). */
export async function makePerson(db: Db, opts: { roles?: Role[]; unitId?: string; isHead?: boolean; fullName?: string; title?: string } = {}) {
  passwordHash ??= hashPassword(TEST_PASSWORD)
  const unitId = opts.unitId ?? (await makeUnit(db)).id
  const login = `u.${uniq()}`
  const user = await db.user.create({ data: { login, fullName: opts.fullName ?? `Тестенко ${login}`, passwordHash: await passwordHash } })
  const position = await db.position.create({ data: { unitId, title: opts.title ?? 'Головний спеціаліст', roles: opts.roles ?? ['staff'], isHead: opts.isHead ?? false } })
  await db.positionHolder.create({ data: { positionId: position.id, userId: user.id, since: new Date(Date.now() - 60_000) } })
  return { user, position, unitId, login }
}

/** A small but valid one-page PDF (built by hand so tests need no PDF library). */
export function tinyPdf(text = 'Hromada'): Buffer {
  const stream = `BT /F1 24 Tf 72 720 Td (${text.replace(/[()\\]/g, '')}) Tj ET`
  const objs = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ]
  let out = '%PDF-1.4\n'
  const offsets: number[] = []
  objs.forEach((o, i) => {
    offsets.push(Buffer.byteLength(out))
    out += `${i + 1} 0 obj\n${o}\nendobj\n`
  })
  const xref = Buffer.byteLength(out)
  out += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`
  out += `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`
  return Buffer.from(out, 'latin1')
}

/**
 * A ZIP archive, enough to build DOCX and ODT fixtures. Entries are stored (uncompressed)
 * unless `stored: false`; `declaredSize` overrides the size written in the headers (a lying
 * archive, which a reader must not trust).
 */
export function makeZip(entries: { name: string; data: Buffer | string; stored?: boolean; declaredSize?: number }[]): Buffer {
  const locals: Buffer[] = []
  const centrals: Buffer[] = []
  let offset = 0
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8')
    const raw = Buffer.isBuffer(e.data) ? e.data : Buffer.from(e.data, 'utf8')
    const stored = e.stored ?? true
    const data = stored ? raw : deflateRawSync(raw, { level: 9 })
    const size = e.declaredSize ?? raw.length
    const head = (sig: number, len: number) => {
      const b = Buffer.alloc(len)
      b.writeUInt32LE(sig, 0)
      return b
    }
    const local = head(0x04034b50, 30)
    local.writeUInt16LE(20, 4)
    local.writeUInt16LE(0x0800, 6)
    local.writeUInt16LE(stored ? 0 : 8, 8)
    local.writeUInt32LE(crc32(raw), 14)
    local.writeUInt32LE(data.length, 18)
    local.writeUInt32LE(size, 22)
    local.writeUInt16LE(name.length, 26)
    locals.push(local, name, data)
    const central = head(0x02014b50, 46)
    central.writeUInt16LE(20, 4)
    central.writeUInt16LE(20, 6)
    central.writeUInt16LE(0x0800, 8)
    central.writeUInt16LE(stored ? 0 : 8, 10)
    central.writeUInt32LE(crc32(raw), 16)
    central.writeUInt32LE(data.length, 20)
    central.writeUInt32LE(size, 24)
    central.writeUInt16LE(name.length, 28)
    central.writeUInt32LE(offset, 42)
    centrals.push(central, name)
    offset += 30 + name.length + data.length
  }
  const cd = Buffer.concat(centrals)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(entries.length, 8)
  end.writeUInt16LE(entries.length, 10)
  end.writeUInt32LE(cd.length, 12)
  end.writeUInt32LE(offset, 16)
  return Buffer.concat([...locals, cd, end])
}

/** A minimal DOCX (Office Open XML word-processing package). */
export const tinyDocx = (text = 'Проєкт рішення') =>
  makeZip([
    {
      name: '[Content_Types].xml',
      data: '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
    },
    { name: 'word/document.xml', data: `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>${text}</w:t></w:r></w:p></w:body></w:document>` },
  ])

/** A minimal ODT (OpenDocument text); `mimetype` must be the first, stored entry. */
export const tinyOdt = (text = 'Проєкт рішення') =>
  makeZip([
    { name: 'mimetype', data: 'application/vnd.oasis.opendocument.text' },
    { name: 'content.xml', data: `<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text><text:p>${text}</text:p></office:text></office:body></office:document-content>` },
  ])
