package dev.backout.execution;

import java.util.List;

import dev.backout.runbook.Expectation;
import dev.backout.runbook.ManualInput;
import dev.backout.runbook.PhaseName;
import dev.backout.runbook.Step;

/**
 * One step as it will run: its statements already split, its limits resolved to defaults.
 *
 * @param statements the SQL sent, in order (a check's query, or a script's statements)
 * @param transactional whether the step runs in one target transaction with its marker row
 * @param timeoutMillis statement_timeout for every statement of the step
 * @param lockTimeoutMillis lock_timeout for every statement of the step
 * @param dynamicSql the runbook says the step's SQL decides its effect when it runs (DO, EXECUTE)
 */
public record PlannedStep(PhaseName phase, String stepId, String title, Step.Kind kind, List<String> statements,
		boolean transactional, boolean destructive, String confirm, String countBefore, long timeoutMillis,
		long lockTimeoutMillis, Expectation expect, List<String> backupTables, List<ManualInput> inputs, boolean dynamicSql) {

	public PlannedStep {
		statements = List.copyOf(statements);
		backupTables = List.copyOf(backupTables);
		inputs = List.copyOf(inputs);
	}

	/**
	 * Whether losing the journal's record of this step to a crash of the console's database would
	 * be harmless, so the record need not wait for the disk: the target's marker proves whether a
	 * transactional step or a backup committed, and a check only reads and may run again. A step
	 * outside a transaction and a checklist tick have nothing else that remembers them.
	 */
	boolean recoverableWithoutJournal() {
		return (this.kind == Step.Kind.SQL && this.transactional) || this.kind == Step.Kind.BACKUP
				|| this.kind == Step.Kind.CHECK;
	}

	/** The same step with a lock timeout no longer than {@code millis} (a rehearsal waits less). */
	PlannedStep withLockTimeoutAtMost(long millis) {
		return new PlannedStep(phase, stepId, title, kind, statements, transactional, destructive, confirm, countBefore,
				timeoutMillis, Math.min(lockTimeoutMillis, millis), expect, backupTables, inputs, dynamicSql);
	}

}
