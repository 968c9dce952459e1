package dev.backout.target;

import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

import org.postgresql.Driver;

/**
 * The connection parameters a target URL may carry: where the server is and how to reach it
 * safely, nothing that changes what the console sends or loads code. pgjdbc lets URL parameters
 * override the console's own settings, so anything else — class-loading factories, a logger
 * file, {@code options}, {@code preferQueryMode}, a user or password — is refused by name.
 */
final class TargetUrl {

	static final Set<String> ALLOWED = Set.of("ssl", "sslmode", "sslrootcert", "sslcert", "sslkey", "sslNegotiation",
			"channelBinding", "gssEncMode", "targetServerType", "loadBalanceHosts", "hostRecheckSeconds", "currentSchema");

	/** What pgjdbc's URL parser reports about the address itself, not parameters. */
	private static final Set<String> ADDRESS = Set.of("PGHOST", "PGPORT", "PGDBNAME");

	private TargetUrl() {
	}

	/** @throws TargetException naming every parameter that is not allowed */
	static void requireAllowed(String url) {
		Properties parsed = Driver.parseURL(url, null);
		if (parsed == null) {
			throw new TargetException("The JDBC URL must look like jdbc:postgresql://host:5432/database.");
		}
		Set<String> refused = new TreeSet<>();
		for (String name : parsed.stringPropertyNames()) {
			if (!ADDRESS.contains(name) && !ALLOWED.contains(name)) {
				refused.add(name);
			}
		}
		if (!refused.isEmpty()) {
			throw new TargetException("The JDBC URL may not set " + String.join(", ", refused) + ". Allowed parameters: "
					+ String.join(", ", new TreeSet<>(ALLOWED)) + " (see docs/runbook-format.md, \"Targets\").");
		}
	}

}
