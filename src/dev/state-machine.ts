import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { TEMPLATE_PATH, type CfnTemplate } from './template.ts';

/** An `AWS::Serverless::StateMachine` of the template with its definition file read. */
export interface StateMachineSource {
  logicalId: string;
  definitionPath: string;
  /** The definition as written, `${Name}` placeholders included. */
  text: string;
  /** The template's `DefinitionSubstitutions` (values as intrinsics, unresolved). */
  substitutions: Record<string, unknown>;
}

export function stateMachineSource(
  template: CfnTemplate,
  logicalId: string,
  templatePath = TEMPLATE_PATH,
): StateMachineSource {
  const resource = template.Resources[logicalId];
  if (resource?.Type !== 'AWS::Serverless::StateMachine') {
    throw new Error(`template has no AWS::Serverless::StateMachine "${logicalId}"`);
  }
  const uri = resource.Properties?.DefinitionUri;
  if (typeof uri !== 'string') throw new Error(`${logicalId}.DefinitionUri must be a local file path`);
  const definitionPath = resolve(dirname(templatePath), uri);
  return {
    logicalId,
    definitionPath,
    text: readFileSync(definitionPath, 'utf8'),
    substitutions: (resource.Properties?.DefinitionSubstitutions ?? {}) as Record<string, unknown>,
  };
}

/** The `${Name}` placeholders CloudFormation fills from DefinitionSubstitutions. */
export function placeholders(text: string): Set<string> {
  return new Set([...text.matchAll(/\$\{([^}]*)\}/g)].map((m) => m[1] ?? ''));
}

/** The definition with each placeholder replaced, as CloudFormation does before creating it. */
export function substituteDefinition(text: string, values: Record<string, string>): unknown {
  const filled = text.replace(/\$\{([^}]*)\}/g, (whole, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no substitution for ${whole}`);
    return value;
  });
  return JSON.parse(filled);
}
