package dev.backout.runbook;

import java.util.List;

/**
 * A runbook the console serves, with its version and where it came from.
 *
 * @param stale true when the file has since changed into something invalid: this is the last
 * good version, kept active
 */
public record LoadedRunbook(Runbook runbook, String hash, String file, String source, List<RunbookProblem> warnings,
		boolean stale) {

	public LoadedRunbook {
		warnings = List.copyOf(warnings);
	}

	public String id() {
		return this.runbook.id();
	}

	public String shortHash() {
		return this.hash.substring(0, 12);
	}

	LoadedRunbook asStale() {
		return new LoadedRunbook(this.runbook, this.hash, this.file, this.source, this.warnings, true);
	}

}
