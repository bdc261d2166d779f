import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DiffStatusRow } from '../domain/row.ts';
import { repoBranchKey } from './repo-branch-key.ts';
import type { StaleMark } from './store.ts';
import { buildUpdateExpression, type UpdateExpressionParts } from './update-expression.ts';

/** How a design records a push: what makes the row due, what it clears, what it adds to the write. */
export interface PushShape {
  due: Partial<DiffStatusRow>;
  /** Attributes a push clears (besides `errorCount`). */
  remove: readonly string[];
  /** The attributes that hold the row in the due index (an archived chat stays out of it). */
  indexAttributes: readonly string[];
  /** A last change to the expression, e.g. bumping a version. */
  finish?: (expression: UpdateExpressionParts) => UpdateExpressionParts;
}

/** The diff-status table's writes both DynamoDB designs share. */
export class StatusTable {
  readonly #doc: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(doc: DynamoDBDocumentClient, table: string) {
    this.#doc = doc;
    this.#table = table;
  }

  /** A conditional update; false when the condition failed (nothing written). */
  async updateIf(chatId: string, expression: UpdateExpressionParts, condition: string): Promise<boolean> {
    try {
      await this.update(chatId, expression, condition);
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  async update(chatId: string, expression: UpdateExpressionParts, condition?: string): Promise<void> {
    await this.#doc.send(
      new UpdateCommand({ TableName: this.#table, Key: { chatId }, ...expression, ...(condition ? { ConditionExpression: condition } : {}) }),
    );
  }

  /**
   * `write`, which counts the row's `version` up; when an outside writer stored a version that
   * is no number (DynamoDB refuses the arithmetic), that version is replaced by 1, fenced on
   * the value as stored (a refresh that read it loses its write-back, as after any change),
   * and `write` runs once more. `onReplaced` hears what was replaced.
   */
  async withCountableVersion<T>(chatId: string, write: () => Promise<T>, onReplaced: (problem: string) => void): Promise<T> {
    try {
      return await write();
    } catch (err) {
      if (!isOperandTypeError(err)) throw err;
      const out = await this.#doc.send(
        new GetCommand({ TableName: this.#table, Key: { chatId }, ProjectionExpression: '#version', ExpressionAttributeNames: { '#version': 'version' }, ConsistentRead: true }),
      );
      const seen: unknown = out.Item?.['version'];
      if (seen !== undefined && typeof seen !== 'number') {
        onReplaced(`version ${JSON.stringify(seen)} is not a number`);
        const reset = buildUpdateExpression({ set: { version: 1 }, conditionNames: { '#version': 'version' }, conditionValues: { ':seen': seen } });
        await this.updateIf(chatId, reset, '#version = :seen');
      }
      return write();
    }
  }

  async getRow(chatId: string): Promise<DiffStatusRow | null> {
    const out = await this.#doc.send(new GetCommand({ TableName: this.#table, Key: { chatId }, ConsistentRead: true }));
    return (out.Item as DiffStatusRow | undefined) ?? null;
  }

  /**
   * Records a push: branch and origin, `updatedAt = changedAt = now`, due at once, errors
   * cleared. An archived chat keeps its new branch and origin but stays out of the due index.
   * The webhook index key follows branch and origin at once (removed when the origin names no
   * repository).
   */
  async markStale(chatId: string, mark: StaleMark, shape: PushShape): Promise<void> {
    const finish = shape.finish ?? ((e: UpdateExpressionParts) => e);
    const key = repoBranchKey(mark.gitRemoteOrigin, mark.gitBranch);
    const set = {
      gitBranch: mark.gitBranch,
      gitRemoteOrigin: mark.gitRemoteOrigin,
      updatedAt: mark.now,
      changedAt: mark.now,
      ...(key ? { repoBranchKey: key } : {}),
    };
    const setIfAbsent = { createdAt: mark.now };
    const remove = [...shape.remove, 'errorCount', ...(key ? [] : ['repoBranchKey'])];
    const pollable = buildUpdateExpression({ set: { ...set, ...shape.due }, setIfAbsent, remove, conditionValues: { ':true': true } });
    if (await this.updateIf(chatId, finish(pollable), 'attribute_not_exists(archived) OR archived <> :true')) return;
    await this.update(chatId, finish(buildUpdateExpression({ set, setIfAbsent, remove: [...remove, ...shape.indexAttributes] })));
  }
}

/** DynamoDB's refusal of an update whose arithmetic meets a value of the wrong type (a string `version`). */
function isOperandTypeError(err: unknown): boolean {
  return err instanceof Error && err.name === 'ValidationException' && /incorrect (operand|data) type/i.test(err.message);
}
