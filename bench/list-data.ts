/**
 * Test data for bench/list.ts: the seeded organisation plus `count` documents with realistic
 * Ukrainian titles, various kinds, statuses and access marks, spread over the seeded units and
 * their people; most have 1-3 version rows (numbers 1..version_count; no bytes behind them).
 * Deterministic (setseed) apart from ids and now().
 */
import pg from 'pg'
import { log, seedDemo } from './lib.ts'

export const TITLES = [
  'Про затвердження Програми цифрової трансформації Дрогобицької міської територіальної громади на 2026–2028 роки',
  'Про внесення змін до бюджету Дрогобицької міської територіальної громади на 2026 рік',
  'Про надання дозволу на розроблення проєкту землеустрою щодо відведення земельної ділянки',
  'Про затвердження Положення про відділ інформаційних технологій, аналізу та цифрової трансформації',
  'Про встановлення тарифів на послуги з поводження з побутовими відходами',
  'Про організацію роботи зі зверненнями громадян у виконавчих органах міської ради',
  'Про проведення громадських слухань щодо проєкту генерального плану міста Дрогобича',
  'Про затвердження посадової інструкції головного спеціаліста відділу інформаційної політики',
  'Про заходи з підготовки житлового фонду до опалювального сезону 2026–2027 років',
  'Про присвоєння поштової адреси об’єкту нерухомого майна на вулиці Шевченка',
  'Про внесення змін до Регламенту виконавчого комітету Дрогобицької міської ради',
  'Щодо надання публічної інформації на запит громадської організації',
  'Звернення щодо ремонту дорожнього покриття на вулиці Івана Франка',
  'Висновок експертизи проєкту рішення щодо запровадження електронного документообігу',
  'Про затвердження Інструкції з діловодства у виконавчих органах міської ради',
  'Про відзначення Дня місцевого самоврядування',
  'Про передачу майна комунальної власності на баланс комунального підприємства «Дрогобичтеплоенерго»',
  'Лист щодо погодження технічних умов на приєднання до мереж водопостачання',
  'Про скликання чергової сесії Дрогобицької міської ради VIII скликання',
  'Про затвердження плану заходів з енергозбереження в закладах бюджетної сфери',
  'Про створення робочої групи з питань впровадження системи «Прозорі закупівлі»',
  'Про затвердження Порядку захисту персональних даних у міській раді',
  'Розпорядження про відпустку працівникам управління житлово-комунального господарства',
  'Про надання матеріальної допомоги внутрішньо переміщеним особам',
]
export const SUMMARIES = [
  'Проєкт підготовлено відповідно до Закону України «Про місцеве самоврядування в Україні» та з урахуванням пропозицій постійних комісій міської ради.',
  'Документ визначає порядок взаємодії структурних підрозділів, строки виконання та відповідальних осіб.',
  'Погоджено з юридичним відділом; фінансово-економічне обґрунтування додається.',
  '',
  'Підготовлено на виконання доручення міського голови. Потребує погодження заступника міського голови.',
  'Звернення зареєстровано загальним відділом; відповідь надати у строк, визначений законом.',
]

const DOCUMENTS_SQL = `
WITH authors AS MATERIALIZED (
  SELECT (row_number() OVER (ORDER BY u.login))::int AS i, u.id AS user_id, p.unit_id
    FROM position_holder ph
    JOIN position p ON p.id = ph.position_id
    JOIN app_user u ON u.id = ph.user_id
), n AS (SELECT count(*)::int AS c FROM authors),
g AS MATERIALIZED (
  SELECT s, random() AS r_author, random() AS r_kind, random() AS r_title, random() AS r_num, random() AS r_sum,
         random() AS r_access, random() AS r_status, random() AS r_age, random() AS r_upd, random() AS r_ver
    FROM generate_series(1, $3::int) AS s
)
INSERT INTO document (id, kind, title, summary, author_unit_id, access_mark, status, created_by_id, created_at, updated_at, version_count)
SELECT gen_random_uuid(),
       (enum_range(NULL::"DocumentKind"))[1 + floor(g.r_kind * 9)::int],
       ($1::text[])[1 + floor(g.r_title * array_length($1::text[], 1))::int]
         || CASE WHEN g.r_num < 0.6 THEN ' (№ ' || (100 + g.s) || ')' ELSE '' END,
       ($2::text[])[1 + floor(g.r_sum * array_length($2::text[], 1))::int],
       a.unit_id,
       (CASE WHEN g.r_access < 0.70 THEN 'public' WHEN g.r_access < 0.92 THEN 'internal' ELSE 'personal_data' END)::"AccessMark",
       (CASE WHEN g.r_status < 0.40 THEN 'draft' WHEN g.r_status < 0.55 THEN 'in_approval' WHEN g.r_status < 0.65 THEN 'approved'
             WHEN g.r_status < 0.75 THEN 'signed' WHEN g.r_status < 0.90 THEN 'registered' WHEN g.r_status < 0.95 THEN 'withdrawn'
             ELSE 'archived' END)::"DocumentStatus",
       a.user_id,
       now() - g.r_age * interval '730 days',
       LEAST(now(), now() - g.r_age * interval '730 days' + g.r_upd * interval '30 days'),
       CASE WHEN g.r_ver < 0.15 THEN 0 ELSE 1 + floor((g.r_ver - 0.15) / 0.85 * 3)::int END
  FROM g CROSS JOIN n JOIN authors a ON a.i = 1 + floor(g.r_author * n.c)::int`

const VERSIONS_SQL = `
INSERT INTO version (id, document_id, number, sha256, size, media_type, file_name, comment, created_by_id, created_at)
SELECT gen_random_uuid(), d.id, v.n,
       encode(sha256(convert_to(d.id::text || ':' || v.n, 'UTF8')), 'hex'),
       (20000 + random() * 8000000)::bigint,
       CASE WHEN v.n % 2 = 1 THEN 'application/pdf' ELSE 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' END,
       'Проєкт документа (версія ' || v.n || ').' || CASE WHEN v.n % 2 = 1 THEN 'pdf' ELSE 'docx' END,
       CASE WHEN v.n > 1 THEN 'Враховано зауваження юридичного відділу' ELSE '' END,
       d.created_by_id,
       LEAST(d.updated_at, d.created_at + (v.n - 1) * interval '1 day')
  FROM document d CROSS JOIN LATERAL generate_series(1, d.version_count) AS v(n)`

/** Seeds the organisation like a first start, then bulk-inserts documents and their version rows. */
export async function fillDatabase(databaseUrl: string, count: number): Promise<void> {
  await seedDemo(databaseUrl)
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    const started = Date.now()
    await client.query('BEGIN')
    await client.query('SELECT setseed(0.4242)')
    const docs = await client.query(DOCUMENTS_SQL, [TITLES, SUMMARIES, count])
    const versions = await client.query(VERSIONS_SQL)
    await client.query('COMMIT')
    await client.query('ANALYZE')
    const { rows } = await client.query<{ access_mark: string; n: string }>('SELECT access_mark::text, count(*) AS n FROM document GROUP BY 1 ORDER BY 1')
    log(
      `inserted ${docs.rowCount} documents and ${versions.rowCount} versions in ${Date.now() - started} ms ` +
        `(${rows.map((r) => `${r.access_mark} ${r.n}`).join(', ')}); ANALYZE done`,
    )
  } finally {
    await client.end()
  }
}
