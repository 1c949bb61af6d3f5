import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

/** A signer of the test PKI: its PKCS#12 file (with the chain), passphrase and certificate. */
export interface TestSigner {
  /** PKCS#12 with OpenSSL 3 defaults (PBES2, AES-256-CBC, HMAC-SHA256 MAC), leaf + intermediate + root. */
  p12: Buffer
  passphrase: string
  certPem: string
  certDer: Buffer
  keyPem: string
  /** Paths inside the PKI folder, for the openssl CLI. */
  certPath: string
  keyPath: string
  /** Readable subject as the fixture wrote it (RFC 2253 order is not implied). */
  subject: string
  commonName: string
}

export interface TestPki {
  dir: string
  rootPem: string
  rootDer: Buffer
  rootPath: string
  intermediatePem: string
  intermediateDer: Buffer
  intermediatePath: string
  /** Root and intermediate in one PEM file: a CAfile for `openssl cms -verify`. */
  caBundlePath: string
  /** A second, unrelated root: a trust anchor that anchors none of the signers. */
  otherRootPem: string
  otherRootDer: Buffer
  signers: {
    /** RSA 2048, Cyrillic subject and issuer (UTF8String), title and serialNumber TINUA-…. */
    cyrillicRsa: TestSigner
    /** RSA 2048, ASCII subject; its issuer is still the Cyrillic intermediate. */
    asciiRsa: TestSigner
    /** ECDSA P-256, Cyrillic subject. */
    cyrillicEc: TestSigner
    /** RSA 2048, valid 2020-01-01 … 2021-01-01 only. */
    expired: TestSigner
  }
  /** The cyrillicRsa identity in a legacy PKCS#12 (`-legacy`: 3DES/RC2, SHA-1 MAC), or null when this openssl cannot write one. */
  legacyP12: Buffer | null
  tsa: { certPem: string; certPath: string; keyPem: string; keyPath: string; chainPath: string; configPath: string; subject: string }
}

/** The Cyrillic passphrase of every PKCS#12 file of the test PKI. */
export const TEST_PASSPHRASE = 'Пароль-ключа №1 їжак'

const CONFIG = `
[ req ]
distinguished_name = dn
string_mask = utf8only
utf8 = yes
prompt = no
[ dn ]
CN = placeholder
[ ca ]
default_ca = CA_default
[ CA_default ]
dir = .
database = $dir/index.txt
new_certs_dir = $dir/issued
serial = $dir/serial
default_md = sha256
policy = policy_any
unique_subject = no
preserve = yes
copy_extensions = none
email_in_dn = no
[ policy_any ]
countryName = optional
organizationName = optional
organizationalUnitName = optional
title = optional
serialNumber = optional
commonName = supplied
[ v3_ca ]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v3_signer ]
basicConstraints = critical,CA:false
keyUsage = critical,digitalSignature,nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ v3_tsa ]
basicConstraints = critical,CA:false
keyUsage = critical,digitalSignature,nonRepudiation
extendedKeyUsage = critical,timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
dir = .
serial = $dir/tsa-serial
crypto_device = builtin
signer_cert = $dir/tsa.crt
certs = $dir/tsa-chain.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.3.6.1.4.1.55555.1.1
other_policies = 1.3.6.1.4.1.55555.1.2
digests = sha256, sha384, sha512
accuracy = secs:1
clock_precision_digits = 0
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
`

const subj = (parts: [string, string][]) => '/' + parts.map(([k, v]) => `${k}=${v.replace(/[/\\]/g, (c) => `\\${c}`)}`).join('/')

async function openssl(dir: string, args: string[], env: Record<string, string> = {}) {
  try {
    return await run('openssl', args, { cwd: dir, env: { ...process.env, ...env }, maxBuffer: 16 * 1024 * 1024 })
  } catch (err) {
    const e = err as Error & { stderr?: string }
    throw new Error(`openssl ${args.join(' ')} failed: ${e.stderr ?? e.message}`)
  }
}

const pemToDer = (pem: string) => Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64')

