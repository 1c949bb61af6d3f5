import { execFile } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { testPki, type TestPki } from '../server/testing/pki.ts'
import { appendContentChange, samplePdf, signWith, tamperSignedByte } from '../server/testing/pdf-fixtures.ts'

const SCRIPT = join(import.meta.dirname, 'verify-pdf.ts')
// No database: the script must not look for one in these tests.
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'DATABASE_URL' && k !== 'DATA_DIR'))

function verifyPdfCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', SCRIPT, ...args], { env, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 99) : 0
      resolve({ code, stdout, stderr })
    })
  })
}

let pki: TestPki
let dir: string
const files = {} as Record<'signed' | 'modified' | 'tampered' | 'unsigned' | 'expired' | 'root' | 'garbage', string>

beforeAll(async () => {
  pki = await testPki()
  dir = mkdtempSync(join(tmpdir(), 'hromada-cli-'))
  const unsigned = await samplePdf()
  const signed = await signWith(unsigned, pki.signers.cyrillicRsa)
  const put = (name: keyof typeof files, bytes: Buffer | string) => {
    files[name] = join(dir, `${name}.pdf`)
    writeFileSync(files[name], bytes)
  }
  put('signed', signed)
  put('modified', appendContentChange(signed))
  put('tampered', tamperSignedByte(signed))
  put('unsigned', unsigned)
  put('expired', await signWith(unsigned, pki.signers.expired))
  put('garbage', 'this is not a pdf')
  files.root = pki.rootPath
})

describe('scripts/verify-pdf.ts', () => {
  it('exit 0 for an intact signed PDF, with a readable report naming the signer', async () => {
    const r = await verifyPdfCli([files.signed, '--trust', files.root])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain('Коваленко Віктор Богданович')
    expect(r.stdout).toContain('B-B')
    expect(r.stdout).toContain('RESULT: OK')
  })

  it('chain trust is reported; --require-trusted fails an untrusted chain', async () => {
    const [untrusted, required, trusted, expired] = await Promise.all([
      verifyPdfCli([files.signed]),
      verifyPdfCli([files.signed, '--require-trusted']),
      verifyPdfCli([files.signed, '--require-trusted', '--trust', files.root]),
      verifyPdfCli([files.expired, '--require-trusted', '--trust', files.root]),
    ])
    expect(untrusted.code).toBe(0)
    expect(untrusted.stdout).toMatch(/не довірений|not trusted/)
    expect(required.code).toBe(1)
    expect(trusted.code).toBe(0)
    expect(expired.code).toBe(1)
    expect(expired.stdout).toContain('Прострочений Петро Петрович')
  })

  it('exit 1 when the PDF was changed after signing, tampered with, unsigned, or not a PDF', async () => {
    const [modified, tampered, unsigned, garbage] = await Promise.all([
      verifyPdfCli([files.modified, '--trust', files.root]),
      verifyPdfCli([files.tampered, '--trust', files.root]),
      verifyPdfCli([files.unsigned]),
      verifyPdfCli([files.garbage]),
    ])
    expect(modified.code).toBe(1)
    expect(modified.stdout).toMatch(/змінено після останнього підпису/)
    expect(tampered.code).toBe(1)
    expect(tampered.stdout).toMatch(/НЕДІЙСНИЙ|INVALID/)
    expect(unsigned.code).toBe(1)
    expect(unsigned.stdout).toMatch(/Підписів немає/)
    expect(garbage.code).toBe(1)
  })

  it('--json prints the report', async () => {
    const r = await verifyPdfCli([files.modified, '--json'])
    expect(r.code).toBe(1)
    const report = JSON.parse(r.stdout)
    expect(report).toMatchObject({ signed: true, intact: true, modifiedAfterLastSignature: true, ok: false })
  })

  it('exit 2 on usage errors', async () => {
    const results = await Promise.all([[], ['--bogus', files.signed], [join(dir, 'missing.pdf')], [files.signed, '--trust'], [files.signed, '--trust', files.garbage]].map((a) => verifyPdfCli(a)))
    expect(results.map((r) => r.code)).toEqual([2, 2, 2, 2, 2])
    expect(results[0]!.stderr).toContain('usage: verify-pdf')
  })
})
