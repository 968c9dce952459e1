package dev.backout.execution;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.backout.target.Target;
import dev.backout.target.Targets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Component;

/**
 * Settles attempts left STARTED by a console that died. It first takes the target's execution
 * lock: if another console holds it, its step is still running and is left alone. Otherwise
 * the target's marker decides: committed → SUCCEEDED, absent → FAILED (safe to retry); a
 * non-transactional step has no marker and becomes UNKNOWN for a person to resolve.
 */
@Component
class Recovery {

	private static final Logger log = LoggerFactory.getLogger(Recovery.class);

	private final StepJournal journal;

	private final Targets targets;

	Recovery(StepJournal journal, Targets targets) {
		this.journal = journal;
		this.targets = targets;
	}

	/** @param actor null when the console recovers by itself at start-up */
	List<StepRun> recover(Authentication actor) {
		Map<Long, List<StepRun>> byTarget = new LinkedHashMap<>();
		this.journal.started().forEach((run) -> byTarget.computeIfAbsent(run.targetId(), (id) -> new ArrayList<>()).add(run));
		List<StepRun> settled = new ArrayList<>();
		for (Map.Entry<Long, List<StepRun>> entry : byTarget.entrySet()) {
			Target target = this.targets.get(entry.getKey());
			try (TargetSession session = TargetSession.open(this.targets, target, "backout recovery")) {
				for (StepRun run : entry.getValue()) {
					settled.add(settle(session, run, actor));
				}
			}
			catch (ExecutionRefused busy) {
				log.info("Recovery skipped target {}: {}", target.name(), busy.getMessage());
			}
			catch (SQLException ex) {
				log.warn("Recovery could not reach target {}: {}", target.name(), ex.getMessage());
			}
		}
		return settled;
	}

	private StepRun settle(TargetSession session, StepRun run, Authentication actor) throws SQLException {
		if (run.kind().equals("CHECK") || run.kind().equals("MANUAL")) {
			return this.journal.settle(run.id(), StepState.FAILED,
					"Interrupted " + run.kind().toLowerCase() + "; it changed nothing and can run again.", actor);
		}
		if (!run.transactional()) {
			return this.journal.settle(run.id(), StepState.UNKNOWN, "Interrupted outside a transaction: the target may "
					+ "or may not have applied it. A person must decide, helped by the step's verification check.", actor);
		}
		if (session.markerExists(run.incidentId(), run.stepId(), run.attempt())) {
			return this.journal.settle(run.id(), StepState.SUCCEEDED,
					"Recovered: the target committed this attempt (its marker row exists).", actor);
		}
		return this.journal.settle(run.id(), StepState.FAILED,
				"Recovered: the target did not commit this attempt (no marker row); it is safe to retry.", actor);
	}

}