type KeyKind = 'rsa' | 'ec'
const keyArgs = (kind: KeyKind) => (kind === 'rsa' ? ['-newkey', 'rsa:2048'] : ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'])

/** A key and a certificate request for a subject (in parallel-safe files named after `name`). */
async function keyAndCsr(dir: string, name: string, kind: KeyKind, subject: string) {
  await openssl(dir, ['req', '-new', ...keyArgs(kind), '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-utf8', '-subj', subject, '-config', 'openssl.cnf'])
}

/** Issues `name.crt` from `name.csr` (sequential: `openssl ca` keeps a database). */
async function issue(dir: string, name: string, opts: { ca: string | null; extensions: string; start: string; end: string }) {
  await openssl(dir, [
    'ca', '-batch', '-config', 'openssl.cnf', '-utf8', '-preserveDN', '-notext',
    '-in', `${name}.csr`, '-out', `${name}.crt`,
    ...(opts.ca ? ['-cert', `${opts.ca}.crt`, '-keyfile', `${opts.ca}.key`] : ['-selfsign', '-keyfile', `${name}.key`]),
    '-extensions', opts.extensions, '-startdate', opts.start, '-enddate', opts.end,
  ])
}

/** yyyymmddhhmmssZ for `openssl ca -startdate/-enddate`. */
const gt = (d: Date) => d.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z'

async function exportP12(dir: string, name: string, out: string, legacy: boolean) {
  await openssl(
    dir,
    ['pkcs12', '-export', '-inkey', `${name}.key`, '-in', `${name}.crt`, '-certfile', 'chain.pem', '-name', name, '-passout', 'env:P12_PASS', '-out', out, ...(legacy ? ['-legacy'] : [])],
    { P12_PASS: TEST_PASSPHRASE },
  )
}

async function build(): Promise<TestPki> {
  const dir = mkdtempSync(join(tmpdir(), 'hromada-pki-'))
  // Private keys of a throw-away PKI, but still: gone when the process ends.
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }))
  writeFileSync(join(dir, 'openssl.cnf'), CONFIG)
  writeFileSync(join(dir, 'index.txt'), '')
  writeFileSync(join(dir, 'serial'), '1000\n')
  writeFileSync(join(dir, 'tsa-serial'), '01\n')
  await openssl(dir, ['version']).catch(() => {
    throw new Error('the test PKI needs the openssl command (Debian package openssl)')
  })
  await run('mkdir', ['-p', join(dir, 'issued')])

  const caO = 'Тестовий надавач ЕДП'
  const subjects = {
    root: subj([['C', 'UA'], ['O', caO], ['CN', 'Тестовий кореневий ЦСК']]),
    other: subj([['C', 'UA'], ['O', 'Сторонній ЦСК'], ['CN', 'Сторонній кореневий ЦСК']]),
    intermediate: subj([['C', 'UA'], ['O', caO], ['CN', 'Тестовий проміжний ЦСК']]),
    cyrillicRsa: subj([['C', 'UA'], ['O', 'Дрогобицька міська рада'], ['title', 'Заступник міського голови'], ['serialNumber', 'TINUA-1234567890'], ['CN', 'Коваленко Віктор Богданович']]),
    asciiRsa: subj([['C', 'UA'], ['O', 'Drohobych City Council'], ['serialNumber', 'TINUA-2222222222'], ['CN', 'Test Signer']]),
    cyrillicEc: subj([['C', 'UA'], ['O', 'Дрогобицька міська рада'], ['title', 'Начальник управління'], ['serialNumber', 'TINUA-3333333333'], ['CN', 'Ґудзь Олена Іванівна']]),
    expired: subj([['C', 'UA'], ['O', 'Дрогобицька міська рада'], ['serialNumber', 'TINUA-4444444444'], ['CN', 'Прострочений Петро Петрович']]),
    tsa: subj([['C', 'UA'], ['O', caO], ['CN', 'Тестовий сервер позначок часу']]),
  }
  const kinds: Record<keyof typeof subjects, KeyKind> = { root: 'rsa', other: 'ec', intermediate: 'rsa', cyrillicRsa: 'rsa', asciiRsa: 'rsa', cyrillicEc: 'ec', expired: 'rsa', tsa: 'rsa' }
  // Keys are the slow part: made in parallel; the CA's database is then used in order.
  await Promise.all(Object.entries(subjects).map(([name, s]) => keyAndCsr(dir, name, kinds[name as keyof typeof subjects], s)))

  const now = Date.now()
  const day = 86_400_000
  const caStart = gt(new Date('2019-01-01T00:00:00Z'))
  const caEnd = gt(new Date(now + 3650 * day))
  await issue(dir, 'root', { ca: null, extensions: 'v3_ca', start: caStart, end: caEnd })
  await issue(dir, 'other', { ca: null, extensions: 'v3_ca', start: caStart, end: caEnd })
  await issue(dir, 'intermediate', { ca: 'root', extensions: 'v3_ca', start: caStart, end: caEnd })
  const leafStart = gt(new Date(now - day))
  const leafEnd = gt(new Date(now + 730 * day))
  for (const name of ['cyrillicRsa', 'asciiRsa', 'cyrillicEc'] as const) await issue(dir, name, { ca: 'intermediate', extensions: 'v3_signer', start: leafStart, end: leafEnd })
  await issue(dir, 'expired', { ca: 'intermediate', extensions: 'v3_signer', start: '20200101000000Z', end: '20210101000000Z' })
  await issue(dir, 'tsa', { ca: 'intermediate', extensions: 'v3_tsa', start: leafStart, end: leafEnd })

  const read = (f: string) => readFileSync(join(dir, f), 'utf8')
  const certOnly = (pem: string) => /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/.exec(pem)![0]
  const rootPem = certOnly(read('root.crt'))
  const intermediatePem = certOnly(read('intermediate.crt'))
  const otherRootPem = certOnly(read('other.crt'))
  writeFileSync(join(dir, 'chain.pem'), intermediatePem + rootPem)
  writeFileSync(join(dir, 'ca-bundle.pem'), rootPem + intermediatePem)
  writeFileSync(join(dir, 'tsa-chain.pem'), intermediatePem + rootPem)
  for (const name of ['root', 'intermediate', 'cyrillicRsa', 'asciiRsa', 'cyrillicEc', 'expired', 'tsa', 'other']) writeFileSync(join(dir, `${name}.crt`), certOnly(read(`${name}.crt`)))

  const signerNames = ['cyrillicRsa', 'asciiRsa', 'cyrillicEc', 'expired'] as const
  await Promise.all(signerNames.map((name) => exportP12(dir, name, `${name}.p12`, false)))
  let legacyP12: Buffer | null = null
  try {
    await exportP12(dir, 'cyrillicRsa', 'cyrillicRsa-legacy.p12', true)
    legacyP12 = readFileSync(join(dir, 'cyrillicRsa-legacy.p12'))
  } catch {
    legacyP12 = null
  }

  const signer = (name: (typeof signerNames)[number]): TestSigner => {
    const certPem = read(`${name}.crt`)
    const subject = subjects[name].slice(1).split('/').join(', ')
    return {
      p12: readFileSync(join(dir, `${name}.p12`)),
      passphrase: TEST_PASSPHRASE,
      certPem,
      certDer: pemToDer(certPem),
      keyPem: read(`${name}.key`),
      certPath: join(dir, `${name}.crt`),
      keyPath: join(dir, `${name}.key`),
      subject,
      commonName: /CN=([^/]+)$/.exec(subjects[name])![1]!,
    }
  }

  return {
    dir,
    rootPem,
    rootDer: pemToDer(rootPem),
    rootPath: join(dir, 'root.crt'),
    intermediatePem,
    intermediateDer: pemToDer(intermediatePem),
    intermediatePath: join(dir, 'intermediate.crt'),
    caBundlePath: join(dir, 'ca-bundle.pem'),
    otherRootPem,
    otherRootDer: pemToDer(otherRootPem),
    signers: { cyrillicRsa: signer('cyrillicRsa'), asciiRsa: signer('asciiRsa'), cyrillicEc: signer('cyrillicEc'), expired: signer('expired') },
    legacyP12,
    tsa: {
      certPem: read('tsa.crt'),
      certPath: join(dir, 'tsa.crt'),
      keyPem: read('tsa.key'),
      keyPath: join(dir, 'tsa.key'),
      chainPath: join(dir, 'tsa-chain.pem'),
      configPath: join(dir, 'openssl.cnf'),
      subject: subjects.tsa.slice(1).split('/').join(', '),
    },
  }
}

let cached: Promise<TestPki> | null = null

/**
 * The test PKI, made once per process with the openssl CLI in a temporary folder: a root
 * and an intermediate CA with Cyrillic (UTF8String) names, signers (Cyrillic RSA, ASCII RSA,
 * Cyrillic ECDSA P-256, an expired one) exported as PKCS#12 with a Cyrillic passphrase and
 * their chain, and a timestamp authority (extendedKeyUsage critical timeStamping).
 */
export function testPki(): Promise<TestPki> {
  cached ??= build().catch((err: unknown) => {
    cached = null
    throw err
  })
  return cached
}
