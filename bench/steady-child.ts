/**
 * One steady-state run of the scale section (`steadyState`) in a process of its own, so it
 * runs beside another on the second core. Input: one JSON argument; output: the run's JSON, last line.
 */
import { steadyState, type SteadyInput } from './scenarios/scale.ts';

const input = JSON.parse(process.argv[2] ?? '{}') as SteadyInput;
console.log(JSON.stringify(await steadyState(input.endpoint, input.rows, input.store, input.options)));
process.exit(0);
