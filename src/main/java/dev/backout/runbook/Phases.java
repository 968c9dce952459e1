package dev.backout.runbook;

import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * The phases of a runbook, each optional but execute and verify. They always run in the order
 * of {@link PhaseName}; {@code restore} only for a ROLLBACK_AND_RESTORE decision.
 */
public record Phases(Phase precheck, Phase backup, Phase execute, Phase verify, Phase restore, Phase after) {

	public Phases {
		precheck = Phase.named(PhaseName.PRECHECK, precheck);
		backup = Phase.named(PhaseName.BACKUP, backup);
		execute = Phase.named(PhaseName.EXECUTE, execute);
		verify = Phase.named(PhaseName.VERIFY, verify);
		restore = Phase.named(PhaseName.RESTORE, restore);
		after = Phase.named(PhaseName.AFTER, after);
	}

	public Phase get(PhaseName name) {
		return switch (name) {
			case PRECHECK -> this.precheck;
			case BACKUP -> this.backup;
			case EXECUTE -> this.execute;
			case VERIFY -> this.verify;
			case RESTORE -> this.restore;
			case AFTER -> this.after;
		};
	}

	/** The phases that have steps, in running order. */
	public List<Phase> inOrder() {
		return Stream.of(PhaseName.values()).map(this::get).filter(Objects::nonNull).filter((p) -> !p.steps().isEmpty()).toList();
	}

}
