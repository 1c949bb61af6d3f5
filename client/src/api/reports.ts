// Reports on control of execution and on approval stages (server/reports/). The figures come
// from the server in one answer per table; the exports are plain links (the session cookie
// goes with them), so the browser downloads them with the server's file names.
import { apiUrl, request } from './http.ts'
import type {
  ApprovalsOut,
  ApprovalsQuery,
  DisciplineOut,
  DisciplineQuery,
  DisciplineRow,
  Figures,
  GroupBy,
  ReportScopeOut,
  SlowStage,
  StageDurationRow,
} from '../../../server/reports/schemas.ts'

export type { ApprovalsOut, ApprovalsQuery, DisciplineOut, DisciplineQuery, DisciplineRow, Figures, GroupBy, ReportScopeOut, SlowStage, StageDurationRow }
export type ScopeUnit = ReportScopeOut['units'][number]
export type ExportFormat = 'csv' | 'xlsx' | 'pdf'
export const EXPORT_FORMATS: readonly ExportFormat[] = ['csv', 'xlsx', 'pdf']

type Signal = AbortSignal | undefined

export const reportsApi = {
  /** The units the signed-in person may report on, in tree order. */
  scope: (signal?: Signal) => request<ReportScopeOut>('GET', '/reports/scope', { signal }),
  /** Execution discipline for [from, to): per unit (optionally with sub-units rolled up) or per person. */
  discipline: (q: DisciplineQuery, signal?: Signal) => request<DisciplineOut>('GET', '/reports/discipline', { query: { ...q }, signal }),
  /** Approval stages finished in [from, to): durations per stage and the slowest ones. */
  approvals: (q: ApprovalsQuery, signal?: Signal) => request<ApprovalsOut>('GET', '/reports/approvals', { query: { ...q }, signal }),
  /** The address of the discipline report as a file (CSV for Excel, XLSX, printable PDF). */
  exportUrl: (format: ExportFormat, q: DisciplineQuery) => apiUrl(`/reports/discipline.${format}`, { ...q }),
}
