// Verifies the signatures of a PDF (or a file with its detached .p7s) from the command line.
// Usage: npx tsx scripts/verify-pdf.ts <file.pdf> [--require-trusted] [--trust <ca.pem|ca.der> ...] [--p7s <file.p7s>] [--json] [--no-db]
// Exit 0: at least one signature, every signature intact, nothing changed after the last one
//         (and, with --require-trusted, every chain trusted). Exit 1 otherwise. Exit 2: usage error.
// Trust anchors: the --trust files, plus the database's (admin-configured) ones when
// DATABASE_URL or DATA_DIR is set (unless --no-db).
import { readFileSync } from 'node:fs'
import type { SignatureReport, VerificationReport } from '../server/signing/verify.ts'

const USAGE = 'usage: verify-pdf <file.pdf> [--require-trusted] [--trust <ca.pem> ...] [--p7s <signature.p7s>] [--json] [--no-db]'

interface Args {
  file: string
  p7s: string | null
  trust: string[]
  requireTrusted: boolean
  json: boolean
  db: boolean
}

class UsageError extends Error {}

function parseArgs(argv: string[]): Args {
  const args: Args = { file: '', p7s: null, trust: [], requireTrusted: false, json: false, db: true }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    const value = () => {
      const v = argv[++i]
      if (!v || v.startsWith('--')) throw new UsageError(`${a} needs a file`)
      return v
    }
    if (a === '--require-trusted') args.requireTrusted = true
    else if (a === '--json') args.json = true
    else if (a === '--no-db') args.db = false
    else if (a === '--trust') args.trust.push(value())
    else if (a === '--p7s') args.p7s = value()
    else if (a === '--help' || a === '-h') throw new UsageError('')
    else if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`)
    else if (args.file) throw new UsageError('only one file at a time')
    else args.file = a
  }
  if (!args.file) throw new UsageError('no file given')
  return args
}

/** Certificates from a PEM bundle (one or more) or a DER file. */
function readCertificates(path: string): Buffer[] {
  const bytes = readFileSync(path)
  const text = bytes.toString('latin1')
  const pems = [...text.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)].map((m) => Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64'))
  if (pems.length) return pems
  if (bytes[0] === 0x30) return [bytes]
  throw new UsageError(`${path}: no certificate found (PEM or DER expected)`)
}

async function databaseAnchors(): Promise<Buffer[]> {
  const { loadConfig } = await import('../server/config.ts')
  const { connectForScript } = await import('./db.ts')
  const { client, close } = await connectForScript(loadConfig())
  try {
    const rows = await client.query<{ der: Buffer }>('SELECT der FROM trust_anchor')
    return rows.rows.map((r) => r.der)
  } finally {
    await close()
  }
}

const yes = (ok: boolean, good: string, bad: string) => (ok ? `✔ ${good}` : `✘ ${bad}`)

function printSignature(s: SignatureReport, out: string[]) {
  const title = s.kind === 'document-timestamp' ? 'Позначка часу документа / Document timestamp' : 'Підпис / Signature'
  out.push('', `${title} #${s.index}${s.fieldName ? ` (${s.fieldName})` : ''}`)
  if (s.signer) {
    out.push(`  Підписувач / Signer:      ${s.signer.commonName}`)
    out.push(`  Субʼєкт / Subject:        ${s.signer.subject}`)
    out.push(`  Видавець / Issuer:        ${s.signer.issuer}`)
    out.push(`  Серійний № / Serial:      ${s.signer.serialNumber}; чинний / valid ${s.signer.notBefore} … ${s.signer.notAfter}`)
  } else out.push('  Підписувач / Signer:      невідомий / unknown')
  if (s.timestamp) out.push(`  Час (позначка) / Time (timestamp): ${s.timestamp.time} — ${s.timestamp.tsa ?? '?'} — ${s.timestamp.valid ? 'дійсна / valid' : 'НЕДІЙСНА / INVALID'}${s.timestamp.trusted ? ', довірена / trusted' : ''}`)
  if (s.claimedTime) out.push(`  Заявлений час / Claimed time (not proven): ${s.claimedTime}`)
  if (s.reason) out.push(`  Підстава / Reason:        ${s.reason}`)
  out.push(`  Рівень / Level:           ${s.level}${s.subFilter ? ` (${s.subFilter})` : ''}`)
  out.push(`  Цілісність / Integrity:   ${s.integrity === 'valid' ? '✔ підпис дійсний / signature is valid' : s.integrity === 'invalid' ? '✘ ПІДПИС НЕДІЙСНИЙ / SIGNATURE IS INVALID' : '✘ не вдалося перевірити / could not be checked'}`)
  out.push(`  Довіра / Trust:           ${yes(s.chain.trusted, 'ланцюжок до довіреного ЦСК / chain to a trust anchor', `не довірений / not trusted: ${s.chain.problem ?? ''}`)}`)
  if (s.chain.path.length > 1) out.push(`  Ланцюжок / Path:          ${s.chain.path.join('  →  ')}`)
  out.push(`  Охоплення / Coverage:     ${s.coversWholeDocument ? 'увесь файл / whole file' : 'частина файлу (далі є оновлення) / part of the file (updates follow)'}`)
  out.push(`  Зміни після / Changed after: ${s.modifiedAfter ? '✘ ТАК, документ змінено після цього підпису / YES' : '✔ ні / no'}`)
  for (const e of s.errors) out.push(`  ! ${e}`)
  for (const w of s.warnings) out.push(`  · ${w}`)
}

