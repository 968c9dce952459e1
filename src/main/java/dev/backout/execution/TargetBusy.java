package dev.backout.execution;

/** The target's execution lock is held by another session: nothing was sent. */
class TargetBusy extends ExecutionRefused {

	private final transient TargetSession.Holder holder;

	TargetBusy(String target, TargetSession.Holder holder) {
		super("Target " + target + " is busy" + ((holder != null) ? " with " + holder.describe() : "")
				+ ": one execution per target at a time. Nothing was sent; try again when it has finished.");
		this.holder = holder;
	}

	TargetSession.Holder holder() {
		return this.holder;
	}

}
