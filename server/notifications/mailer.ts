import nodemailer from 'nodemailer'
import type { Task } from 'graphile-worker'
import type { Config } from '../config.ts'
import type { Db } from '../db/client.ts'

export interface MailMessage {
  to: string
  subject: string
  text: string
  html: string
}

/** Outgoing mail, behind an interface so the task does not care how it is delivered. */
export interface Mailer {
  send(msg: MailMessage): Promise<void>
  close(): void
}

// nodemailer waits up to ten minutes on a silent socket by default; a stuck job would hold a
// worker slot that long. An operator can still override these in SMTP_URL's query string.
const TIMEOUTS = { connectionTimeout: 20_000, greetingTimeout: 20_000, socketTimeout: 60_000 }

/** An SMTP mailer for `config.smtp` (smtp://user:pass@host:587, smtps://host:465), or null when mail is not configured. */
export function createMailer(smtp: Config['smtp']): Mailer | null {
  if (!smtp) return null
  const url = new URL(smtp.url)
  for (const [k, v] of Object.entries(TIMEOUTS)) if (!url.searchParams.has(k)) url.searchParams.set(k, String(v))
  const transport = nodemailer.createTransport(url.toString(), { from: smtp.from })
  return {
    async send(msg) {
      // Auto-Submitted keeps out-of-office robots from answering a machine (RFC 3834).
      await transport.sendMail({ to: msg.to, subject: msg.subject, text: msg.text, html: msg.html, headers: { 'Auto-Submitted': 'auto-generated' } })
    },
    close: () => transport.close(),
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)

/** The letter for one notification: plain text and the same in simple HTML, in Ukrainian. */
export function composeEmail(n: { title: string; body: string; link: string | null }, user: { fullName: string; email: string }, publicUrl: string | null): MailMessage {
  // Links are workspace paths; without PUBLIC_URL we do not know the address people use, so none is sent.
  const href = n.link && publicUrl ? publicUrl.replace(/\/+$/, '') + n.link : null
  const footer = 'Цей лист надіслано автоматично системою електронного документообігу Hromada EDMS. Відповідати на нього не потрібно.'
  const text = [
    `Добрий день, ${user.fullName}!`,
    '',
    n.title,
    ...(n.body ? ['', n.body] : []),
    '',
    href ? `Відкрити в Hromada EDMS: ${href}` : 'Сповіщення також є в робочому просторі Hromada EDMS.',
    '',
    '--',
    footer,
  ].join('\n')
  const para = (s: string) => `<p>${escapeHtml(s).replace(/\r?\n/g, '<br>')}</p>`
  const html = [
    '<!doctype html><html lang="uk"><head><meta charset="utf-8"></head><body style="font-family: sans-serif; line-height: 1.5">',
    para(`Добрий день, ${user.fullName}!`),
    `<p><strong>${escapeHtml(n.title)}</strong></p>`,
    n.body ? para(n.body) : '',
    href ? `<p><a href="${escapeHtml(href)}">Відкрити в Hromada EDMS</a></p>` : para('Сповіщення також є в робочому просторі Hromada EDMS.'),
    `<hr><p style="color: #666; font-size: 0.9em">${escapeHtml(footer)}</p>`,
    '</body></html>',
  ].join('\n')
  return { to: user.email, subject: n.title, text, html }
}

/**
 * The 'send_email' task body (payload `{ notificationId }`): mails the notification once and
 * records emailedAt; a no-op without a mailer, for a person without an address, or when already sent.
 */
export function sendEmailTask(deps: { prisma: Db; mailer: Mailer | null; publicUrl: string | null }): Task {
  return async (payload, helpers) => {
    const id = (payload as { notificationId?: unknown } | null)?.notificationId
    if (typeof id !== 'string' || !UUID.test(id)) {
      // Retrying a malformed job cannot help; finish it and say so.
      helpers.logger.error(`send_email: payload without a valid notificationId: ${JSON.stringify(payload)}`)
      return
    }
    if (!deps.mailer) return
    const n = await deps.prisma.notification.findUnique({ where: { id }, include: { user: { select: { email: true, fullName: true, active: true } } } })
    if (!n) {
      helpers.logger.warn(`send_email: notification ${id} no longer exists`)
      return
    }
    // The queue delivers at least once: a retry after a successful send must not mail again.
    if (n.emailedAt) return
    const email = n.user.email?.trim()
    if (!email || !n.user.active) return
    await deps.mailer.send(composeEmail(n, { fullName: n.user.fullName, email }, deps.publicUrl))
    await deps.prisma.notification.updateMany({ where: { id, emailedAt: null }, data: { emailedAt: new Date() } })
    helpers.logger.debug(`send_email: notification ${id} mailed`)
  }
}
