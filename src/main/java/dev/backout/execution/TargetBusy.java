package dev.backout.execution;

/** The target's execution lock is held by another session: nothing was sent. */
public class TargetBusy extends ExecutionRefused {

	private final boolean heldByThisIncident;

	TargetBusy(String target, TargetSession.Holder holder, String ourApplicationName) {
		super((holder != null && ourApplicationName.equals(holder.applicationName()))
				? "This incident's previous session on target " + target + " is still ending. Nothing was sent; try "
						+ "again in a moment."
				: "Target " + target + " is busy" + ((holder != null) ? " with " + holder.describe() : "")
						+ ": one execution per target at a time. Nothing was sent; try again when it has finished.");
		this.heldByThisIncident = holder != null && ourApplicationName.equals(holder.applicationName());
	}

	/** The holder is this incident's own session (ending, or a step started from another tab). */
	public boolean heldByThisIncident() {
		return this.heldByThisIncident;
	}

}