/** Whether the report passes: ≥1 signature, all intact, nothing after the last one (+ trust when required). */
export function passes(r: VerificationReport, requireTrusted: boolean): boolean {
  return r.signed && r.intact && !r.modifiedAfterLastSignature && (!requireTrusted || r.trusted)
}

async function main(): Promise<number> {
  let args: Args
  try {
    args = parseArgs(process.argv.slice(2))
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`${err.message ? `${err.message}\n` : ''}${USAGE}\n`)
      return 2
    }
    throw err
  }
  let bytes: Buffer
  let p7s: Buffer | null = null
  const anchors: Buffer[] = []
  try {
    bytes = readFileSync(args.file)
    if (args.p7s) p7s = readFileSync(args.p7s)
    for (const t of args.trust) anchors.push(...readCertificates(t))
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`)
    return 2
  }
  if (args.db && (process.env.DATABASE_URL || process.env.DATA_DIR)) {
    try {
      anchors.push(...(await databaseAnchors()))
    } catch (err) {
      process.stderr.write(`warning: trust anchors not read from the database: ${(err as Error).message}\n`)
    }
  }
  const { verifyDetached, verifyPdf, DetachedSignatureError } = await import('../server/signing/verify.ts')
  let report: VerificationReport
  try {
    report = p7s ? await verifyDetached(bytes, p7s, anchors) : await verifyPdf(bytes, anchors)
  } catch (err) {
    if (err instanceof DetachedSignatureError) {
      process.stderr.write(`${args.p7s}: ${err.message}\n`)
      return 1
    }
    throw err
  }
  const ok = passes(report, args.requireTrusted)
  if (args.json) {
    process.stdout.write(`${JSON.stringify({ ...report, ok }, null, 2)}\n`)
    return ok ? 0 : 1
  }
  const out: string[] = [`Файл / File: ${args.file}`, `SHA-256: ${report.sha256}  (${report.size} B)`, `Довірених ЦСК / Trust anchors: ${anchors.length}`]
  if (!report.signed) out.push('', '✘ Підписів немає / No signatures found')
  for (const s of report.signatures) printSignature(s, out)
  out.push('')
  out.push(report.signed ? yes(report.intact, 'Усі підписи цілі / All signatures intact', 'Не всі підписи цілі / Not every signature is intact') : '')
  if (report.signed) out.push(yes(!report.modifiedAfterLastSignature, 'Після останнього підпису змін немає / No changes after the last signature', 'Документ змінено після останнього підпису / Changed after the last signature'))
  if (report.signed) out.push(yes(report.trusted, 'Усі підписувачі довірені / Every signer is trusted', `Не всі ланцюжки довірені / Not every chain is trusted${args.requireTrusted ? '' : ' (not required; use --require-trusted)'}`))
  out.push(ok ? 'РЕЗУЛЬТАТ / RESULT: OK' : 'РЕЗУЛЬТАТ / RESULT: FAILED')
  process.stdout.write(`${out.filter((l, i) => l !== '' || out[i - 1] !== '').join('\n')}\n`)
  return ok ? 0 : 1
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`verify-pdf failed: ${(err as Error).message}\n`)
    process.exit(2)
  },
)
