/** «Звіти»: execution discipline and approval durations (pages/ReportsPage.svelte, components/reports/). */
export const ukReports = {
  'rep.title': 'Звіти',
} as const
