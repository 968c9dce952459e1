package dev.backout.runbook;

import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One step of a phase: exactly one of {@code sql}, {@code check}, {@code manual} or
 * {@code backup} is set, and that decides its {@link Kind}.
 */
public record Step(String id, String title, String description, Boolean optional, String sql, String check,
		String manual, List<String> backup, Expectation expect, List<ManualInput> inputs, Boolean destructive,
		String confirm, String countBefore, String timeout, String lockTimeout, Boolean transaction, Boolean dynamicSql) {

	public Step {
		backup = (backup != null) ? List.copyOf(backup) : List.of();
		inputs = (inputs != null) ? List.copyOf(inputs) : List.of();
	}

	public enum Kind {

		SQL, CHECK, MANUAL, BACKUP

	}

	@JsonProperty(access = JsonProperty.Access.READ_ONLY)
	public Kind kind() {
		if (this.sql != null) {
			return Kind.SQL;
		}
		if (this.check != null) {
			return Kind.CHECK;
		}
		return (this.manual != null) ? Kind.MANUAL : Kind.BACKUP;
	}

	/** The title, or for a checklist item its text. */
	@JsonIgnore
	public String displayTitle() {
		return (this.title != null) ? this.title : this.manual;
	}

	/** Optional steps run only when a PARTIAL outcome names them. */
	public boolean onlyWhenNamed() {
		return Boolean.TRUE.equals(this.optional);
	}

	/**
	 * The runbook says its SQL decides what it does only when it runs (a DO block, EXECUTE): the
	 * console cannot analyse it, and approvers are told so.
	 */
	public boolean acknowledgesDynamicSql() {
		return Boolean.TRUE.equals(this.dynamicSql);
	}

	/** Destroys data: shows countBefore and needs the typed confirmation. */
	public boolean destroysData() {
		return Boolean.TRUE.equals(this.destructive);
	}

	/** False only for steps marked {@code transaction: false} (e.g. CREATE INDEX CONCURRENTLY). */
	@JsonIgnore
	public boolean runsInTransaction() {
		return !Boolean.FALSE.equals(this.transaction);
	}

	/** The SQL this step sends: its statements, or its check query. */
	@JsonIgnore
	public String sqlText() {
		return (this.sql != null) ? this.sql : this.check;
	}

	@JsonIgnore
	public Duration timeoutDuration() {
		return Durations.parse(this.timeout);
	}

	@JsonIgnore
	public Duration lockTimeoutDuration() {
		return Durations.parse(this.lockTimeout);
	}

}
