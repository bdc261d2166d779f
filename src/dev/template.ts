import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { yamlParse } from 'yaml-cfn';

/** The SAM template at the repository root, parsed with its intrinsic tags. */
export const TEMPLATE_PATH = fileURLToPath(new URL('../../template.yaml', import.meta.url));

export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
  [key: string]: unknown;
}
export interface CfnTemplate {
  Parameters?: Record<string, { Type: string; Default?: unknown; [key: string]: unknown }>;
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, unknown>;
  [key: string]: unknown;
}

export function loadTemplate(path = TEMPLATE_PATH): CfnTemplate {
  return yamlParse(readFileSync(path, 'utf8')) as CfnTemplate;
}

/** The tables gitsync owns, by their logical ids in the template. */
export type TableResource = 'DiffStatusTable' | 'TokensTable' | 'WebhookDeliveriesTable' | 'HttpCacheTable';

/**
 * CreateTable input for a table of the template, so local tables are exactly the deployed
 * ones. Only the properties CreateTable understands are carried over; deployment-only ones
 * (PITR, deletion protection) do not change behaviour.
 */
export function createTableInput(
  resource: TableResource,
  tableName: string,
  template: CfnTemplate = loadTemplate(),
): CreateTableCommandInput {
  const table = template.Resources[resource];
  if (table?.Type !== 'AWS::DynamoDB::Table' || !table.Properties) {
    throw new Error(`template.yaml has no AWS::DynamoDB::Table named ${resource}`);
  }
  const p = table.Properties;
  return {
    TableName: tableName,
    BillingMode: p.BillingMode as CreateTableCommandInput['BillingMode'],
    AttributeDefinitions: p.AttributeDefinitions as CreateTableCommandInput['AttributeDefinitions'],
    KeySchema: p.KeySchema as CreateTableCommandInput['KeySchema'],
    ...(p.GlobalSecondaryIndexes
      ? { GlobalSecondaryIndexes: p.GlobalSecondaryIndexes as CreateTableCommandInput['GlobalSecondaryIndexes'] }
      : {}),
  };
}
