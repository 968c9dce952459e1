package dev.backout.execution;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.backout.IntegrationTest;
import dev.backout.ScratchTargets;
import dev.backout.runbook.LoadedRunbook;
import dev.backout.runbook.ManualInput;
import dev.backout.runbook.Outcome;
import dev.backout.runbook.PhaseName;
import dev.backout.runbook.RunbookCatalog;
import dev.backout.runbook.Step;
import dev.backout.system.DemoTarget;
import dev.backout.target.SchemaSnapshots;
import dev.backout.target.Target;
import dev.backout.target.Targets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.security.authentication.TestingAuthenticationToken;

import static dev.backout.ScratchTargets.COMMANDER;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every seed runbook, through the console's executor, on a freshly built demo target: pre-checks
 * pass, every step of the decision succeeds (destructive ones with their typed confirmation,
 * checklist items with their inputs), verification passes, the schema diff shows the rollback,
 * and a second incident's pre-checks then refuse to run it again.
 */
@IntegrationTest
class SeedExecutionIntegrationTests {

	@Autowired
	Executions executions;

	@Autowired
	RunbookCatalog catalog;

	@Autowired
	DemoTarget demo;

	@Autowired
	Targets targets;

	@ParameterizedTest(name = "{0}: {1}")
	@CsvSource(delimiter = '|', value = {
			"core-schema-202510041230|ROLLBACK||- table public.vision (row level security)",
			"memory-schema-rls|ROLLBACK||- table public.memory_chunks (row level security)",
			"knowledge-base-transformation|PARTIAL|Option 1: set temporary passwords|+ table public.digital_twins",
			"sponsor-coaching|ROLLBACK||- table public.sponsor_connections",
			"ecto-schema-alignment|ROLLBACK||+ table public.detection_events" })
	void theSeedRunbookRollsBackTheDemoTarget(String runbookId, Outcome outcome, String partialAnswer,
			String expectedChange) {
		this.demo.reset(new TestingAuthenticationToken("admin", null, "ROLE_ADMIN"));
		LoadedRunbook loaded = this.catalog.get(runbookId);
		Target target = this.targets.findByName("demo").orElseThrow();
		ExecutionPlan plan = this.executions.prepare(loaded.runbook(), loaded.hash(), outcome,
				partialSteps(loaded, partialAnswer), target);
		long incident = ScratchTargets.nextIncident();

		List<StepRun> prechecks = this.executions.runChecks(incident, plan, PhaseName.PRECHECK, COMMANDER);
		assertThat(prechecks).isNotEmpty().allSatisfy((run) -> assertThat(run.state()).as(run.stepId()).isEqualTo(StepState.SUCCEEDED));
		String before = this.executions.snapshot(incident, plan, SchemaSnapshots.Kind.BEFORE);

		Optional<PlannedStep> next = this.executions.next(incident, plan);
		while (next.isPresent()) {
			PlannedStep step = next.get();
			StepRun run = this.executions.runStep(incident, plan, step.stepId(), COMMANDER, step.confirm(), inputsFor(step), Admission.NONE);
			assertThat(run.state()).as("%s: %s", step.stepId(), run.error()).isEqualTo(StepState.SUCCEEDED);
			if (step.destructive() && step.countBefore() != null) {
				assertThat(run.countBefore()).as("rows at stake for %s", step.stepId()).isNotNull();
			}
			next = this.executions.next(incident, plan);
		}
		String after = this.executions.snapshot(incident, plan, SchemaSnapshots.Kind.AFTER);
		assertThat(SchemaSnapshots.diff(before, after)).extracting((c) -> c.sign() + " " + c.line()).contains(expectedChange);

		if (outcome == Outcome.ROLLBACK) {
			long again = ScratchTargets.nextIncident();
			assertThat(this.executions.runChecks(again, plan, PhaseName.PRECHECK, COMMANDER))
				.anySatisfy((run) -> assertThat(run.state()).isEqualTo(StepState.FAILED));
		}
	}

	private static Map<String, String> inputsFor(PlannedStep step) {
		Map<String, String> inputs = new HashMap<>();
		for (ManualInput input : step.inputs()) {
			inputs.put(input.name(), input.options().isEmpty() ? "recorded by the test" : input.options().get(0));
		}
		return (step.kind() == Step.Kind.MANUAL) ? inputs : Map.of();
	}

	private static List<String> partialSteps(LoadedRunbook loaded, String answer) {
		return (answer == null) ? List.of() : loaded.runbook().decision().answerNamed(answer).orElseThrow().steps();
	}

}
