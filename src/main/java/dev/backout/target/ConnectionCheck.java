package dev.backout.target;

import java.time.Duration;

/**
 * What "Test connection" found.
 *
 * @param canWrite the server is a primary, the session is not read-only and the role may create
 * in the database (needed for the console's marker and backup schemas)
 */
public record ConnectionCheck(boolean reachable, String serverVersion, Duration latency, boolean canWrite,
		String problem) {

	static ConnectionCheck failed(String problem) {
		return new ConnectionCheck(false, null, null, false, problem);
	}

}
