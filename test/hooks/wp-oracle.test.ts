/**
 * Replays scenarios recorded on WordPress's own WP_Hook / plugin.php (PHP 8.2)
 * and requires the identical log: mid-run additions and removals at every
 * position, self-removal and re-adding, remove_all during runs, recursion,
 * the `all` hook, has/current/doing/did. See oracle/README.md.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MODES, hooksIn } from './helpers';
import { type Scenario, generateScenarios, runScenario } from './oracle/dsl';

const recorded = JSON.parse(readFileSync(join(__dirname, 'oracle', 'wp-hook-scenarios.json'), 'utf8')) as Scenario[];

describe('scenarios recorded on WordPress', () => {
	test('the fixture is there', () => {
		expect(recorded.length).toBe(150);
	});

	describe.each(MODES)('compile mode %s', (mode) => {
		test.each(recorded.map((sc, i) => [i, sc] as const))('scenario %i gives the WordPress log', (_i, sc) => {
			expect(runScenario(hooksIn(mode), sc)).toEqual(sc.expected);
		});
	});
});

describe('compiled and interpreted runs agree on fresh random scenarios', () => {
	const scenarios = generateScenarios(400, 20260523);
	test('400 scenarios: always === never === auto', () => {
		for (const sc of scenarios) {
			const never = runScenario(hooksIn('never'), sc);
			expect(runScenario(hooksIn('always'), sc)).toEqual(never);
			expect(runScenario(hooksIn('auto'), sc)).toEqual(never);
		}
	});
});
