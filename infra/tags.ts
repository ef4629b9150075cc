/** Tags every taggable resource of the stack carries, so cost and ownership are traceable. */
export function stackTags(project: string, stack: string): Record<string, string> {
  return { "stellar-insights:project": project, "stellar-insights:stack": stack };
}
