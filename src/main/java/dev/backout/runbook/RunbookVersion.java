package dev.backout.runbook;

import java.time.Instant;

/**
 * A version of a runbook as the console first saw it.
 */
public record RunbookVersion(String runbookId, String hash, String title, String file, Instant firstSeenAt) {

	public String shortHash() {
		return this.hash.substring(0, 12);
	}

}
