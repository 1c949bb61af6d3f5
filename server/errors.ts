/**
 * Stable error codes. Clients and integrators may rely on these names; titles are for people.
 * Every code is documented at GET /api/problems.
 */
export const PROBLEMS = {
  VALIDATION_FAILED: { status: 400, title: 'Некоректні дані запиту' },
  MALFORMED_JSON: { status: 400, title: 'Тіло запиту не є коректним JSON' },
  BAD_REQUEST: { status: 400, title: 'Некоректний запит' },
  INVALID_FILE_NAME: { status: 400, title: 'Неприпустима назва файлу' },
  INCOMPLETE_UPLOAD: { status: 400, title: 'Файл передано не повністю' },
  EMPTY_FILE: { status: 400, title: 'Файл порожній' },
  SAME_VERSION: { status: 400, title: 'Для порівняння потрібні дві різні версії' },
  CALENDAR_DATE_INVALID: { status: 400, title: 'Такої дати немає в календарі або вона поза межами 2000–2100 років' },
  INVALID_RANGE: { status: 416, title: 'Запитаний діапазон байтів неприпустимий' },
  UNAUTHENTICATED: { status: 401, title: 'Потрібно увійти в систему' },
  INVALID_CREDENTIALS: { status: 401, title: 'Неправильний логін або пароль' },
  SESSION_EXPIRED: { status: 401, title: 'Сеанс завершився, увійдіть знову' },
  CSRF_FAILED: { status: 403, title: 'Запит відхилено: відсутній або хибний CSRF-токен' },
  FORBIDDEN: { status: 403, title: 'Недостатньо прав для цієї дії' },
  NOT_FOUND: { status: 404, title: 'Не знайдено' },
  DOCUMENT_NOT_FOUND: { status: 404, title: 'Документ не знайдено' },
  VERSION_NOT_FOUND: { status: 404, title: 'Версію документа не знайдено' },
  UNIT_NOT_FOUND: { status: 404, title: 'Структурний підрозділ не знайдено' },
  POSITION_NOT_FOUND: { status: 404, title: 'Посаду не знайдено' },
  USER_NOT_FOUND: { status: 404, title: 'Користувача не знайдено' },
  NOTIFICATION_NOT_FOUND: { status: 404, title: 'Сповіщення не знайдено' },
  CALENDAR_DAY_NOT_FOUND: { status: 404, title: 'Для цієї дати винятків у календарі немає' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'Метод не підтримується' },
  CONFLICT: { status: 409, title: 'Конфлікт із поточним станом' },
  LOGIN_TAKEN: { status: 409, title: 'Такий логін уже використовується' },
  UNIT_CODE_TAKEN: { status: 409, title: 'Такий код підрозділу вже використовується' },
  UNIT_CYCLE: { status: 409, title: 'Підрозділ не може бути підпорядкований сам собі' },
  POSITION_OCCUPIED: { status: 409, title: 'Посаду вже обіймає інша особа' },
  CALENDAR_DAY_REDUNDANT: { status: 409, title: 'Робочим днем можна позначити лише суботу чи неділю, вихідним — лише день з понеділка по пʼятницю' },
  LAST_ADMIN: { status: 409, title: 'Не можна позбавити систему останнього адміністратора' },
  FILE_TOO_LARGE: { status: 413, title: 'Файл перевищує дозволений розмір' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'Тіло запиту завелике' },
  UNSUPPORTED_FILE_TYPE: { status: 415, title: 'Непідтримуваний тип файлу: дозволено PDF, DOCX, ODT' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Непідтримуваний Content-Type запиту' },
  NO_ROUTE_TEMPLATE: { status: 409, title: 'Для цього виду документа маршрут погодження не налаштовано' },
  ROUTE_UNRESOLVED: { status: 409, title: 'Маршрут неможливо сформувати: немає учасників для етапу' },
  APPROVAL_NOT_FOUND: { status: 404, title: 'Погодження не знайдено' },
  APPROVAL_ALREADY_RUNNING: { status: 409, title: 'Документ уже на погодженні' },
  APPROVAL_FINISHED: { status: 409, title: 'Погодження завершено або відкликано: дії більше неможливі' },
  APPROVAL_RETURNED: { status: 409, title: 'Документ повернуто на доопрацювання: чекаємо нову версію від автора' },
  NOT_RETURNED: { status: 409, title: 'Документ не повертали на доопрацювання' },
  NOT_A_PARTICIPANT: { status: 403, title: 'Ви не є учасником цього етапу погодження' },
  OUT_OF_TURN: { status: 403, title: 'Ваш етап погодження ще не настав' },
  STAGE_CLOSED: { status: 409, title: 'Цей етап погодження вже завершено' },
  ALREADY_DECIDED: { status: 409, title: 'Рішення на цьому етапі вже ухвалено' },
  STALE_VERSION: { status: 409, title: 'Документ має новішу версію: перегляньте її перед рішенням' },
  NEW_VERSION_REQUIRED: { status: 409, title: 'Спершу завантажте нову версію документа' },
  NO_VERSION: { status: 409, title: 'Документ не має жодної версії' },
  COMMENT_REQUIRED: { status: 400, title: 'Зауваження або причину повернення треба викласти в коментарі' },
  REMARKS_REQUIRED: { status: 400, title: 'Висновок із зауваженнями чи негативний має містити зауваження' },
  WRONG_STAGE_KIND: { status: 409, title: 'Ця дія не відповідає виду етапу' },
  SUBSTITUTION_NOT_FOUND: { status: 404, title: 'Заміщення не знайдено' },
  RATE_LIMITED: { status: 429, title: 'Забагато спроб, спробуйте пізніше' },
  INTERNAL: { status: 500, title: 'Внутрішня помилка сервера' },
  UNAVAILABLE: { status: 503, title: 'Сервіс тимчасово недоступний' },
} as const satisfies Record<string, { status: number; title: string }>

export type ProblemCode = keyof typeof PROBLEMS

/** An expected failure with a stable code; the error handler turns it into problem+json. */
export class AppError extends Error {
  readonly status: number
  constructor(
    readonly code: ProblemCode,
    readonly detail?: string,
    readonly extra?: Record<string, unknown>,
  ) {
    super(detail ?? PROBLEMS[code].title)
    this.status = PROBLEMS[code].status
  }
}
