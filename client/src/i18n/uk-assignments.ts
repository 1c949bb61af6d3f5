/** «Доручення»: instructions, resolutions and control of execution (pages/Assignment*.svelte, components/assignments/). */
export const ukAssignments = {
  'asg.title': 'Доручення',
} as const
