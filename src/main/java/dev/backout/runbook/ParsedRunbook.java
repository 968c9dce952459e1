package dev.backout.runbook;

import java.util.List;

/**
 * The result of reading one runbook file: the runbook when it could be read, its version hash
 * and every problem found.
 *
 * @param runbook null when the file is not a valid runbook at all
 * @param hash SHA-256 of the canonical content (null when unreadable)
 */
record ParsedRunbook(String file, String source, Runbook runbook, String hash, List<RunbookProblem> problems) {

	ParsedRunbook {
		problems = List.copyOf(problems);
	}

	boolean isValid() {
		return this.runbook != null && this.problems.stream().noneMatch(RunbookProblem::isError);
	}

	List<RunbookProblem> errors() {
		return this.problems.stream().filter(RunbookProblem::isError).toList();
	}

	List<RunbookProblem> warnings() {
		return this.problems.stream().filter((p) -> !p.isError()).toList();
	}

}
