package dev.backout.execution;

/**
 * Places in a step's life where a console can die. Tests make the executing thread "die" at one
 * of them (an {@link Error} that nothing catches) to prove that recovery always finds the truth.
 */
enum CrashPoint {

	AFTER_STARTED_RECORDED, BEFORE_TARGET_COMMIT, AFTER_TARGET_COMMIT, BEFORE_OUTCOME_RECORDED;

	private static final ThreadLocal<CrashPoint> armed = new ThreadLocal<>();

	/** Test hook: the current thread dies at {@code point} (null disarms). */
	static void arm(CrashPoint point) {
		armed.set(point);
	}

	static void reach(CrashPoint point) {
		if (armed.get() == point) {
			armed.remove();
			throw new SimulatedCrash(point);
		}
	}

	static final class SimulatedCrash extends Error {

		SimulatedCrash(CrashPoint point) {
			super("Simulated console crash at " + point);
		}

	}

}
