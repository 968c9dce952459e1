package dev.backout.target;

import java.time.Duration;
import java.util.List;

/**
 * What "Test connection" found.
 *
 * @param canWrite the server is a primary, the session is not read-only and the role may create
 * in the database (needed for the console's marker and backup schemas)
 * @param roles what each credential (steps, checks) may do, and what to grant or revoke
 */
public record ConnectionCheck(boolean reachable, String serverVersion, Duration latency, boolean canWrite,
		String problem, List<RoleReport> roles) {

	static ConnectionCheck failed(String problem) {
		return new ConnectionCheck(false, null, null, false, problem, List.of());
	}

	/**
	 * One credential as the server sees it.
	 *
	 * @param powers what it may do beyond its tables: superuser, server files, programs, other sessions…
	 * @param writableTables tables it may insert into, update, delete from or truncate
	 * @param advice what to change, in words and SQL, or null when it is as it should be
	 */
	public record RoleReport(String purpose, String role, boolean superuser, List<String> powers, long writableTables,
			String advice) {
	}

}
