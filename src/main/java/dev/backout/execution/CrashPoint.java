package dev.backout.execution;

/**
 * Places in a step's life where a console can die. Tests make the executing thread "die" at one
 * of them (an {@link Error} that nothing catches), or inject a fault there (stop the console's
 * database), to prove that settlement always finds the truth.
 */
enum CrashPoint {

	AFTER_STARTED_RECORDED, BEFORE_TARGET_COMMIT, AFTER_TARGET_COMMIT, BEFORE_OUTCOME_RECORDED;

	private static final ThreadLocal<CrashPoint> armed = new ThreadLocal<>();

	private static final ThreadLocal<Runnable> fault = new ThreadLocal<>();

	/** Test hook: the current thread dies at {@code point} (null disarms). */
	static void arm(CrashPoint point) {
		armed.set(point);
		fault.remove();
	}

	/** Test hook: the current thread runs {@code injected} at {@code point}, then goes on. */
	static void arm(CrashPoint point, Runnable injected) {
		armed.set(point);
		fault.set(injected);
	}

	static void reach(CrashPoint point) {
		if (armed.get() == point) {
			armed.remove();
			Runnable injected = fault.get();
			fault.remove();
			if (injected == null) {
				throw new SimulatedCrash(point);
			}
			injected.run();
		}
	}

	static final class SimulatedCrash extends Error {

		SimulatedCrash(CrashPoint point) {
			super("Simulated console crash at " + point);
		}

	}

}
