package dev.backout.system;

/**
 * The advisory lock (two-int form) that one execution holds on a target database. Kept here,
 * the lowest module, because both the executor and the demo target's reset must agree on it.
 */
public final class ExecutionLock {

	/** "BKOU". */
	public static final int CLASS_ID = 0x424B4F55;

	public static final int OBJECT_ID = 1;

	private ExecutionLock() {
	}

}
