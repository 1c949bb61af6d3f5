/**
 * s3rver in its own process, so that neither the direct baseline nor the server under test
 * shares an event loop with it. Usage: node --import tsx bench/s3rver-child.ts <dir> <bucket>
 * Prints one JSON line {endpoint, bucket, accessKeyId, secretAccessKey, dir} when ready; stops
 * on SIGTERM/SIGINT or when stdin closes (the bench process went away).
 */
import { startS3rver } from '../storage/testing/s3rver.ts'

const [dir, bucket] = process.argv.slice(2)
if (!dir || !bucket) {
  process.stderr.write('usage: s3rver-child.ts <dir> <bucket>\n')
  process.exit(2)
}
const s3 = await startS3rver({ dir, bucket })
let stopping = false
const stop = async () => {
  if (stopping) return
  stopping = true
  try {
    await s3.stop()
  } finally {
    process.exit(0)
  }
}
process.on('SIGTERM', () => void stop())
process.on('SIGINT', () => void stop())
process.stdin.on('end', () => void stop())
process.stdin.on('error', () => void stop())
process.stdin.resume()
process.stdout.write(JSON.stringify({ endpoint: s3.endpoint, bucket: s3.bucket, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, dir: s3.dir }) + '\n')
