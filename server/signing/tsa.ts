import { createHash, randomBytes } from 'node:crypto'
import * as asn1js from 'asn1js'
import * as pkijs from 'pkijs'
import { SigningError } from './errors.ts'
import { OID } from './cms.ts'
import { toArrayBuffer } from './p12.ts'

/**
 * Asks an RFC 3161 timestamp authority to stamp `data` (the signature value, for PAdES
 * B-T) and returns its TimeStampToken (a CMS ContentInfo, DER). Anything short of a granted
 * token that matches our request is an error: a signature is never given a local clock
 * value dressed as a timestamp.
 */
export async function requestTimestamp(url: string, data: Buffer, opts: { timeoutMs?: number } = {}): Promise<Buffer> {
  const hash = createHash('sha256').update(data).digest()
  const nonce = randomBytes(8)
  nonce[0]! &= 0x7f // a positive INTEGER
  const req = new pkijs.TimeStampReq({
    version: 1,
    messageImprint: new pkijs.MessageImprint({ hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256 }), hashedMessage: new asn1js.OctetString({ valueHex: toArrayBuffer(hash) }) }),
    nonce: new asn1js.Integer({ valueHex: toArrayBuffer(nonce) }),
    certReq: true,
  })
  let res: Response
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/timestamp-query', accept: 'application/timestamp-reply' },
      body: Buffer.from(req.toSchema().toBER(false)),
      signal: AbortSignal.timeout(opts.timeoutMs ?? 15_000),
    })
  } catch (err) {
    throw new SigningError('TSA_UNREACHABLE', `сервер позначок часу недоступний (${url}): ${(err as Error).message}`)
  }
  if (!res.ok) throw new SigningError('TSA_UNREACHABLE', `сервер позначок часу відповів HTTP ${res.status}`)
  const body = Buffer.from(await res.arrayBuffer())
  let resp: pkijs.TimeStampResp
  try {
    resp = pkijs.TimeStampResp.fromBER(toArrayBuffer(body))
  } catch {
    throw new SigningError('TSA_REFUSED', 'сервер позначок часу надіслав непридатну відповідь')
  }
  const status = resp.status.status
  if ((status !== 0 && status !== 1) || !resp.timeStampToken) throw new SigningError('TSA_REFUSED', `сервер позначок часу відмовив (статус ${status})`)
  const tst = tstInfoOf(resp.timeStampToken)
  const imprint = Buffer.from(tst.messageImprint.hashedMessage.valueBlock.valueHexView)
  if (!imprint.equals(hash)) throw new SigningError('TSA_REFUSED', 'позначка часу видана не на цей підпис')
  if (!tst.nonce || !Buffer.from(tst.nonce.valueBlock.valueHexView).equals(nonce)) throw new SigningError('TSA_REFUSED', 'позначка часу не відповідає запиту')
  return Buffer.from(resp.timeStampToken.toSchema().toBER(false))
}

/** The TSTInfo inside a timestamp token: the stamped hash and the authority's time. */
export function tstInfoOf(token: pkijs.ContentInfo): pkijs.TSTInfo {
  const signed = new pkijs.SignedData({ schema: token.content })
  const econtent = signed.encapContentInfo.eContent
  if (!econtent) throw new Error('timestamp token without TSTInfo')
  return pkijs.TSTInfo.fromBER(econtent.getValue())
}
