import { AppError } from '../errors.ts'

// Control characters, path separators and characters Windows refuses in file names.
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u001f\u007f/\\:*?"<>|]/

/**
 * Checks an uploaded file's name and makes its extension agree with the detected type.
 * Names are data, never paths: anything with a separator or a dot-segment is refused.
 */
export function cleanFileName(raw: string, ext: string): string {
  const name = raw.normalize('NFC').trim()
  if (!name || name.length > 255 || FORBIDDEN.test(name) || name === '.' || name === '..' || name.startsWith('.')) {
    throw new AppError('INVALID_FILE_NAME', 'назва файлу не може містити шляхів, службових символів чи починатися з крапки')
  }
  const dot = name.lastIndexOf('.')
  const base = dot > 0 ? name.slice(0, dot) : name
  const current = dot > 0 ? name.slice(dot + 1).toLowerCase() : ''
  return current === ext ? `${base}.${current}` : `${dot > 0 && ['pdf', 'docx', 'odt', 'doc'].includes(current) ? base : name}.${ext}`
}

/** RFC 6266/5987 Content-Disposition with a UTF-8 file name and an ASCII fallback. */
export function contentDisposition(type: 'inline' | 'attachment', fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_')
  return `${type}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName).replace(/['()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())}`
}
