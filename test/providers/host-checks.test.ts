import assert from 'node:assert/strict';
import { test } from 'node:test';
import { latestPerKey, mergeabilityOf, verdictIn, type CheckReport } from '../../src/domain/checks.ts';
import { COMMIT_STATUS_VERDICTS, isConflictStatus } from '../../src/providers/bitbucket-cloud/checks.ts';
import { BUILD_VERDICTS, buildStatusApiUrl, mergeCheckOutcome } from '../../src/providers/bitbucket-server/checks.ts';
import { mergeStatusMergeability, PULL_REQUEST_STATUS_VERDICTS } from '../../src/providers/azure-devops/checks.ts';

const report = (key: string, verdict: CheckReport['verdict'], order: number, name = key): CheckReport => ({ key, name, verdict, order });

test('latestPerKey: the latest report per key wins, whatever the listing order; keys keep their first place', () => {
  const cases: [string, CheckReport[], { name: string; verdict: string }[]][] = [
    ['none', [], []],
    ['one', [report('a', 'passed', 1)], [{ name: 'a', verdict: 'passed' }]],
    ['re-run later', [report('a', 'failed', 1), report('a', 'passed', 2)], [{ name: 'a', verdict: 'passed' }]],
    ['listed newest first', [report('a', 'passed', 2), report('a', 'failed', 1)], [{ name: 'a', verdict: 'passed' }]],
    ['same key, later name shown', [report('k', 'pending', 1, 'old'), report('k', 'failed', 5, 'new'), report('j', 'passed', 3)], [{ name: 'new', verdict: 'failed' }, { name: 'j', verdict: 'passed' }]],
    ['a tie keeps the first listed', [report('a', 'failed', 1), report('a', 'passed', 1)], [{ name: 'a', verdict: 'failed' }]],
  ];
  for (const [name, reports, expected] of cases) assert.deepEqual(latestPerKey(reports), expected, name);
});

test('mergeabilityOf: closed and merged PRs have none, a draft is draft, only an open ready PR asks the host', async () => {
  let asked = 0;
  const host = () => {
    asked++;
    return 'conflicts' as const;
  };
  assert.equal(await mergeabilityOf('merged', false, host), undefined);
  assert.equal(await mergeabilityOf('closed', true, host), undefined);
  assert.equal(await mergeabilityOf('open', true, host), 'draft');
  assert.equal(asked, 0);
  assert.equal(await mergeabilityOf('open', false, host), 'conflicts');
  assert.equal(await mergeabilityOf('open', false, async () => 'clean' as const), 'clean');
  assert.equal(asked, 1);
});

test('Bitbucket Cloud commit status states and diffstat conflict statuses', () => {
  const verdicts: [string, string][] = [['SUCCESSFUL', 'passed'], ['FAILED', 'failed'], ['STOPPED', 'failed'], ['INPROGRESS', 'pending'], ['PAUSED', 'neutral'], ['', 'neutral'], ['constructor', 'neutral'], ['__proto__', 'neutral']];
  for (const [state, verdict] of verdicts) assert.equal(verdictIn(COMMIT_STATUS_VERDICTS, state), verdict, state);
  for (const status of ['merge conflict', 'rename conflict', 'rename/delete conflict', 'subrepo conflict', 'local deleted', 'remote deleted']) assert.equal(isConflictStatus(status), true, status);
  for (const status of ['modified', 'added', 'removed', 'renamed', undefined]) assert.equal(isConflictStatus(status), false, String(status));
});

test('Bitbucket Data Center build states, the build-status API beside the core one, the merge check', () => {
  const verdicts: [string, string][] = [['SUCCESSFUL', 'passed'], ['FAILED', 'failed'], ['CANCELLED', 'failed'], ['INPROGRESS', 'pending'], ['UNKNOWN', 'neutral'], ['odd', 'neutral']];
  for (const [state, verdict] of verdicts) assert.equal(verdictIn(BUILD_VERDICTS, state), verdict, state);
  const urls: [string, string, string][] = [
    ['https://bb.example.com/rest/api/latest', 'https://bb.example.com', 'https://bb.example.com/rest/build-status/1.0'],
    ['https://h.example.com/bitbucket/rest/api/1.0/', 'https://h.example.com/bitbucket', 'https://h.example.com/bitbucket/rest/build-status/1.0'],
    ['https://proxy.example.com/bb-api', 'https://h.example.com/bitbucket', 'https://h.example.com/bitbucket/rest/build-status/1.0'],
  ];
  for (const [api, web, expected] of urls) assert.equal(buildStatusApiUrl(api, web), expected, api);
  const merges: [unknown, string][] = [
    [{ canMerge: true, conflicted: false, outcome: 'CLEAN', vetoes: [] }, 'clean'],
    [{ canMerge: false, conflicted: true, outcome: 'CONFLICTED', vetoes: [] }, 'conflicts'],
    [{ canMerge: false, outcome: 'CONFLICTED' }, 'conflicts'],
    [{ canMerge: false, conflicted: false, outcome: 'CLEAN', vetoes: [{ summaryMessage: 'Needs approval' }] }, 'blocked'],
    [{ canMerge: false, conflicted: false, outcome: 'UNKNOWN', vetoes: [] }, 'unknown'],
    [{ canMerge: false, conflicted: false, outcome: 'CLEAN', vetoes: [] }, 'blocked'],
  ];
  for (const [answer, expected] of merges) assert.equal(mergeCheckOutcome(answer), expected, JSON.stringify(answer));
  assert.throws(() => mergeCheckOutcome({ conflicted: false }), /canMerge/);
});

test('Azure DevOps status states and merge statuses', () => {
  const verdicts: [string, string][] = [['succeeded', 'passed'], ['failed', 'failed'], ['error', 'failed'], ['pending', 'pending'], ['notSet', 'neutral'], ['notApplicable', 'neutral'], ['odd', 'neutral']];
  for (const [state, verdict] of verdicts) assert.equal(verdictIn(PULL_REQUEST_STATUS_VERDICTS, state), verdict, state);
  const merges: [string | undefined, string][] = [
    ['succeeded', 'clean'], ['conflicts', 'conflicts'], ['rejectedByPolicy', 'blocked'], ['failure', 'blocked'], ['queued', 'unknown'], ['notSet', 'unknown'], [undefined, 'unknown'],
  ];
  for (const [status, expected] of merges) assert.equal(mergeStatusMergeability(status), expected, String(status));
});
