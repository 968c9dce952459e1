package dev.backout.execution;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import dev.backout.target.Target;
import dev.backout.target.Targets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Component;

/**
 * Settles attempts left STARTED by a lost connection or a console that died, at start-up, every
 * {@code backout.execution.settle-interval}, on the next view or action of the incident, and on
 * an admin's demand. An attempt is touched only when no live console holds its incident's
 * executor lease. Its step's sessions on the target are ended first and waited for; then
 * {@link Verdict} decides: committed → SUCCEEDED, no marker → FAILED (safe to retry); a
 * non-transactional step becomes UNKNOWN for a person to settle; checks and checklist items
 * changed nothing and become FAILED without asking the target.
 */
@Component
class Recovery {

	private static final Logger log = LoggerFactory.getLogger(Recovery.class);

	private final StepJournal journal;

	private final Targets targets;

	private final ExecutorLeases leases;

	/** When a view last asked a target to settle an incident's step, so refreshes do not hammer it. */
	private final Map<Long, Long> lastTry = new ConcurrentHashMap<>();

	private static final Duration VIEW_RETRY = Duration.ofSeconds(5);

	/**
	 * How long settling one incident waits for its lease: a settlement pass holds it for a
	 * statement or two, and a view that found it busy would show the step as still running.
	 */
	private static final Duration LEASE_PATIENCE = Duration.ofMillis(500);

	Recovery(StepJournal journal, Targets targets, ExecutorLeases leases) {
		this.journal = journal;
		this.targets = targets;
		this.leases = leases;
	}

	/** What one pass settled, and what it had to leave, with why. */
	public record Report(List<StepRun> settled, List<String> left) {

		Report add(Report other) {
			List<StepRun> runs = new ArrayList<>(this.settled);
			runs.addAll(other.settled);
			List<String> reasons = new ArrayList<>(this.left);
			reasons.addAll(other.left);
			return new Report(runs, reasons);
		}

	}

	/** Settles every orphaned attempt. @param actor null when the console does it by itself */
	Report recover(Authentication actor) {
		Report report = new Report(List.of(), List.of());
		for (StepRun run : this.journal.started()) {
			try {
				report = report.add(settle(run, actor, Duration.ZERO));
			}
			catch (RuntimeException ex) {
				// One attempt that cannot be settled now must not keep the others from it.
				log.warn("Could not settle incident {} step {}: {}", run.incidentId(), run.stepId(), ex.getMessage());
				report = report.add(left("incident " + run.incidentId() + " step " + run.stepId() + ": " + ex.getMessage()));
			}
		}
		return report;
	}

	@Scheduled(fixedDelayString = "${backout.execution.settle-interval:20s}",
			initialDelayString = "${backout.execution.settle-interval:20s}")
	void settleOrphans() {
		try {
			Report report = recover(null);
			if (!report.settled().isEmpty()) {
				log.warn("Settled {} interrupted step attempts", report.settled().size());
			}
		}
		catch (RuntimeException ex) {
			log.warn("Settling interrupted step attempts failed this time: {}", ex.getMessage());
		}
	}

	/**
	 * Settles the incident's attempt left STARTED, if it has one and no live console runs it. Views
	 * call this on every refresh, so a target that does not answer is asked at most every few seconds.
	 */
	Report recover(long incidentId, Authentication actor) {
		Optional<StepRun> started = this.journal.inFlight(incidentId);
		if (started.isEmpty()) {
			this.lastTry.remove(incidentId);
			return new Report(List.of(), List.of());
		}
		long now = System.nanoTime();
		Long last = this.lastTry.get(incidentId);
		if (actor == null && last != null && now - last < VIEW_RETRY.toNanos()) {
			return left("incident " + incidentId + " was tried a moment ago");
		}
		this.lastTry.put(incidentId, now);
		return settle(started.get(), actor, LEASE_PATIENCE);
	}

	private Report settle(StepRun run, Authentication actor, Duration patience) {
		String which = "incident " + run.incidentId() + " step " + run.stepId();
		Optional<ExecutorLeases.Lease> lease = this.leases.take(run.incidentId(), patience);
		if (lease.isEmpty()) {
			return left(which + " is still running in a console");
		}
		try (ExecutorLeases.Lease held = lease.get()) {
			StepRun current = this.journal.get(run.id());
			if (current.state() != StepState.STARTED) {
				return new Report(List.of(), List.of());
			}
			if (!Verdict.needsTarget(current.kind())) {
				return settled(decide(current, false, actor));
			}
			Target target = this.targets.get(current.targetId());
			boolean committed;
			try (Connection connection = this.targets.connect(target, "backout settlement")) {
				if (!TargetSession.endBackends(connection, current.incidentId())) {
					return left(which + ": its old session on target " + target.name() + " is still ending");
				}
				committed = TargetSession.committed(connection, current.incidentId(), current.stepId(), current.attempt());
			}
			catch (SQLException ex) {
				log.info("Could not reach target {} to settle {}: {}", target.name(), which, ex.getMessage());
				this.journal.settling(current.id(), "The console has not reached target " + target.name()
						+ " yet to learn what the step did; it keeps trying. Nothing is sent again before that.");
				return left(which + ": target " + target.name() + " cannot be reached ("
						+ FailureExplanation.firstLine(ex.getMessage()) + ")");
			}
			return settled(decide(current, committed, actor));
		}
	}

	/** The old session is gone: {@link Verdict} decides. */
	private StepRun decide(StepRun run, boolean committed, Authentication actor) {
		Verdict verdict = Verdict.of(run.kind(), run.transactional(), committed);
		return this.journal.settle(run.id(), verdict.state(), "Settled after the attempt was interrupted: " + verdict.reason(),
				actor);
	}

	private static Report settled(StepRun run) {
		return new Report(List.of(run), List.of());
	}

	private static Report left(String why) {
		return new Report(List.of(), List.of(why));
	}

}
