package dev.backout.execution;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import org.springframework.stereotype.Component;

/**
 * Steps by outcome, kind and SQLSTATE ({@code backout.steps}), and how long they took
 * ({@code backout.step.duration}): what an operator watches for a rollback that starts failing.
 * SQLSTATE is a bounded set of five-character codes; "none" when the step raised none.
 */
@Component
class StepMetrics {

	private final MeterRegistry meters;

	StepMetrics(MeterRegistry meters) {
		this.meters = meters;
	}

	void record(PlannedStep step, StepRun run) {
		String outcome = run.state().name();
		String kind = step.kind().name();
		String sqlstate = (run.sqlstate() != null && run.sqlstate().matches("[0-9A-Z]{5}")) ? run.sqlstate() : "none";
		Counter.builder("backout.steps").description("Step attempts by outcome").tag("outcome", outcome).tag("kind", kind)
			.tag("sqlstate", sqlstate).register(this.meters).increment();
		if (run.duration() != null) {
			Timer.builder("backout.step.duration").description("Time a step attempt took on its target").tag("outcome", outcome)
				.tag("kind", kind).register(this.meters).record(run.duration());
		}
	}

}
